"""The memory's text as the lexical engines see it: folded once, indexed lazily, shared by fuzzy and concordance."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from termtm.search.normalize import WORD, fold
from termtm.search.postings import Postings, Vocabulary, char_grams, word_code_points

# Lengths are compared with a little slack so that 7/10 counts as 70% despite floating point.
_EPS = 1e-9
# Past this many candidates, the character bound (shared characters, counted with repetition) prunes them
# before verification: at low thresholds the bigram count filter cannot prune a query of ordinary length.
_BOUND_FROM = 200
# In the bound, a character found in more than 1/_COMMON_SHARE of the segments (的, 。) is counted as shared
# by every segment rather than read from its long list: the bound only loosens a little and costs far less.
_COMMON_SHARE = 20


def word_tokens(folded: str) -> list[str]:
    """The words and punctuation marks of folded English text."""
    return WORD.findall(folded)


class SideUnits:
    """One language side: each segment as a string of units (characters, or words encoded as characters)."""

    def __init__(self, units: Sequence[str], n: int) -> None:
        self.units = units
        self.n = n  # gram size of the candidate index: 2 (character bigrams) or 1 (words)
        self.lengths = np.fromiter((len(u) for u in units), dtype=np.int64, count=len(units))
        self._array = np.array(units, dtype=object)  # picks thousands of candidates in one C loop

    def pick(self, docs: np.ndarray) -> list[str]:
        """The unit strings of these segments."""
        return self._array[docs].tolist()

    @cached_property
    def grams(self) -> Postings:
        """The n-gram inverted index (built on first use: a concordance-only session never pays for it)."""
        return Postings.build(*char_grams(self.units, self.n))

    @cached_property
    def units_count(self) -> Postings:
        """Every unit (a character) with how many times each segment has it, for the character bound."""
        keys, docs = char_grams(self.units, 1)
        n = max(len(self.units), 1)
        pairs, times = np.unique(keys * n + docs, return_counts=True)  # sorted by unit, then segment
        units, segs = pairs // n, (pairs % n).astype(np.int32)
        starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]]) if len(units) else np.zeros(0, np.int64)
        return Postings(units[starts], np.append(starts, len(units)).astype(np.int64), segs, times)

    def character_bound(self, query: str, cand: np.ndarray, threshold: float) -> np.ndarray:
        """The candidates whose shared characters allow the threshold: an edit script keeps at most the
        characters the two texts share (counted with repetition), so similarity <= shared / max(|q|, |s|)."""
        keys, caps = np.unique(char_grams([query], 1)[0], return_counts=True)
        n = len(self.units)
        shared = self.units_count.capped_sums(keys, caps, cand, common=max(len(cand), n // _COMMON_SHARE))
        longest = np.maximum(self.lengths[cand], len(query))
        return cand[shared >= threshold * longest - _EPS]

    @cached_property
    def _by_length(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.lengths, kind="stable")
        return order, self.lengths[order]

    def with_length(self, lo: int, hi: int) -> np.ndarray:
        """Ascending ids of the segments whose length is in [lo, hi]."""
        order, lengths = self._by_length
        a, b = np.searchsorted(lengths, lo, "left"), np.searchsorted(lengths, hi, "right")
        return np.sort(order[a:b])

    def fuzzy_candidates(self, query: str, threshold: float) -> np.ndarray:
        """Segments that may be within the threshold: the length filter, then the n-gram count filter.

        A similarity t = 1 - d / max(|q|, |s|) bounds the length |s| to [t|q|, |q|/t] and the edit
        distance d to (1 - t) max(|q|, |s|); each edit destroys at most n of the query's distinct
        n-grams, so a segment of length L must share need(L) = G - n·d(L) of the G query n-grams.
        Only lengths where need(L) <= 0 (the longest ones, or every length for a short query) must
        be scanned whole; the survivors of both are verified by the caller.
        """
        lq = len(query)
        lo, hi = math.ceil(lq * threshold - _EPS), math.floor(lq / threshold + _EPS)
        grams = np.unique(char_grams([query], self.n)[0])
        lengths_range = np.arange(lo, hi + 1)
        need = len(grams) - self.n * np.floor((1 - threshold) * np.maximum(lengths_range, lq) + _EPS)
        unfiltered = lengths_range[need <= 0]  # need(L) falls as L grows past |q|: a tail of long lengths
        if len(unfiltered) and unfiltered[0] <= lq:  # the count filter cannot prune at all
            cand = self.with_length(lo, hi)
            return self.character_bound(query, cand, threshold) if self.n == 2 and len(cand) > _BOUND_FROM else cand
        top = int(unfiltered[0]) - 1 if len(unfiltered) else hi

        def in_range(docs: np.ndarray) -> np.ndarray:
            lengths = self.lengths[docs]
            return docs[(lengths >= lo) & (lengths <= top)]

        # need is smallest at the longest filtered length
        cand, counts = self.grams.at_least(grams, int(need[top - lo]), where=in_range)
        cand = cand[counts >= need[self.lengths[cand] - lo]].astype(np.int64)
        if len(unfiltered):
            cand = np.union1d(cand, self.with_length(top + 1, hi))
        if self.n == 2 and len(cand) > _BOUND_FROM:
            cand = self.character_bound(query, cand, threshold)
        return cand


class MemoryText:
    """Folded Chinese and English of every segment, in memory order."""

    def __init__(self, zh: Sequence[str], en: Sequence[str]) -> None:
        self.zh: Sequence[str] = [fold(t) for t in zh]
        self.en: Sequence[str] = [fold(t) for t in en]
        self.vocab = Vocabulary()
        # Units deleted or changed since a mapped segment was written (search.mapped): True = skip it.
        self.dead: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.zh)

    @cached_property
    def zh_chars(self) -> SideUnits:
        """Chinese as characters, indexed by character bigrams."""
        return SideUnits(self.zh, 2)

    @cached_property
    def en_words(self) -> SideUnits:
        """English as word strings, indexed by words."""
        return SideUnits([self.vocab.encode(word_tokens(t)) for t in self.en], 1)

    @cached_property
    def en_word_pairs(self) -> Postings:
        """Adjacent word pairs of the English side, so that a phrase of common words has few candidates."""
        return Postings.build(*char_grams(self.en_words.units, 2))

    @cached_property
    def zh_unigrams(self) -> Postings:
        """Single characters of the Chinese side, for one-character concordance queries."""
        return Postings.build(*char_grams(self.zh, 1))

    @cached_property
    def _sorted_words(self) -> list[str]:
        return sorted(self.vocab.ids)

    def words_with_prefix(self, prefix: str) -> list[str]:
        """Words of the English side that start with `prefix` (folded), for prefix concordance."""
        _ = self.en_words  # the vocabulary fills when the English side is encoded
        words = self._sorted_words
        i = bisect.bisect_left(words, prefix)
        j = bisect.bisect_left(words, prefix + "\U0010ffff")
        return words[i:j]

    def prefix_keys(self, prefix: str) -> np.ndarray:
        """The code points (ascending) of the characters that stand for the words starting with `prefix`
        (folded), for prefix concordance."""
        ids = [self.vocab.ids[w] for w in self.words_with_prefix(prefix)]
        return np.unique(word_code_points(np.array(ids, dtype=np.int64)))
