"""Concordance: where a phrase occurs, in either language, with keyword-in-context snippets.

Chinese (and any text of the Chinese side) is searched by intersecting character-bigram lists, English by
intersecting word lists; the few candidates left are checked with a substring search on folded text.
Segments come back in memory order, as a concordance lists them.
"""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from termtm.model import Lang
from termtm.search.memorytext import MemoryText, word_tokens
from termtm.search.normalize import fold, has_han
from termtm.search.postings import bigram_keys, char_grams

# Context shown on each side of the match: about the same reading width in both scripts.
KWIC_WIDTH = {Lang.ZH: 15, Lang.EN: 40}
# A one-word query is a word prefix; its lists are cut to this many times k before verification.
_HEAD = 4
# A last word that begins more words than this is left to the substring check instead of the index.
_MAX_COMPLETIONS = 64
# Candidates are intersected and verified this many at a time, so that a frequent phrase stops after k hits
# instead of intersecting lists of a million entries.
_CHUNK = 2048
# Characters read beyond a snippet on each side to find the words it may start or end at: more than the
# longest words jieba's dictionary holds in numbers (idioms of 4, names and terms of up to 8).
_WORD_PAD = 10
# Candidates whose texts are fetched and checked together: small enough that a frequent phrase fetches
# little more than the k texts it shows.
_BLOCK = 32


@dataclass(frozen=True, slots=True)
class Kwic:
    """Left context, the matched text as written in the segment, right context."""

    left: str
    match: str
    right: str


@dataclass(frozen=True, slots=True)
class ConcordanceMatch:
    """A segment index, the side the phrase was found on, and the snippet."""

    doc: int
    lang: Lang
    kwic: Kwic


Part = tuple[MemoryText, tuple[Sequence[str], Sequence[str]]]
"""One searchable part of a memory: its text and indexes, with its unfolded (zh, en) texts."""


def search(
    memory: MemoryText, query: str, originals: tuple[Sequence[str], Sequence[str]], *, k: int = 20
) -> list[ConcordanceMatch]:
    """The first k segments, in memory order, whose Chinese or English contains the phrase (folded)."""
    return [m for _, m in search_parts([(memory, originals)], query, k=k)]


def search_parts(
    parts: Sequence[Part], query: str, *, k: int = 20, order: Callable[[int, int], Any] | None = None
) -> list[tuple[int, ConcordanceMatch]]:
    """`search` over a memory held in several parts (index segments): (part, match), in memory order.

    Each part lists its hits in its own memory order; `order(part, doc)` merges them into the memory's.
    """
    q = re.sub(r"\s+", " ", fold(query.strip()))
    if not q or k <= 0:
        return []
    streams = [_hits(memory, q, k) for memory, _ in parts]
    if len(parts) == 1:
        merged: Iterator[tuple[Any, int, int, Lang, int]] = (
            (0, 0, doc, lang, start) for doc, lang, start in streams[0]
        )
    else:
        key = order or (lambda part, doc: (part, doc))
        merged = heapq.merge(*(_keyed(stream, i, key) for i, stream in enumerate(streams)))
    out: list[tuple[int, ConcordanceMatch]] = []
    for _, i, doc, lang, start in merged:
        text = parts[i][1][0 if lang is Lang.ZH else 1][doc]
        out.append((i, ConcordanceMatch(doc, lang, kwic(text, start, start + len(q), KWIC_WIDTH[lang]))))
        if len(out) == k:
            break
    return out


def _keyed(
    stream: Iterator[tuple[int, Lang, int]], part: int, key: Callable[[int, int], Any]
) -> Iterator[tuple[Any, int, int, Lang, int]]:
    """A part's hits with their memory-order key in front, for heapq.merge."""
    for doc, lang, start in stream:
        yield key(part, doc), part, doc, lang, start


def _hits(memory: MemoryText, q: str, k: int) -> Iterator[tuple[int, Lang, int]]:
    """(doc, lang, start) of the segments of one part that contain the folded phrase, in its memory order."""
    streams = []
    dead = memory.dead
    if not has_han(q):  # English first: for a Latin phrase, the English side is the one to show
        extra = int(dead.sum()) if dead is not None else 0  # dead units may fill the heads of prefix lists
        streams.append(_verified(memory.en, _intersected(_en_lists(memory, q, k + extra)), q, Lang.EN, dead))
    if has_han(q) or len(q) > 1:
        streams.append(_verified(memory.zh, _intersected(_zh_lists(memory, q)), q, Lang.ZH, dead))
    last = -1
    for doc, _, lang, start in heapq.merge(*streams):
        if doc != last:  # a segment found on both sides comes once, English first
            last = doc
            yield doc, lang, start


