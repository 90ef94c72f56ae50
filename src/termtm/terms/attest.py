"""Attestation: which memory segments show each term in use.

A term base is only trustworthy if its terms are the ones the memory uses.
Every Chinese term is looked up as a substring of the (normalised) Chinese
side of each segment; the hits become the term's contexts (TBX `context`
with the tuid as source), and a term with none is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from termtm.model import TermBase, TermStatus
from termtm.terms.recognize import normalize_zh, tokenize_en

Key = tuple[str, str, str]
"""(concept id, lang, term text)"""


@dataclass(frozen=True, slots=True)
class Unattested:
    """A term that no memory segment contains."""

    concept_id: str
    lang: str
    text: str
    status: TermStatus
    in_raw: bool


def find_contexts(termbase: TermBase, segments: Iterable[tuple[str, str, str]]) -> dict[Key, list[str]]:
    """(concept, lang, text) → tuids of the segments whose side of that language contains the term."""
    segs = [(tuid, normalize_zh(zh)[0], f" {' '.join(w for w, _, _ in tokenize_en(en))} ") for tuid, zh, en in segments]
    out: dict[Key, list[str]] = {}
    for concept, term in termbase.terms():
        if term.lang == "zh":
            key = normalize_zh(term.text)[0]
            hits = [tuid for tuid, zh, _ in segs if key and key in zh]
        else:
            words = " ".join(w for w, _, _ in tokenize_en(term.text))
            hits = [tuid for tuid, _, en in segs if words and f" {words} " in en]
        if hits:
            out[(concept.id, term.lang, term.text)] = hits
    return out


def unattested(termbase: TermBase, contexts: dict[Key, list[str]], raw: str = "") -> list[Unattested]:
    """Chinese terms with no context; `in_raw` tells whether the raw OCR source at least contains them."""
    raw_norm = normalize_zh(raw)[0]
    out = []
    for concept, term in termbase.terms("zh"):
        if (concept.id, "zh", term.text) not in contexts:
            key = normalize_zh(term.text)[0]
            out.append(Unattested(concept.id, "zh", term.text, term.status, bool(key) and key in raw_norm))
    return out


def concept_tuids(concept_id: str, termbase: TermBase, contexts: dict[Key, list[str]], lang: str = "zh") -> list[str]:
    """Tuids attesting any term of a concept in one language, in first-seen order."""
    concept = termbase.get(concept_id)
    if concept is None:
        return []
    seen: dict[str, None] = {}
    for t in concept.terms_in(lang):
        for tuid in contexts.get((concept_id, lang, t.text), []):
            seen.setdefault(tuid, None)
    return list(seen)
