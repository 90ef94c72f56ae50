"""A compact inverted index over integer keys, held in numpy arrays (CSR layout).

Python dicts of lists cost about 100 bytes a posting and minutes to build at a
million segments; three flat arrays cost 4-8 bytes a posting, build with one
stable sort, and answer a lookup with a binary search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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

    def at_least(
        self, keys: np.ndarray, t: int, skip: int | None = None, where: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The documents that contain at least t (>= 1) of the distinct query keys (and that `where` keeps,
        if given: it takes ascending ids and returns those it keeps), ascending, with how many keys each
        contains: the count filter, without a counter per document.

        A document with t keys has at least t - L of them outside the L longest lists (DivideSkip: Li, Lu
        and Lu, ICDE 2008). So only the shorter lists are read whole, and the L longest, which at a million
        segments hold most of the postings (English "the" is in 900,000 of them), are probed for the candidates
        that the shorter ones and `where` leave (a binary search each, or one pass over the list when they
        are many), dropping a candidate as soon as the lists still to probe cannot lift it to t. L (`skip`)
        is chosen per query by the estimated cost of each choice; the answer does not depend on it.
        """
        slots = self._slots(keys)
        lengths = self.offsets[slots + 1] - self.offsets[slots]
        by_length = np.argsort(lengths, kind="stable")
        slots, lengths = slots[by_length], lengths[by_length]
        g = len(slots)
        if t > g:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        skip = _longest_to_skip(lengths, t) if skip is None else min(skip, t - 1)
        short = g - skip
        starts, ends = self.offsets[slots].tolist(), self.offsets[slots + 1].tolist()
        docs = np.concatenate([self.docs[a:b] for a, b in zip(starts[:short], ends[:short], strict=True)])
        docs.sort()
        edges = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1], True])
        found = np.diff(edges)
        keep = found >= t - skip
        cand, found = docs[edges[:-1][keep]], found[keep]
        if where is not None:
            kept = where(cand)
            found, cand = found[np.searchsorted(cand, kept)], kept
        for i in range(short, g):
            alive = found + (g - i) >= t
            if not alive.all():
                cand, found = cand[alive], found[alive]
            found = found + self._contains(cand, starts[i], ends[i])
        keep = found >= t
        return cand[keep], found[keep]

    def _contains(self, cand: np.ndarray, start: int, end: int) -> np.ndarray:
        """1 for each candidate (ascending) in the list docs[start:end], else 0, by the cheaper way."""
        posting = self.docs[start:end]
        if len(cand) == 0 or len(posting) == 0:
            return np.zeros(len(cand), dtype=np.int64)
        if _STEP_NS * len(cand) * np.log2(len(posting) + 1) > _PASS_NS * len(posting):
            return np.isin(cand, posting, kind="table").astype(np.int64)
        pos = np.searchsorted(posting, cand)
        pos[pos == len(posting)] = 0
        return (posting[pos] == cand).astype(np.int64)

    def first_docs(self, keys: np.ndarray, m: int) -> np.ndarray:
        """The m smallest documents, ascending, that contain any of the keys (thousands of keys, say every
        word that a typed prefix may begin): only the first m of each list can be among them, and none past
        the m-th document of any one list, so the heads are gathered in one step and cut there."""
        slots = self._slots(keys)
        starts = self.offsets[slots]
        lengths = self.offsets[slots + 1] - starts
        take = np.minimum(lengths, m)
        if len(take) == 0 or m <= 0:
            return np.zeros(0, dtype=self.docs.dtype)
        before = np.cumsum(take) - take  # where each list's head begins in the gathered array
        docs = self.docs[np.repeat(starts - before, take) + np.arange(int(take.sum()))]
        full = lengths >= m
        if full.any():
            docs = docs[docs <= self.docs[starts[full] + m - 1].min()]
        return np.unique(docs)[:m]

    def scores(self, keys: np.ndarray, n_docs: int) -> np.ndarray:
        """For every document, the sum of the weights of the query keys it contains."""
        slots = self._slots(keys)
        if len(slots) == 0 or self.weights is None:
            return np.zeros(n_docs, dtype=np.float64)
        parts = [slice(self.offsets[s], self.offsets[s + 1]) for s in slots]
        docs = np.concatenate([self.docs[p] for p in parts])
        return np.bincount(docs, weights=np.concatenate([self.weights[p] for p in parts]), minlength=n_docs)

    def capped_sums(self, keys: np.ndarray, caps: np.ndarray, docs: np.ndarray, common: int) -> np.ndarray:
        """For each of the given documents (ascending), an upper bound of the sum over the distinct query keys
        of min(cap, its weight there).

        Keys in more than `common` documents count their cap for every document without reading their
        lists (the sum can only grow, so it stays an upper bound); the others are summed exactly, by a
        binary search of the documents in each list when they are few, else by reading the lists whole.
        """
        pos = np.searchsorted(self.keys, keys)
        ok = pos < len(self.keys)
        ok[ok] = self.keys[pos[ok]] == keys[ok]
        slots, caps = pos[ok], caps[ok]
        if len(slots) == 0 or self.weights is None:
            return np.zeros(len(docs), dtype=np.int64)
        starts, ends = self.offsets[slots], self.offsets[slots + 1]
        frequent = ends - starts > common
        total = np.full(len(docs), int(caps[frequent].sum()), dtype=np.int64)
        starts, ends, caps = starts[~frequent], ends[~frequent], caps[~frequent]
        if len(docs) * len(starts) < int((ends - starts).sum()):  # probing costs less than reading
            for a, b, cap in zip(starts.tolist(), ends.tolist(), caps.tolist(), strict=True):
                posting = self.docs[a:b]
                at = np.searchsorted(posting, docs)
                at[at == len(posting)] = 0
                hit = posting[at] == docs
                total[hit] += np.minimum(self.weights[a:b][at[hit]], cap)
            return total
        if len(starts):
            index = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
            capped = np.minimum(self.weights[index], np.repeat(caps, ends - starts))
            n_docs = int(docs[-1]) + 1 if len(docs) else 0
            owner = self.docs[index]
            inside = owner < n_docs
            total += np.bincount(owner[inside], weights=capped[inside], minlength=n_docs)[docs].astype(np.int64)
        return total


