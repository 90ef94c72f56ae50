"""How the value types become rows and back, shared by the repository and the modules that edit the store.

Public so that store/editing.py, store/documents.py and store/decisions.py write the same columns as the
repository does, without reaching into its private helpers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row

from termtm.model import Concept, ParaKind, Provenance, Segment, Status
from termtm.store.schema import audit, concepts, terms


def segment_row(s: Segment) -> dict[str, object]:
    """The columns of a segment (without its TMX dates, which the writer stamps)."""
    return {
        "tuid": s.tuid,
        "zh": s.zh,
        "en": s.en,
        "document": s.document,
        "article": s.article,
        "paragraph": s.paragraph,
        "sentence": s.sentence,
        "kind": s.kind.value,
        "provenance": s.provenance.value,
        "status": s.status.value,
        "origin": s.props.get("origin", ""),
        "note": s.note,
    }


def segment_from_row(r: Row[Any]) -> Segment:
    """A segment back from a row of the segments table."""
    return Segment(
        tuid=r.tuid,
        zh=r.zh,
        en=r.en,
        document=r.document,
        article=r.article,
        paragraph=r.paragraph,
        sentence=r.sentence,
        kind=ParaKind(r.kind),
        provenance=Provenance(r.provenance),
        status=Status(r.status),
        note=r.note,
        props={"origin": r.origin} if r.origin else {},
    )


def insert_concept(conn: Connection, c: Concept, collection: str, pos: int) -> None:
    """Insert a concept and its terms in their order (the caller has removed any older copy)."""
    conn.execute(
        concepts.insert().values(
            id=c.id,
            collection=collection,
            position=pos,
            subject=c.subject,
            definition=c.definition,
            note=c.note,
            origin=c.origin,
            changedate=c.changedate,
            changeid=c.changeid,
        )
    )
    conn.execute(
        terms.insert(),
        [
            {
                "concept_id": c.id,
                "position": n,
                "lang": t.lang,
                "text": t.text,
                "type": t.type,
                "status": t.status.value,
                "pos": t.pos,
                "pinyin": t.pinyin,
                "note": t.note,
            }
            for n, t in enumerate(c.terms)
        ],
    )


def write_audit(
    conn: Connection, when: str, user: str, action: str, kind: str, key: str, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Record one change (old and new state as JSON) in the audit log, inside the writer's transaction."""
    conn.execute(
        audit.insert().values(
            at=when,
            user=user,
            action=action,
            kind=kind,
            key=key,
            old=json.dumps(old, ensure_ascii=False),
            new=json.dumps(new, ensure_ascii=False),
        )
    )
