"""Per-sentence evidence for the aligner, and per-bead scores computed from it.

Each side is turned once into arrays and sets (embeddings, lengths, numbers,
Latin tokens, dictionary stems); a bead's evidence is then computed from the
parts of the sentences it groups, so that no text is encoded twice and a
merged bead never needs a new embedding unless the caller asks for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from termtm.align import cues
from termtm.align.lexicon import Lexicon, content_stems

OPEN_QUOTES = ("“", '"', "‘", "'", "「", "『")
CLOSE_QUOTES = ("”", '"', "’", "'", "」", "』")
"""Quotation marks: a bead whose sides open (or close) a quotation together is likely a bead of dialogue."""

EXCLAMATIONS = ("!", "?", "！", "？")
"""An English exclamation or question is often one of several sentences rendering one Chinese sentence."""

Span = tuple[int, int]
"""(first sentence, number of sentences) on one side."""


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """What the aligner knows about one input: its sentences and their cheap cues."""

    texts: tuple[str, ...]
    chinese: bool
    lengths: np.ndarray  # cumulative characters: lengths[k] = characters of texts[:k]
    numbers: tuple[frozenset[str], ...]
    latin: tuple[frozenset[str], ...]
    opens: np.ndarray  # the sentence starts with an opening quotation mark
    closes: np.ndarray  # the sentence ends with a closing quotation mark
    inner_closes: np.ndarray  # cumulative: inner_closes[k] = sentences before k that close a quotation
    inner_exclaims: np.ndarray  # cumulative: sentences before k that end with "!" or "?"
    words: tuple[tuple[frozenset[str], ...], ...]
    """Dictionary evidence per sentence: for Chinese, each content word's gloss stems;
    for English, each content-word stem as a one-element set. Empty without a lexicon."""

    @classmethod
    def of(cls, texts: Sequence[str], *, chinese: bool, lexicon: Lexicon | None) -> SentenceCues:
        """Compute every cue for a list of sentences."""
        sizes = [cues.text_length(t) for t in texts]
        closes = [t.rstrip().endswith(CLOSE_QUOTES) for t in texts]
        exclaims = [t.rstrip().endswith(EXCLAMATIONS) for t in texts]
        if lexicon is None:
            words: tuple[tuple[frozenset[str], ...], ...] = tuple(() for _ in texts)
        elif chinese:
            words = tuple(lexicon.content_glosses(t) for t in texts)
        else:
            words = tuple(tuple(frozenset((s,)) for s in sorted(content_stems(t))) for t in texts)
        return cls(
            texts=tuple(texts),
            chinese=chinese,
            lengths=np.concatenate([[0], np.cumsum(sizes)]).astype(np.float64),
            opens=np.array([t.lstrip().startswith(OPEN_QUOTES) for t in texts]),
            closes=np.array(closes),
            inner_closes=np.concatenate([[0], np.cumsum(closes)]).astype(np.float64),
            inner_exclaims=np.concatenate([[0], np.cumsum(exclaims)]).astype(np.float64),
            numbers=tuple(frozenset(cues.numbers(t)) for t in texts),
            latin=tuple(frozenset(cues.latin_tokens(t)) for t in texts),
            words=words,
        )

    def __len__(self) -> int:
        return len(self.texts)

    def length(self, i: int, k: int) -> float:
        """Characters in sentences i .. i+k-1."""
        return float(self.lengths[i + k] - self.lengths[i])

    def joined(self, i: int, k: int) -> str:
        """The text of sentences i .. i+k-1, joined as the language writes them."""
        return ("" if self.chinese else " ").join(self.texts[i : i + k])


def union(sets: Sequence[frozenset[str]], i: int, k: int) -> frozenset[str]:
    """Union of the sets of sentences i .. i+k-1."""
    if k == 1:
        return sets[i]
    return frozenset().union(*sets[i : i + k])


def inner_counts(cumulative: np.ndarray, j0: int, j1: int, k: int) -> np.ndarray:
    """For runs of k sentences starting at j0 .. j1-1: how many of each run's sentences but the last are
    flagged, given a cumulative count of the flags (entry k counts sentences < k)."""
    return cumulative[j0 + k - 1 : j1 + k - 1] - cumulative[j0:j1]


def merged_vectors(vecs: np.ndarray, k: int) -> np.ndarray:
    """Approximate embeddings of every run of k consecutive sentences: the normalised sum of the parts.

    Row i stands for sentences i .. i+k-1. This replaces encoding the
    concatenation; it loses word order across the seam but keeps what each
    part says, which is what a similarity with the other side needs. (Weighting
    the parts by length, as e5's mean pooling would suggest, did worse on MAC-Dev.)
    """
    if k == 1:
        return vecs
    if len(vecs) < k:
        return np.zeros((0, vecs.shape[1]), dtype=np.float32)
    csum = np.concatenate([np.zeros((1, vecs.shape[1]), dtype=np.float32), np.cumsum(vecs, axis=0)])
    sums = csum[k:] - csum[:-k]
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-6)
