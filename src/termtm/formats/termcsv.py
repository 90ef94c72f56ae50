"""Term base as CSV: UTF-8, one row per term, concept fields repeated on each row.

One row per term is what spreadsheet users and other tools (Weblate's
glossary CSV, memoQ's term base import) can read; the concept id groups the
rows back into concepts on import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from termtm.corpus.script import has_han
from termtm.errors import ParseError
from termtm.terms.model import LANGS, TERM_TYPES, Concept, Term, TermBase, TermStatus
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


def write_terms_csv(termbase: TermBase, contexts: Mapping[tuple[str, str, str], Sequence[str]]) -> bytes:
    """CSV bytes with a header row; `contexts` lists tuids, written space-separated."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
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
            w.writerow([*row, tuids])
    return buf.getvalue().encode("utf-8")


def read_terms_csv(data: bytes, name: str, prefix: str) -> list[Concept]:
    """Concepts from a term CSV (at least columns concept, lang, term); every bad row is named."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParseError(f"{name} is not UTF-8 (byte {err.start}): convert it first; nothing was imported") from err
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = {"concept", "lang", "term"} - set(rows[0] if rows else {})
    if not rows or missing:
        raise ParseError(f"{name}: a term CSV needs a header with columns concept, lang, term (missing {missing})")
    grouped: dict[str, list[dict[str, str]]] = {}
    errors = []
    for n, row in enumerate(rows, start=2):
        if (row.get("lang") or "").strip() not in LANGS or not (row.get("term") or "").strip():
            errors.append(f"row {n}: lang must be zh or en and term non-empty")
            continue
        if (row.get("status") or "preferred") not in {s.value for s in TermStatus}:
            errors.append(f"row {n}: status {row['status']!r} is not preferred, admitted or deprecated")
            continue
        grouped.setdefault(row["concept"].strip() or f"row{n}", []).append(row)
    if errors:
        raise ParseError(f"{name}: " + "; ".join(errors[:10]) + "; nothing was imported")
    return [_concept(cid, rs, prefix) for cid, rs in grouped.items()]


def _concept(cid: str, rows: list[dict[str, str]], prefix: str) -> Concept:
    first = rows[0]
    terms = []
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
