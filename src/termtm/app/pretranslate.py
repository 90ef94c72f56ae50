"""Pre-translation: a document as XLIFF 1.2 with the memory's matches in place and the term base's advice.

Each segment's best match at or above the minimum becomes its target, for the translator to review
(`needs-review-translation`, qualified `exact-match`, `leveraged-tm` for a 100% match that differs only
by width, case or script, or `fuzzy-match`); an identical match in context (101%) is `translated`. Up
to three matches at or above the minimum go in as <alt-trans>, and every recognised term as a <note>
with its preferred rendering and the deprecated ones to avoid. A segment without a match keeps an
empty target (`new`). The matches are the analysis's, so both agree segment by segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import termtm
from termtm.app.analysis import Analysis, SegmentAnalysis, analyze
from termtm.formats.xliff import AltTrans, XliffUnit, write_xliff
from termtm.model import Lang, TermBase, TermStatus
from termtm.terms.recognize import Recognizer

if TYPE_CHECKING:
    from termtm.app.sources import SourceDocument
    from termtm.search import FuzzyHit, Searcher

DEFAULT_MIN = 75.0
"""The lowest match used as a target: below 75% most CAT price grids pay the full rate anyway."""


@dataclass(frozen=True, slots=True)
class Pretranslation:
    """The XLIFF bytes, the analysis they come from, and counts for the command's summary line."""

    xliff: bytes
    analysis: Analysis
    units: int
    filled: int
    exact: int
    fuzzy: int
    noted: int


def pretranslate(
    doc: SourceDocument,
    searcher: Searcher,
    termbase: TermBase,
    *,
    min_score: float = DEFAULT_MIN,
    analysis: Analysis | None = None,
) -> Pretranslation:
    """Analyse `doc` (unless its analysis is given, made with the same min_score) and write its XLIFF.

    Nothing enters the memory.
    """
    analysis = analysis or analyze(doc, searcher, min_score=min_score)
    notes = TermNotes(termbase, doc.src, doc.tgt)
    units = [_unit(s, doc.src, min_score, notes) for s in analysis.segments]
    xliff = write_xliff(units, original=doc.name, src=doc.src, tgt=doc.tgt, version=termtm.__version__)
    filled = [u for u in units if u.target]
    exact = sum(1 for u in filled if u.qualifier in ("exact-match", "leveraged-tm"))
    return Pretranslation(
        xliff, analysis, len(units), len(filled), exact, len(filled) - exact, sum(1 for u in units if u.notes)
    )


def _unit(seg: SegmentAnalysis, src: Lang, min_score: float, notes: TermNotes) -> XliffUnit:
    """One trans-unit: the best match at or above min_score as target, the others as alternatives."""
    kept = [m for m in seg.matches if m.score >= min_score]
    alts = tuple(AltTrans(m.score, *_sides(m, src)) for m in kept[:3])
    base = XliffUnit(str(seg.index + 1), seg.text, alts=alts, notes=notes.for_text(seg.text))
    if not kept:
        return base
    best = kept[0]
    target = _sides(best, src)[1]
    if seg.context:
        return _with(base, target, "translated", "exact-match")
    if best.score == 100.0:
        return _with(base, target, "needs-review-translation", "exact-match" if best.exact else "leveraged-tm")
    return _with(base, target, "needs-review-translation", "fuzzy-match")


def _with(unit: XliffUnit, target: str, state: str, qualifier: str) -> XliffUnit:
    return XliffUnit(unit.id, unit.source, target, state, qualifier, unit.alts, unit.notes)


def _sides(hit: FuzzyHit, src: Lang) -> tuple[str, str]:
    """(source, target) of a memory segment for a document in language `src`."""
    return (hit.segment.zh, hit.segment.en) if src is Lang.ZH else (hit.segment.en, hit.segment.zh)


class TermNotes:
    """Notes on the terms recognised in a source text: preferred target term, deprecated ones to avoid."""

    def __init__(self, termbase: TermBase, src: Lang, tgt: Lang) -> None:
        self.recognizer = Recognizer(termbase)
        self.src = src.short
        self.tgt = tgt.short
        self._cache: dict[str, tuple[str, ...]] = {}

    def for_text(self, text: str) -> tuple[str, ...]:
        """One note per concept found in `text`, in order of appearance (each concept once)."""
        if text not in self._cache:
            seen: dict[str, str] = {}
            for m in self.recognizer.find(text, self.src):
                if m.concept.id not in seen:
                    note = self._note(m.concept, text[m.start : m.end])
                    if note:
                        seen[m.concept.id] = note
            self._cache[text] = tuple(seen.values())
        return self._cache[text]

    def _note(self, concept, found: str) -> str | None:  # concept: termtm.model.Concept
        """'Term: 公安部 → Ministry of Public Security; avoid: …' or None when the concept has no target term."""
        preferred = concept.preferred(self.tgt)
        if preferred is None:
            return None
        avoid = [t.text for t in concept.terms_in(self.tgt) if t.status is TermStatus.DEPRECATED]
        note = f"Term: {found} → {preferred.text}"
        return note + (f"; avoid: {', '.join(avoid)}" if avoid else "") + f" [{concept.id}]"