def kwic(text: str, start: int, end: int, width: int) -> Kwic:
    """The snippet around text[start:end] with up to `width` characters of context on each side.

    The context is cut on a word boundary (English words; jieba's words or punctuation in Chinese), never
    inside a word: "Greater Mekong Sub-Regional", not "eater Mekong Sub-Regional". Words are found in the
    snippet and _WORD_PAD characters either side only: segmenting a long sentence with jieba to cut one
    snippet cost more than the rest of a concordance lookup.
    """
    lo, hi = max(0, start - width), min(len(text), end + width)
    if lo > 0 or hi < len(text):
        a = max(0, lo - _WORD_PAD)
        bounds = {a + b for b in _word_bounds(text[a : hi + _WORD_PAD])}
        lo = min((b for b in bounds if lo <= b <= start), default=start) if lo > 0 else 0
        hi = max((b for b in bounds if end <= b <= hi), default=end) if hi < len(text) else hi
    return Kwic(text[lo:start].lstrip(), text[start:end], text[end:hi].rstrip())


_LATIN_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")


def _word_bounds(text: str) -> set[int]:
    """Offsets where a snippet may start or end: between words, never inside one."""
    if has_han(text):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return {b for word, a, z in jieba.tokenize(text, HMM=False) for b in (a, z)}
    inside = {i for m in _LATIN_WORD.finditer(text) for i in range(m.start() + 1, m.end())}
    return set(range(len(text) + 1)) - inside


def _verified(
    texts: Sequence[str], cand: Iterable[np.ndarray], q: str, lang: Lang, dead: np.ndarray | None = None
) -> Iterator[tuple[int, int, Lang, int]]:
    """(doc, side order, lang, start) of live candidates that really contain the phrase, in memory order.

    Candidates come in blocks, whose texts are fetched together: a mapped column decodes a block with one
    read of its offsets, where one lookup per candidate would cost more than the check itself.
    """
    order = 0 if lang is Lang.EN else 1
    # English phrases start at a word boundary (the index is by words); Chinese has no word boundaries.
    pattern = re.compile(r"(?<!\w)" + re.escape(q)) if lang is Lang.EN else None
    take = getattr(texts, "take", None)
    for block in cand:
        if dead is not None and len(block):
            block = block[~dead[block]]
        docs = block.tolist()
        for doc, text in zip(docs, take(block) if take else [texts[d] for d in docs], strict=True):
            if pattern is None:
                start = text.find(q)
            else:
                m = pattern.search(text)
                start = m.start() if m else -1
            if start >= 0:
                yield doc, order, lang, start


def _intersected(lists: list[np.ndarray]) -> Iterator[np.ndarray]:
    """Blocks of the documents in every list (shortest first), ascending: a chunk of the shortest list is
    intersected with the others by binary search, then handed on _BLOCK documents at a time."""
    if not lists or any(len(lst) == 0 for lst in lists):
        return
    first, rest = lists[0], lists[1:]
    for i in range(0, len(first), _CHUNK):
        chunk = first[i : i + _CHUNK]
        for other in rest:
            pos = np.minimum(np.searchsorted(other, chunk), len(other) - 1)
            chunk = chunk[other[pos] == chunk]
        for j in range(0, len(chunk), _BLOCK):
            yield chunk[j : j + _BLOCK]


def _zh_lists(memory: MemoryText, q: str) -> list[np.ndarray]:
    """Posting lists of the phrase's character bigrams (of its character if it is one); [] if one is absent."""
    if len(q) == 1:
        return memory.zh_unigrams.lists(np.unique(char_grams([q], 1)[0]))
    keys = np.unique(char_grams([q], 2)[0])
    lists = memory.zh_chars.grams.lists(keys)
    return lists if len(lists) == len(keys) else []


def _en_lists(memory: MemoryText, q: str, k: int) -> list[np.ndarray]:
    """Posting lists of the phrase's words and adjacent word pairs; the last word may be a prefix.

    Words alone leave every segment with "in" and "along" as candidates of "in along"; adjacent pairs
    leave the segments where they touch. The prefix word joins through the pairs it can complete.
    """
    *whole, last = word_tokens(q) or [""]
    if not last:
        return []
    words = memory.prefix_keys(last)  # each word the last one may be the start of, as its character's code
    if not len(words) or any(t not in memory.vocab.ids for t in whole):
        return []
    if not whole:  # one word: any word it begins, in the first segments that have one
        return [memory.en_words.grams.first_docs(words, _HEAD * k)]
    chars = memory.vocab.encode_query(whole)
    lists = memory.en_words.grams.lists(np.unique(char_grams([chars], 1)[0]))
    lists += memory.en_word_pairs.lists(np.unique(char_grams([chars], 2)[0]))
    if len(words) <= _MAX_COMPLETIONS:
        keys = bigram_keys(chars[-1], words)
        joined = memory.en_word_pairs.lists(keys)
        if not joined:
            return []
        lists.append(np.unique(np.concatenate(joined)))
    return sorted(lists, key=len)
