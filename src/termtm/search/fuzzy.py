"""CAT-style fuzzy matches: a percentage from Levenshtein distance over characters (Chinese) or words (English).

Candidates come from the n-gram index in `corpus` (length and count filters), so a lookup verifies a few
hundred segments rather than the whole memory; rapidfuzz computes the distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

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
    if has_han(query):
        a, b = fold(query.strip()), fold(text)  # the query is stripped, the memory's text taken as stored
    else:
        a, b = word_tokens(fold(query)), word_tokens(fold(text))  # type: ignore[assignment]
    return round(100 * Levenshtein.normalized_similarity(a, b), 2)


def search(
    memory: MemoryText,
    query: str,
    originals: tuple[list[str], list[str]],
    *,
    k: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[FuzzyMatch]:
    """The k best matches at or above min_score, best first; exact matches first among equals.

    `originals` are the unfolded (zh, en) texts, used to report exactness and the diff in the user's own text.
    """
    query = query.strip()
    if not query or k <= 0:
        return []
    threshold = max(min_score, 1.0) / 100
    if has_han(query):
        lang, side, q = Lang.ZH, memory.zh_chars, fold(query)
    else:
        lang, side = Lang.EN, memory.en_words
        q = memory.vocab.encode_query(word_tokens(fold(query)))
    if not q:
        return []
    texts = originals[0] if lang is Lang.ZH else originals[1]
    hits = _verify(side, q, threshold, k + _TIE_ROOM)
    ranked = sorted(
        ((score, texts[doc].strip() == query, doc) for doc, score in hits), key=lambda h: (-h[0], not h[1], h[2])
    )[:k]
    return [FuzzyMatch(doc, score, lang, exact, diff(query, texts[doc], lang)) for score, exact, doc in ranked]


def _verify(side: SideUnits, q: str, threshold: float, limit: int) -> list[tuple[int, float]]:
    """Exact scores of the candidates that pass the filters, the best `limit` of them."""
    cand = side.fuzzy_candidates(q, threshold)
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
        seq_a, seq_b = a, b
    else:
        fa, fb = fold(query), fold(text)
        spans_a = [m.span() for m in WORD.finditer(fa)]
        spans_b = [m.span() for m in WORD.finditer(fb)]
        seq_a, seq_b = [fa[s:e] for s, e in spans_a], [fb[s:e] for s, e in spans_b]  # type: ignore[assignment]
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
