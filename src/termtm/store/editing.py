"""Editors' changes to the store: a segment's translation and status, a concept's terms; each one audited.

Every change runs in one transaction that also writes its audit entry (who, when, the old and the new
value) and raises the version stamp, so a change and its history are stored together or not at all.
A change states what the editor saw (the changedate of the row they opened): if someone else changed
the row since, the change is refused instead of silently overwriting theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError

from termtm.errors import TermTMError
from termtm.model import Concept, Status, TermStatus
from termtm.safetext import TEXT, check_field
from termtm.store.checks import check_concept, check_user_name
from termtm.store.repository import SegmentRecord, Store, bump_version
from termtm.store.rows import insert_concept, segment_from_row, write_audit
from termtm.store.schema import audit, concepts, segments, term_contexts, terms


class EditConflict(TermTMError):
    """Someone changed the row after the editor opened it."""


class NotFound(TermTMError):
    """The segment or concept to change is not in the store."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who made it, when, what it was, and the value before and after (as JSON objects)."""

    id: int
    at: str
    user: str
    action: str
    kind: str
    key: str
    old: dict[str, Any]
    new: dict[str, Any]

    def changed(self) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for each field that differs: what a history page shows."""
        fields = list(dict.fromkeys([*self.old, *self.new]))
        return [(f, self.old.get(f), self.new.get(f)) for f in fields if self.old.get(f) != self.new.get(f)]


def edit_segment(
    store: Store, tuid: str, *, en: str, status: Status, user: str, when: str, seen: str | None = None
) -> SegmentRecord:
    """Set a segment's English and status as `user`; `seen` is the changedate the editor's form showed."""
    if not en.strip():
        raise TermTMError("the translation is empty: type the English or leave the segment as it is")
    check_field("the English", en, TEXT)
    check_user_name(user)
    with _one_at_a_time(f"segment {tuid}"), store.engine.begin() as conn:
        row = conn.execute(select(segments).where(segments.c.tuid == tuid).with_for_update()).first()
        if row is None:
            raise NotFound(f"no segment {tuid!r} in the store")
        if seen is not None and row.changedate != seen:
            who = row.changeid or "a build or import"
            raise EditConflict(
                f"segment {tuid} was changed by {who} at {row.changedate}, after you opened it: reload and redo"
            )
        old = {"en": row.en, "status": row.status}
        new = {"en": en, "status": status.value}
        if old == new:
            return SegmentRecord(segment_from_row(row), row.creationdate, row.changedate, row.changeid)
        values = {"en": en, "status": status.value, "changedate": when, "changeid": user}
        conn.execute(segments.update().where(segments.c.id == row.id).values(**values))
        action = _ACTIONS.get(status, "edit") if old["en"] == en else "edit"
        write_audit(conn, when, user, f"segment.{action}", "segment", tuid, old, new)
        bump_version(conn, [tuid])
        fresh = conn.execute(select(segments).where(segments.c.id == row.id)).one()
    return SegmentRecord(segment_from_row(fresh), fresh.creationdate, fresh.changedate, fresh.changeid)


_ACTIONS = {Status.APPROVED: "approve", Status.REVIEWED: "review", Status.DRAFT: "reopen"}
"""What the history page calls a change of status alone."""


def save_concept(
    store: Store, concept: Concept, *, user: str, when: str, seen: str | None = None, new: bool = False
) -> Concept:
    """Store a concept as an editor left it (added, changed, or with a term deprecated), with its audit entry.

    `new` refuses an id already taken; otherwise the concept must exist and `seen` is the changedate the
    editor's form showed (the empty string for a concept nobody has edited yet).
    """
    check_user_name(user)
    with _one_at_a_time(f"concept {concept.id}"), store.engine.begin() as conn:
        row = conn.execute(select(concepts).where(concepts.c.id == concept.id).with_for_update()).first()
        if new and row is not None:
            raise TermTMError(f"concept id {concept.id!r} is taken: choose another")
        if not new and row is None:
            raise NotFound(f"no concept {concept.id!r} in the store")
        old = _concept_state(conn, concept.id) if row is not None else {}
        if row is not None and seen is not None and row.changedate != seen:
            raise EditConflict(
                f"concept {concept.id} was changed by {row.changeid} at {row.changedate}, after you opened it: "
                "reload and redo"
            )
        _check_terms(concept)  # after the conflict: an editor on a stale form learns that first
        check_concept(concept)
        stored = Concept(
            concept.id,
            concept.subject,
            concept.terms,
            concept.definition,
            concept.note,
            row.collection if row is not None else concept.collection,
            row.origin if row is not None else "",
            when,
            user,
        )
        position = row.position if row is not None else _next_position(conn, stored.collection)
        kept = _contexts_of(conn, concept.id)
        if row is not None:
            conn.execute(concepts.delete().where(concepts.c.id == concept.id))
        insert_concept(conn, stored, stored.collection, position)
        _restore_contexts(conn, concept.id, kept)
        state = _concept_state(conn, concept.id)
        if state != old:
            write_audit(conn, when, user, _concept_action(old, state), "concept", concept.id, old, state)
            bump_version(conn, ())  # a concept: no segment changed
    return stored


_LOCKED = ("locked", "busy", "deadlock", "could not serialize", "lock timeout", "lock not available")


@contextmanager
def _one_at_a_time(what: str) -> Iterator[None]:
    """Turn a write lock held by another editor's transaction (SQLite: "database is locked" after the busy
    timeout; PostgreSQL: a deadlock or lock timeout) into the refusal a stale form gets, instead of an error."""
    try:
        yield
    except OperationalError as err:
        if not any(word in str(err.orig).lower() for word in _LOCKED):
            raise
        raise EditConflict(
            f"{what} was changed by another editor at the same moment, after you opened it: reload and redo"
        ) from None


def history(store: Store, kind: str | None = None, key: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """Audit entries, newest first: all of them, or those of one segment or concept."""
    q = select(audit).order_by(audit.c.id.desc()).limit(limit)
    if kind:
        q = q.where(audit.c.kind == kind)
    if key:
        q = q.where(audit.c.key == key)
    with store.engine.connect() as conn:
        return [
            AuditEntry(r.id, r.at, r.user, r.action, r.kind, r.key, json.loads(r.old), json.loads(r.new))
            for r in conn.execute(q)
        ]


def _check_terms(concept: Concept) -> None:
    """A concept needs a non-deprecated term and no term twice in one language."""
    if not concept.id.strip():
        raise TermTMError("a concept needs an id")
    if not any(t.status is not TermStatus.DEPRECATED for t in concept.terms):
        raise TermTMError(f"concept {concept.id}: keep at least one term that is not deprecated")
    seen: set[tuple[str, str]] = set()
    for t in concept.terms:
        if t.lang not in ("zh", "en"):
            raise TermTMError(f"concept {concept.id}: unknown language {t.lang!r} (use zh or en)")
        if not t.text.strip():
            raise TermTMError(f"concept {concept.id}: a {t.lang} term is empty")
        if (t.lang, t.text) in seen:
            raise TermTMError(f"concept {concept.id}: the {t.lang} term {t.text!r} is there twice")
        seen.add((t.lang, t.text))


def _concept_state(conn: Connection, concept_id: str) -> dict[str, Any]:
    """A concept's editable fields as a JSON object: what the audit keeps before and after a change."""
    c = conn.execute(select(concepts).where(concepts.c.id == concept_id)).one()
    rows = conn.execute(select(terms).where(terms.c.concept_id == concept_id).order_by(terms.c.position))
    return {
        "subject": c.subject,
        "definition": c.definition,
        "note": c.note,
        "terms": [
            {"lang": t.lang, "text": t.text, "status": t.status, "pinyin": t.pinyin, "note": t.note} for t in rows
        ],
    }


