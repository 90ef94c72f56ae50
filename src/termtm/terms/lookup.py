"""Term lookup by Chinese, English or pinyin, ranked so that the best concept comes first.

The ranking follows what a translator expects from a search box: an exact term
beats a term that starts with the query, which beats one that merely contains
it; a pasted sentence finds the terms inside it. Pinyin is matched in the
style it was typed in (tone marks, tone numbers, plain, initials).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from termtm.corpus.script import has_han, simplify
from termtm.model import Concept, Term, TermBase, TermStatus
from termtm.terms.pinyin import pinyin_keys, query_key
from termtm.terms.recognize import Recognizer, normalize_zh, tokenize_en


@dataclass(frozen=True, slots=True)
class TermHit:
    """A concept found by a query, with the term that matched best and its score (0–100)."""

    concept: Concept
    term: Term
    score: float


class TermIndex:
    """A term base prepared for lookup: normalised keys for every term, and a recogniser."""

    def __init__(self, termbase: TermBase) -> None:
        self.termbase = termbase
        self.recognizer = Recognizer(termbase)
        self._zh = [(c, t, normalize_zh(t.text)[0]) for c, t in termbase.terms() if has_han(t.text)]
        self._en = [(c, t, " ".join(w for w, _, _ in tokenize_en(t.text))) for c, t in termbase.terms()]
        self._py = [(c, t, pinyin_keys(t.pinyin)) for c, t in termbase.terms("zh") if t.pinyin and has_han(t.text)]

    def lookup(self, query: str, limit: int = 10) -> list[TermHit]:
        """Concepts matching the query, best first, at most `limit`."""
        q = unicodedata.normalize("NFKC", query).strip()
        if not q:
            return []
        # The status bonus ranks (a preferred term's concept wins a tie) but is not added to the score shown,
        # which stays a 0-100 match quality: a score above 100 reads as a bug.
        best: dict[str, tuple[float, TermHit]] = {}
        for hit in self._candidates(q):
            adjusted = hit.score + _status_bonus(hit.term)
            prev = best.get(hit.concept.id)
            if prev is None or adjusted > prev[0]:
                best[hit.concept.id] = (adjusted, hit)
        order = {c.id: n for n, c in enumerate(self.termbase)}
        ranked = sorted(best.values(), key=lambda ah: (-ah[0], len(ah[1].term.text), order[ah[1].concept.id]))
        return [hit for _, hit in ranked[:limit]]

    def _candidates(self, q: str) -> Iterator[TermHit]:
        if has_han(q):
            simple = simplify(q)
            yield from self._match_zh(normalize_zh(simple)[0])
            for m in self.recognizer.find_zh(simple):
                yield TermHit(m.concept, m.term, 50 + 10 * min(1.0, m.length / max(len(q), 1)))
            return
        yield from self._match_en(" ".join(w for w, _, _ in tokenize_en(q)))
        yield from self._match_pinyin(q)
        for m in self.recognizer.find_en(q):
            yield TermHit(m.concept, m.term, 50 + 10 * min(1.0, m.length / max(len(q), 1)))

    def _match_zh(self, key: str) -> Iterator[TermHit]:
        for c, t, k in self._zh:
            if k == key:
                yield TermHit(c, t, 100)
            elif k.startswith(key):
                yield TermHit(c, t, 90 - min(10, len(k) - len(key)) / 2)
            elif key in k:
                yield TermHit(c, t, 75 - min(10, len(k) - len(key)) / 2)

    def _match_en(self, key: str) -> Iterator[TermHit]:
        if not key:
            return
        for c, t, k in self._en:
            if k == key:
                yield TermHit(c, t, 100)
            elif k.startswith(key):
                yield TermHit(c, t, 88 - min(10, len(k) - len(key)) / 4)
            elif f" {key}" in f" {k}":
                yield TermHit(c, t, 72 - min(10, len(k) - len(key)) / 4)

    def _match_pinyin(self, q: str) -> Iterator[TermHit]:
        qk = query_key(q)
        if qk is None:
            return
        style, key = qk
        if len(key) < 2:
            return
        for c, t, keys in self._py:
            k = keys[style]
            if k == key:
                yield TermHit(c, t, 97)
            elif len(key) >= 3 and k.startswith(key):
                yield TermHit(c, t, 84 - min(10, len(k) - len(key)) / 4)
            elif style == "plain" and keys["initials"] == key:
                yield TermHit(c, t, 80)
            elif style == "plain" and len(key) >= 3 and keys["initials"].startswith(key):
                yield TermHit(c, t, 70)


def _status_bonus(term: Term) -> float:
    """Prefer the preferred term's concept on ties; a deprecated match still shows, lower."""
    return {TermStatus.PREFERRED: 1.0, TermStatus.ADMITTED: 0.5, TermStatus.DEPRECATED: -3.0}[term.status]
