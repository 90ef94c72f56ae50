"""Term base as CSV: UTF-8, one row per term, concept fields repeated on each row.

One row per term is what spreadsheet users and other tools (Weblate's
glossary CSV, memoQ's term base import) can read; the concept id groups the
rows back into concepts on import. Cells that a spreadsheet would run as a
formula are written with a leading apostrophe (see formats.cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from termtm.corpus.script import has_han
from termtm.errors import ParseError
from termtm.formats.cells import csv_text, restore
from termtm.formats.inputs import MAX_SEGMENT_CHARS, MAX_TERM_CHARS, Problems, csv_rows, decode_text, quoted, row_shape
from termtm.model import LANGS, TERM_TYPES, Concept, Term, TermBase, TermStatus
from termtm.safetext import NAME
from termtm.terms.pinyin import to_pinyin

COLUMNS = [
    "concept",
    "subject",
    "definition",
    "concept_note",
    "lang",
    "term",
    "pinyin",
    "type",
    "status",
    "pos",
    "term_note",
    "contexts",
]
_TEXT_COLUMNS = ("concept", "subject", "definition", "concept_note", "pinyin", "type", "pos", "term_note")
"""The columns besides lang and term that an import reads (contexts are recomputed from the memory)."""


def write_terms_csv(termbase: TermBase, contexts: Mapping[tuple[str, str, str], Sequence[str]]) -> bytes:
    """CSV bytes with a header row; `contexts` lists tuids, written space-separated."""
    rows: list[list[str]] = [COLUMNS]
    for c in termbase:
        for t in c.terms:
            tuids = " ".join(contexts.get((c.id, t.lang, t.text), ()))
            row = [
                c.id,
                c.subject,
                c.definition,
                c.note,
                t.lang,
                t.text,
                t.pinyin,
                t.type,
                t.status.value,
                t.pos,
                t.note,
            ]
            rows.append([*row, tuids])
    return csv_text(rows).encode("utf-8")


def read_terms_csv(data: bytes, name: str, prefix: str) -> list[Concept]:
    """Concepts from a term CSV (at least columns concept, lang, term), or a ParseError naming every bad row."""
    rows = csv_rows(decode_text(data, name), name)
    header = [h.strip().lower() for h in rows[0]]
    missing = sorted({"concept", "lang", "term"} - set(header))
    if missing:
        raise ParseError(
            f"{name}: a term CSV needs a header with columns concept, lang, term (missing: {', '.join(missing)})"
        )
    problems = Problems(name)
    grouped: dict[str, list[dict[str, str]]] = {}
    for n, row in enumerate(rows[1:], start=2):
        shape = row_shape(row, len(header))
        if shape:
            problems.add(f"row {n}", shape)
            continue
        record = {h: restore(cell) for h, cell in zip(header, row, strict=True)}
        if _row_ok(record, f"row {n}", problems):
            grouped.setdefault(record["concept"].strip() or f"row{n}", []).append(record)
    problems.raise_if_any()
    if not grouped:
        raise ParseError(f"{name} has a header but no terms")
    return [_concept(cid, rs, prefix) for cid, rs in grouped.items()]


def _row_ok(row: dict[str, str], where: str, problems: Problems) -> bool:
    """Record what is wrong with one term row; True when nothing is."""
    before = len(problems.items)
    lang = row["lang"].strip()
    if lang not in LANGS:
        problems.add(where, f"lang is {quoted(lang)}, not zh or en")
    problems.check(where, "the term", row["term"], MAX_TERM_CHARS)
    if row["concept"].strip():
        cid = row["concept"].strip()
        problems.check(where, f"concept id {quoted(cid)}", cid, kind=NAME)
    if (row.get("status") or "preferred") not in {s.value for s in TermStatus}:
        problems.add(where, f"status {quoted(row['status'])} is not preferred, admitted or deprecated")
    for column in _TEXT_COLUMNS:
        problems.check(where, f"column {quoted(column)}", row.get(column, ""), MAX_SEGMENT_CHARS, blank_ok=True)
    return len(problems.items) == before


def _concept(cid: str, rows: list[dict[str, str]], prefix: str) -> Concept:
    first = rows[0]
    terms: list[Term] = []
    for row in rows:
        lang, text = row["lang"].strip(), row["term"].strip()
        ttype = row.get("type") or "fullForm"
        status = TermStatus(
            row.get("status") or ("preferred" if not any(t.lang == lang for t in terms) else "admitted")
        )
        pinyin = row.get("pinyin") or (to_pinyin(text) if lang == "zh" and has_han(text) else "")
        terms.append(
            Term(
                lang,
                text,
                ttype if ttype in TERM_TYPES else "fullForm",
                status,
                row.get("pos") or "noun",
                pinyin,
                row.get("term_note") or "",
            )
        )
    cid = cid if prefix == "" else f"{prefix}-{cid}"
    return Concept(
        cid,
        first.get("subject") or "imported",
        tuple(terms),
        first.get("definition") or "",
        first.get("concept_note") or "",
    )