def _concept_action(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Name the change for the history page: added, a term deprecated, or edited."""
    if not old:
        return "concept.add"
    before = {(t["lang"], t["text"]): t["status"] for t in old["terms"]}
    deprecated = [
        t for t in new["terms"] if t["status"] == "deprecated" and before.get((t["lang"], t["text"])) != "deprecated"
    ]
    return "term.deprecate" if deprecated and len(old["terms"]) == len(new["terms"]) else "concept.edit"


def _contexts_of(conn: Connection, concept_id: str) -> dict[tuple[str, str], list[str]]:
    """(lang, text) → tuids of a concept's terms, to carry over the terms an edit keeps."""
    q = (
        select(terms.c.lang, terms.c.text, term_contexts.c.tuid)
        .join(term_contexts, term_contexts.c.term_id == terms.c.id)
        .where(terms.c.concept_id == concept_id)
        .order_by(term_contexts.c.position)
    )
    out: dict[tuple[str, str], list[str]] = {}
    for lang, text, tuid in conn.execute(q):
        out.setdefault((lang, text), []).append(tuid)
    return out


def _restore_contexts(conn: Connection, concept_id: str, kept: dict[tuple[str, str], list[str]]) -> None:
    """Contexts for the saved terms: the old ones for a kept term, the first segments containing a new term.

    A new term's contexts come from a plain substring search (up to 20 segments); the next build replaces
    them with the recogniser's, which respects longer terms.
    """
    rows = []
    for term_id, lang, text in conn.execute(
        select(terms.c.id, terms.c.lang, terms.c.text).where(terms.c.concept_id == concept_id)
    ):
        tuids = kept.get((lang, text))
        if tuids is None:
            column = segments.c.zh if lang == "zh" else segments.c.en
            q = select(segments.c.tuid).where(column.contains(text, autoescape=True)).order_by(segments.c.id).limit(20)
            tuids = list(conn.execute(q).scalars())
        rows += [{"term_id": term_id, "tuid": t, "position": n} for n, t in enumerate(tuids)]
    if rows:
        conn.execute(term_contexts.insert(), rows)


def _next_position(conn: Connection, collection: str) -> int:
    last = conn.execute(select(concepts.c.position).where(concepts.c.collection == collection)).scalars().all()
    return max(last, default=-1) + 1
