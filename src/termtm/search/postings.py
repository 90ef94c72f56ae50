"""A compact inverted index over integer keys, held in numpy arrays (CSR layout).

Python dicts of lists cost about 100 bytes a posting and minutes to build at a
million segments; three flat arrays cost 4-8 bytes a posting, build with one
stable sort, and answer a lookup with a binary search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A bigram key packs two code points (21 bits each) into one int64.
_CP_BITS = 21


class Postings:
    """Sorted distinct keys, each with the ascending ids of the documents that contain it."""

    def __init__(self, keys: np.ndarray, offsets: np.ndarray, docs: np.ndarray, weights: np.ndarray | None) -> None:
        self.keys, self.offsets, self.docs, self.weights = keys, offsets, docs, weights

    @classmethod
    def build(cls, keys: np.ndarray, docs: np.ndarray, weights: np.ndarray | None = None) -> Postings:
        """Index (key, doc) pairs given in ascending doc order; repeated pairs are kept once."""
        order = np.argsort(keys, kind="stable")  # stable: docs stay ascending within a key
        k, d = keys[order], docs[order]
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
        k, d = k[keep], d[keep]
        w = weights[order][keep] if weights is not None else None
        uniq, starts = np.unique(k, return_index=True)
        offsets = np.append(starts, len(k)).astype(np.int64)
        return cls(uniq, offsets, d.astype(np.int32), w)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Positions in self.keys of the query keys that are indexed."""
        pos = np.searchsorted(self.keys, keys)
        ok = pos < len(self.keys)
        pos, keys = pos[ok], keys[ok]
        return pos[self.keys[pos] == keys]

    def lists(self, keys: np.ndarray) -> list[np.ndarray]:
        """The posting list of each indexed query key, shortest first (best for intersections)."""
        slots = self._slots(keys)
        out = [self.docs[self.offsets[s] : self.offsets[s + 1]] for s in slots]
        return sorted(out, key=len)

    def counts(self, keys: np.ndarray, n_docs: int) -> np.ndarray:
        """For every document, how many of the (distinct) query keys it contains."""
        slots = self._slots(keys)
        if len(slots) == 0:
            return np.zeros(n_docs, dtype=np.int64)
        docs = np.concatenate([self.docs[self.offsets[s] : self.offsets[s + 1]] for s in slots])
        return np.bincount(docs, minlength=n_docs)

    def scores(self, keys: np.ndarray, n_docs: int) -> np.ndarray:
        """For every document, the sum of the weights of the query keys it contains."""
        slots = self._slots(keys)
        if len(slots) == 0 or self.weights is None:
            return np.zeros(n_docs, dtype=np.float64)
        parts = [slice(self.offsets[s], self.offsets[s + 1]) for s in slots]
        docs = np.concatenate([self.docs[p] for p in parts])
        return np.bincount(docs, weights=np.concatenate([self.weights[p] for p in parts]), minlength=n_docs)

    def capped_sums(self, keys: np.ndarray, caps: np.ndarray, n_docs: int, common: int | None = None) -> np.ndarray:
        """For every document, an upper bound of the sum over the distinct query keys of min(cap, its weight there).

        Keys in more than `common` documents count their cap for every document without reading their
        lists (the sum can only grow, so it stays an upper bound); the others are summed exactly.
        """
        pos = np.searchsorted(self.keys, keys)
        ok = pos < len(self.keys)
        ok[ok] = self.keys[pos[ok]] == keys[ok]
        slots, caps = pos[ok], caps[ok]
        if len(slots) == 0 or self.weights is None:
            return np.zeros(n_docs, dtype=np.int64)
        starts, ends = self.offsets[slots], self.offsets[slots + 1]
        frequent = (ends - starts > common) if common is not None else np.zeros(len(slots), dtype=bool)
        base = int(caps[frequent].sum())
        starts, ends, caps = starts[~frequent], ends[~frequent], caps[~frequent]
        if len(starts) == 0:
            return np.full(n_docs, base, dtype=np.int64)
        index = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        capped = np.minimum(self.weights[index], np.repeat(caps, ends - starts))
        return np.bincount(self.docs[index], weights=capped, minlength=n_docs) + base


def codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All characters of all texts as one code-point array, with the text index of each character."""
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return cps, np.repeat(np.arange(len(texts), dtype=np.int64), lengths)


def char_grams(texts: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(key, text index) of every character unigram or bigram, vectorised over all texts."""
    cps, owner = codepoints(texts)
    if n == 1:
        return cps, owner
    if len(cps) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    same = owner[1:] == owner[:-1]  # a bigram never spans two texts
    keys = (cps[:-1] << _CP_BITS) | cps[1:]
    return keys[same], owner[:-1][same]


def bigram_key(first: str, second: str) -> int:
    """The key of the bigram of two characters, as `char_grams` makes it."""
    return (ord(first) << _CP_BITS) | ord(second)


# Word ids become code points above Latin-1 and outside the surrogate block, so that a word sequence is a str.
_FIRST_CP, _SURROGATES, _SURROGATE_SPAN = 0x100, 0xD800, 0x800
_RESERVED = 4096  # the top code points stand for query words that the memory never uses
_CAPACITY = 0x110000 - _FIRST_CP - _SURROGATE_SPAN - _RESERVED


def _char(i: int) -> str:
    cp = _FIRST_CP + i
    return chr(cp + _SURROGATE_SPAN if cp >= _SURROGATES else cp)


class Vocabulary:
    """Maps words to single characters, so that rapidfuzz and the character index work on word sequences.

    Past about 1.1 million distinct words, further words share characters by hash: their edit distance
    can then only be underestimated, which lets a few more candidates through to verification.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, tokens: Sequence[str]) -> str:
        """The memory's words as characters; new words get new characters."""
        out = []
        for t in tokens:
            i = self.ids.get(t)
            if i is None:
                i = len(self.ids) if len(self.ids) < _CAPACITY else hash(t) % _CAPACITY
                self.ids[t] = i
            out.append(_char(i))
        return "".join(out)

    def encode_query(self, tokens: Sequence[str]) -> str:
        """A query's words as characters; words the memory lacks get reserved characters that match nothing."""
        unseen: dict[str, str] = {}
        out = []
        for t in tokens:
            i = self.ids.get(t)
            out.append(_char(i) if i is not None else unseen.setdefault(t, chr(0x10FFFF - len(unseen) % _RESERVED)))
        return "".join(out)
