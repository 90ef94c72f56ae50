"""The term base's deprecated variants as OCR correction candidates for the document cleaner.

The glossary records the misreadings met in earlier documents (渭公河 for
湄公河, COMMII for COMMIT) as deprecated terms; in a new document the same
misreading is likely again. The cleaner proposes them, a reviewer decides.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from termtm.corpus.reflow import Variant
from termtm.model import TermBase, TermStatus


def ocr_variants(termbase: TermBase) -> list[Variant]:
    """Every deprecated term with the allowed term of its concept and language that is nearest in spelling.

    The nearest form (fewest edits; the preferred term on a tie) is what a
    misreading stands for: 渭公河次区域合作反拐进程 → 湄公河次区域合作反拐进程, not the
    concept's long preferred name.
    """
    out: list[Variant] = []
    for concept in termbase:
        for term in concept.terms:
            if term.status is not TermStatus.DEPRECATED:
                continue
            allowed = concept.allowed(term.lang)
            if not allowed:
                continue
            best = min(allowed, key=lambda t: (Levenshtein.distance(t.text, term.text), t is not allowed[0]))
            reason = f"deprecated variant of {concept.id}" + (f": {term.note}" if term.note else "")
            out.append(Variant(term.text, best.text, reason))
    return out
