"""Honest progress for long commands: a line per stage with its time, a paragraph bar whose rate starts
when the paragraphs do, and a counter of the texts an encoder is given.

Everything goes to stderr, so that a command's output can still be piped; --quiet silences it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

if TYPE_CHECKING:
    import numpy as np


class Progress:
    """Stages of a build: `begin(what)` ends the previous stage (with its time) and starts the next."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._stage = ""
        self._since = 0.0
        self._bar: tqdm | None = None

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def begin(self, what: str) -> None:
        """Start a stage, closing the one before."""
        self.end()
        self._stage, self._since = what, time.monotonic()
        if what != "aligning":  # the paragraph bar says it
            self._say(f"{what} …")

    def end(self) -> None:
        """Close the current stage: its bar, and its time."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._stage:
            self._say(f"  {self._stage}: {time.monotonic() - self._since:.1f} s")
        self._stage = ""

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """A stage as a with-block."""
        self.begin(what)
        yield
        self.end()

    def paragraphs(self, done: int, total: int) -> None:
        """The aligner's callback: done=0 announces the total while sentences are encoded; the bar's clock
        starts at the first aligned paragraph, so that its rate and estimate are those of aligning."""
        if self.quiet:
            return
        if done == 0:
            self._say(f"encoding the sentences of {total} paragraphs …")
            return
        if self._bar is None:
            self._say(f"  encoding: {time.monotonic() - self._since:.1f} s")
            self._bar = tqdm(total=total, desc="aligning paragraphs", unit="para", smoothing=0, file=sys.stderr)
        self._bar.update(done)

    def counting(self, embedder: Any, what: str) -> Any:
        """The embedder, wrapped so that each batch it encodes advances a counter of texts."""
        return _Counting(embedder, what, self.quiet)


class _Counting:
    """An embedder that counts the texts it encodes on a bar (the batches are the cache's, 64 texts)."""

    def __init__(self, inner: Any, what: str, quiet: bool) -> None:
        self._inner, self._what, self._quiet = inner, what, quiet
        self._bar: tqdm | None = None
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts: Sequence[str], **kw: Any) -> np.ndarray:
        if self._bar is None and not self._quiet:
            self._bar = tqdm(desc=self._what, unit="text", smoothing=0, file=sys.stderr)
        out = self._inner.encode(texts, **kw)
        if self._bar is not None:
            self._bar.update(len(texts))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def close(self) -> None:
        """Close the counter (a build with nothing to encode never opened one)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
