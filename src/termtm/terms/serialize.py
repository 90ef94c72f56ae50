"""The JSON shape of a concept, shared by `termtm terms lookup --json` and the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from termtm.model import Concept, Segment, Term


def term_json(term: Term) -> dict[str, Any]:
    """A term; pinyin only on Chinese terms."""
    out: dict[str, Any] = {"lang": term.lang, "text": term.text}
    if term.lang == "zh":
        out["pinyin"] = term.pinyin
    out |= {"type": term.type, "status": term.status.value, "pos": term.pos}
    if term.note:
        out["note"] = term.note
    return out


def concept_json(
    concept: Concept,
    tuids: Sequence[str],
    segment: Callable[[str], Segment | None],
    limit: int = 5,
    score: float | None = None,
) -> dict[str, Any]:
    """A concept with its terms and up to `limit` memory contexts."""
    contexts = []
    for tuid in tuids[:limit]:
        seg = segment(tuid)
        if seg is not None:
            contexts.append({"tuid": tuid, "zh": seg.zh, "en": seg.en})
    out: dict[str, Any] = {
        "id": concept.id,
        "subject": concept.subject,
        "definition": concept.definition,
        "note": concept.note,
        "terms": [term_json(t) for t in concept.terms],
        "contexts": contexts,
    }
    if score is not None:
        out["score"] = round(score, 1)
    return out


def deprecated_reason(term: Mapping[str, Any], terms: Sequence[Mapping[str, Any]]) -> str:
    """Why a deprecated term is deprecated, in words: "OCR error for COMMIT", or "use 湄公河 instead".

    The term it stands for is the allowed term of the concept closest in spelling (COMMII → COMMIT),
    so that the reason names the form a translator should type.
    """
    from rapidfuzz.fuzz import ratio

    allowed = [t for t in terms if t["status"] != "deprecated"]
    if not allowed:
        return term.get("note", "") or "deprecated"
    instead = max(allowed, key=lambda t: (ratio(t["text"], term["text"]), t["status"] == "preferred"))["text"]
    note = term.get("note", "") or ""
    if "ocr" in note.lower():
        return f"OCR error for {instead}"
    if note:
        return f"{note.rstrip('.')}; use {instead}"
    return f"use {instead} instead"
