"""CAT-style fuzzy matches: a percentage from Levenshtein distance over characters (Chinese) or words (English).

Candidates come from the n-gram index in `corpus` (length and count filters), so a lookup verifies a few
hundred segments rather than the whole memory; rapidfuzz computes the distances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from termtm.model import Lang
from termtm.search.memorytext import MemoryText, SideUnits, word_tokens
from termtm.search.normalize import WORD, fold, has_han

DEFAULT_MIN_SCORE = 70.0  # the usual CAT cut-off: below 70% a match costs more to edit than it saves
# Extra verified matches beyond k, so that an exact match can be moved ahead of 100% matches that differ
# only by folding (width, case, script).
_TIE_ROOM = 20

Op = Literal["equal", "replace", "insert", "delete"]


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One step of the edit from the query to the match, with the text on each side."""

    op: Op
    query: str
    match: str


@dataclass(frozen=True, slots=True)
class FuzzyMatch:
    """A segment index with its match percentage and the diff of the query against it."""

    doc: int
    score: float
    lang: Lang
    exact: bool
    diff: tuple[DiffOp, ...]


def percentage(query: str, text: str) -> float:
    """The CAT match percentage of two texts, as `search` computes it (useful to check a single pair)."""
    a: Sequence[str]  # characters of Chinese, words of English
    b: Sequence[str]
    if has_han(query):
        a, b = fold(query.strip()), fold(text)  # the query is stripped, the memory's text taken as stored
    else:
        a, b = word_tokens(fold(query)), word_tokens(fold(text))
    return round(100 * Levenshtein.normalized_similarity(a, b), 2)


Part = tuple[MemoryText, tuple[Sequence[str], Sequence[str]]]
"""One searchable part of a memory: its text and indexes, with its unfolded (zh, en) texts."""
OrderKey = Callable[[int, int], Any]
"""The memory-order key of (part, doc), to merge hits of several parts as one memory would rank them."""


def search(
    memory: MemoryText,
    query: str,
    originals: tuple[Sequence[str], Sequence[str]],
    *,
    k: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[FuzzyMatch]:
    """The k best matches at or above min_score, best first; exact matches first among equals.

    `originals` are the unfolded (zh, en) texts, used to report exactness and the diff in the user's own text.
    """
    return [m for _, m in search_parts([(memory, originals)], query, k=k, min_score=min_score)]


def search_parts(
    parts: Sequence[Part],
    query: str,
    *,
    k: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
    order: OrderKey | None = None,
) -> list[tuple[int, FuzzyMatch]]:
    """`search` over a memory held in several parts (index segments): (part, match), ranked as one memory.

    Scores do not depend on the index, and each part's filters keep every unit within the threshold, so
    the union of each part's best `k + _TIE_ROOM` holds the whole memory's; ties go by `order`.
    """
    query = query.strip()
    if not query or k <= 0:
        return []
    threshold = max(min_score, 1.0) / 100
    lang = Lang.ZH if has_han(query) else Lang.EN
    limit = k + _TIE_ROOM
    key: OrderKey = order or (lambda part, doc: (part, doc))
    found: list[tuple[float, int, int]] = []
    for i, (memory, _) in enumerate(parts):
        if lang is Lang.ZH:
            side, q = memory.zh_chars, fold(query)
        else:
            side, q = memory.en_words, memory.vocab.encode_query(word_tokens(fold(query)))
        if not q:
            return []
        found += [(score, i, doc) for doc, score in _verify(side, q, threshold, limit, memory.dead)]
    if len(parts) > 1:
        found = sorted(found, key=lambda h: (-h[0], key(h[1], h[2])))[:limit]
    side_of = 0 if lang is Lang.ZH else 1
    ranked = sorted(
        ((score, parts[i][1][side_of][doc].strip() == query, i, doc) for score, i, doc in found),
        key=lambda h: (-h[0], not h[1], key(h[2], h[3])),
    )[:k]
    return [
        (i, FuzzyMatch(doc, score, lang, exact, diff(query, parts[i][1][side_of][doc], lang)))
        for score, exact, i, doc in ranked
    ]


def _verify(
    side: SideUnits, q: str, threshold: float, limit: int, dead: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Exact scores of the candidates that pass the filters (and are not dead), the best `limit` of them."""
    cand = side.fuzzy_candidates(q, threshold)
    if dead is not None and len(cand):
        cand = cand[~dead[cand]]
    if len(cand) == 0:
        return []
    choices = side.pick(cand)
    found = process.extract(
        q, choices, scorer=Levenshtein.normalized_similarity, processor=None, score_cutoff=threshold - 1e-9, limit=limit
    )
    return [(int(cand[i]), round(100 * s, 2)) for _, s, i in found]


def diff(query: str, text: str, lang: Lang) -> tuple[DiffOp, ...]:
    """The edit script from query to text (characters for Chinese, words for English), on folded forms."""
    if lang is Lang.ZH:
        a, b = fold(query), fold(text)
        spans_a = [(i, i + 1) for i in range(len(a))]
        spans_b = [(i, i + 1) for i in range(len(b))]
        seq_a: Sequence[str] = a  # characters of Chinese, words of English
        seq_b: Sequence[str] = b
    else:
        fa, fb = fold(query), fold(text)
        spans_a = [m.span() for m in WORD.finditer(fa)]
        spans_b = [m.span() for m in WORD.finditer(fb)]
        seq_a, seq_b = [fa[s:e] for s, e in spans_a], [fb[s:e] for s, e in spans_b]
    return tuple(
        DiffOp(
            cast(Op, op.tag),
            _piece(query, spans_a, op.src_start, op.src_end),
            _piece(text, spans_b, op.dest_start, op.dest_end),
        )
        for op in Levenshtein.opcodes(seq_a, seq_b)
    )


def _piece(text: str, spans: list[tuple[int, int]], i: int, j: int) -> str:
    """The original text covered by units i..j-1 (fold keeps offsets, so folded spans index the original)."""
    return text[spans[i][0] : spans[j - 1][1]] if j > i else ""