# The count filter's costs in nanoseconds on this machine, measured with numpy on the posting lists of the
# 1M benchmark memory (bench/serve1m.py):
_READ_NS = 12.0  # a posting of a list read whole (concatenated, sorted, counted)
_STEP_NS = 2.5  # one step of a binary search of one candidate in a probed list
_PASS_NS = 4.5  # a posting of a probed list passed over once (when the candidates are too many to search)


def _longest_to_skip(lengths: np.ndarray, t: int) -> int:
    """How many of the longest lists (lengths ascending) the count filter should probe instead of read:
    reading the rest costs their postings; probing costs, per list, its candidates (at most postings /
    (t - L)) searched, or one pass over it, whichever is cheaper."""
    desc = lengths[::-1].astype(np.float64)
    longest = np.r_[0, np.cumsum(desc)]  # postings in the L longest lists, for L = 0..g
    skip = np.arange(t)  # skipping t or more lists would leave no list to find candidates in
    read = longest[-1] - longest[skip]
    cand = read / (t - skip)
    per_list = np.minimum(_STEP_NS * np.log2(desc + 1) * cand[:, None], _PASS_NS * desc)  # [L, j]: the j-th longest
    probe = np.where(np.arange(len(desc)) < skip[:, None], per_list, 0).sum(axis=1)
    return int(skip[np.argmin(_READ_NS * read + probe)])


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


def bigram_keys(first: str, seconds: np.ndarray) -> np.ndarray:
    """The keys of the bigrams of one character followed by each of these code points, as `char_grams`
    makes them, ascending."""
    return np.sort((ord(first) << _CP_BITS) | np.asarray(seconds, dtype=np.int64))


# Word ids become code points above Latin-1 and outside the surrogate block, so that a word sequence is a str.
_FIRST_CP, _SURROGATES, _SURROGATE_SPAN = 0x100, 0xD800, 0x800
_RESERVED = 4096  # the top code points stand for query words that the memory never uses
_CAPACITY = 0x110000 - _FIRST_CP - _SURROGATE_SPAN - _RESERVED


def word_code_points(ids: np.ndarray) -> np.ndarray:
    """The code points of the characters that stand for these word ids (as `_char` makes them), vectorised."""
    cps = np.asarray(ids, dtype=np.int64) + _FIRST_CP
    return cps + np.where(cps >= _SURROGATES, _SURROGATE_SPAN, 0)


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
