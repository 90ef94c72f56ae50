"""Documents that editors add: their sentences, their alignment awaiting review, and each review operation.

A document is stored with the sentences of both sides and the beads the aligner proposed (state `review`).
Every operation a reviewer makes replaces the beads (and, for a correction, a sentence's text) in one
transaction that keeps what it replaced, so that it can be undone, and raises the document's revision.
An operation states the revision the reviewer saw, as a segment edit states the changedate it saw: if
someone else changed the alignment since, it is refused instead of overwriting their work. Committing
writes the beads into `segments` as units; removing deletes the document and its units. Both are audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from termtm.errors import TermTMError
from termtm.model import Segment
from termtm.store.editing import EditConflict, NotFound
from termtm.store.repository import Store, bump_version
from termtm.store.rows import segment_row, write_audit
from termtm.store.schema import document_beads, document_operations, document_sentences, documents, segments

REVIEW, COMMITTED = "review", "committed"
"""A document's states: its alignment waits for review, or its units are in the memory."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a side, with the paragraph it came from and whether that paragraph is a heading."""

    text: str
    paragraph: int = 0
    heading: bool = False


@dataclass(frozen=True, slots=True)
class StoredBead:
    """A bead: source and target sentence indices, the aligner's confidence (None when unknown or after a
    reviewer changed it) and whether a reviewer made it."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float | None = None
    reviewed: bool = False


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document's record: who added it when, its languages, its state and the revision of its alignment."""

    name: str
    src_lang: str
    tgt_lang: str
    origin: str
    added_by: str
    added_at: str
    state: str
    revision: int
    changedate: str
    changeid: str


@dataclass(frozen=True, slots=True)
class Alignment:
    """A document's sentences and beads at one revision; `undoable` counts the operations Undo can take back."""

    document: DocumentRecord
    src: list[Sentence]
    tgt: list[Sentence]
    beads: list[StoredBead]
    undoable: int


class Documents:
    """The documents of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[DocumentRecord]:
        """Every added document, by name."""
        with self.store.engine.connect() as conn:
            return [_record(r) for r in conn.execute(select(documents).order_by(documents.c.name))]

    def get(self, name: str) -> DocumentRecord | None:
        """One document's record, or None."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.name == name)).first()
        return _record(row) if row is not None else None

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Units in the memory per document and status: {document: {status: count}}."""
        q = select(segments.c.document, segments.c.status, func.count()).group_by(
            segments.c.document, segments.c.status
        )
        out: dict[str, dict[str, int]] = {}
        with self.store.engine.connect() as conn:
            for doc, status, n in conn.execute(q):
                out.setdefault(doc, {})[status] = int(n)
        return out

    def add(
        self,
        record: DocumentRecord,
        src: Sequence[Sentence],
        tgt: Sequence[Sentence],
        beads: Sequence[StoredBead],
    ) -> None:
        """Store a new document awaiting review; a name already used (here or in the memory) is refused."""
        with self.store.engine.begin() as conn:
            _check_free(conn, record.name)
            values = {k: getattr(record, k) for k in DocumentRecord.__dataclass_fields__}
            inserted = conn.execute(documents.insert().values(**values)).inserted_primary_key
            assert inserted is not None  # an INSERT of one row always reports its key
            doc_id = inserted[0]
            _insert_sentences(conn, doc_id, "src", src)
            _insert_sentences(conn, doc_id, "tgt", tgt)
            _insert_beads(conn, doc_id, beads)
            new: dict[str, Any] = {"src_lang": record.src_lang, "tgt_lang": record.tgt_lang, "origin": record.origin}
            new |= {"sentences": [len(src), len(tgt)], "beads": len(beads)}
            write_audit(conn, record.added_at, record.added_by, "document.add", "document", record.name, {}, new)

    def alignment(self, name: str) -> Alignment:
        """The document's sentences and beads as they stand."""
        with self.store.engine.connect() as conn:
            row = _document_row(conn, name)
            return _alignment(conn, row)

    def operations(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        """The review operations in force (not undone), oldest first, as (op, params)."""
        with self.store.engine.connect() as conn:
            row = _document_row(conn, name)
            q = (
                select(document_operations.c.op, document_operations.c.params)
                .where(document_operations.c.document_id == row.id, document_operations.c.undone.is_(False))
                .order_by(document_operations.c.id)
            )
            return [(str(op), json.loads(params or "{}")) for op, params in conn.execute(q)]

    def change(
        self,
        name: str,
        *,
        seen: int,
        op: str,
        params: dict[str, Any],
        beads: Sequence[StoredBead],
        texts: dict[tuple[str, int], str] | None = None,
        user: str,
        when: str,
    ) -> int:
        """Save one review operation: the beads it leaves and the sentence texts it corrects; the new revision.

        `seen` is the revision the reviewer's view showed: an alignment changed since is not overwritten.
        """
        with self.store.engine.begin() as conn:
            row = _locked(conn, name, seen)
            before: dict[str, list[Any]] = {"beads": [_bead_json(b) for b in _beads(conn, row.id)], "texts": []}
            for (side, pos), text in (texts or {}).items():
                old = conn.execute(
                    select(document_sentences.c.text).where(*_sentence_key(row.id, side, pos))
                ).scalar_one_or_none()
                if old is None:
                    raise NotFound(f"{name} has no {side} sentence {pos}")
                before["texts"].append([side, pos, old])
                conn.execute(document_sentences.update().where(*_sentence_key(row.id, side, pos)).values(text=text))
            revision = _replace_beads(conn, row, beads, op=op, params=params, before=before, user=user, when=when)
        return revision

    def undo(self, name: str, *, seen: int, user: str, when: str) -> str:
        """Take back the latest operation not yet undone; return its name."""
        with self.store.engine.begin() as conn:
            row = _locked(conn, name, seen)
            last = conn.execute(
                select(document_operations)
                .where(document_operations.c.document_id == row.id, document_operations.c.undone.is_(False))
                .order_by(document_operations.c.id.desc())
                .limit(1)
            ).first()
            if last is None:
                raise TermTMError(f"nothing to undo in {name}: the alignment is as the aligner proposed it")
            before = json.loads(last.before)
            for side, pos, text in before["texts"]:
                conn.execute(document_sentences.update().where(*_sentence_key(row.id, side, pos)).values(text=text))
            conn.execute(document_beads.delete().where(document_beads.c.document_id == row.id))
            _insert_beads(conn, row.id, [_bead_of(b) for b in before["beads"]])
            conn.execute(document_operations.update().where(document_operations.c.id == last.id).values(undone=True))
            _touch(conn, row.id, row.revision + 1, user, when)
        return str(last.op)

    def commit(self, name: str, units: Sequence[Segment], *, seen: int, user: str, when: str) -> None:
        """Write the reviewed units into the memory and mark the document committed, in one audited transaction."""
        with self.store.engine.begin() as conn:
            row = _locked(conn, name, seen)
            taken = conn.execute(select(func.count()).select_from(segments).where(segments.c.document == name))
            if taken.scalar_one():
                raise TermTMError(f"the memory already has units of document {name!r}: remove them first")
            if units:
                rows = [{**segment_row(u), "creationdate": when, "changedate": when, "changeid": ""} for u in units]
                conn.execute(segments.insert(), rows)
            conn.execute(
                documents.update()
                .where(documents.c.id == row.id)
                .values(state=COMMITTED, revision=row.revision + 1, changedate=when, changeid=user)
            )
            write_audit(conn, when, user, "document.commit", "document", name, {"state": REVIEW}, _state(units))
            bump_version(conn, [u.tuid for u in units])

    def reopen(
        self, name: str, beads: Sequence[StoredBead], *, seen: int | None, user: str, when: str
    ) -> tuple[int, int]:
        """Replace a document's alignment with a fresh one (re-align); a committed one leaves the memory and
        goes back to review. Returns (units removed from the memory, new revision); undoable like any operation."""
        with self.store.engine.begin() as conn:
            row = _locked(conn, name, seen, any_state=True)
            touched = _tuids(conn, name)
            removed = conn.execute(segments.delete().where(segments.c.document == name)).rowcount
            before = {"beads": [_bead_json(b) for b in _beads(conn, row.id)], "texts": []}
            revision = _replace_beads(conn, row, beads, op="realign", params={}, before=before, user=user, when=when)
            conn.execute(documents.update().where(documents.c.id == row.id).values(state=REVIEW))
            old = {"state": row.state, "units": removed}
            write_audit(
                conn, when, user, "document.realign", "document", name, old, {"state": REVIEW, "beads": len(beads)}
            )
            if removed:
                bump_version(conn, touched)
        return removed, revision

    def remove(self, name: str, *, user: str, when: str) -> int:
        """Delete a document, its alignment and all its units from the memory, in one audited transaction;
        return the number of units removed. A document imported or built (no record) can be removed too."""
        with self.store.engine.begin() as conn:
            row = conn.execute(select(documents).where(documents.c.name == name).with_for_update()).first()
            touched = _tuids(conn, name)
            removed = conn.execute(segments.delete().where(segments.c.document == name)).rowcount
            if row is None and not removed:
                raise NotFound(f"no document {name!r}: `termtm documents list` shows them")
            if row is not None:
                for table in (document_operations, document_beads, document_sentences):
                    conn.execute(table.delete().where(table.c.document_id == row.id))
                conn.execute(documents.delete().where(documents.c.id == row.id))
            old = {"state": row.state if row is not None else COMMITTED, "units": removed}
            write_audit(conn, when, user, "document.remove", "document", name, old, {})
            if removed:
                bump_version(conn, touched)
        return removed


def _check_free(conn: Connection, name: str) -> None:
    """A new document needs a name no document and no unit of the memory uses."""
    if not name.strip():
        raise TermTMError("a document needs a name")
    if conn.execute(select(documents.c.id).where(documents.c.name == name)).first() is not None:
        raise TermTMError(f"document {name!r} exists: choose another name, or remove it first")
    if conn.execute(select(segments.c.id).where(segments.c.document == name).limit(1)).first() is not None:
        raise TermTMError(f"the memory already has a document {name!r}: choose another name")


def _document_row(conn: Connection, name: str, lock: bool = False) -> Any:
    q = select(documents).where(documents.c.name == name)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound(f"no document {name!r}: `termtm documents list` shows them")
    return row


def _tuids(conn: Connection, name: str) -> list[str]:
    """The tuids of a document's units in the memory (for the journal, before they are removed)."""
    return [t for (t,) in conn.execute(select(segments.c.tuid).where(segments.c.document == name))]


def _locked(conn: Connection, name: str, seen: int | None, any_state: bool = False) -> Any:
    """The document's row, locked for this transaction, after the state and revision checks."""
    row = _document_row(conn, name, lock=True)
    if seen is not None and row.revision != seen:
        raise EditConflict(
            f"{name} was changed by {row.changeid or 'its import'} at {row.changedate} (revision {row.revision}), "
            f"after you opened revision {seen}: reload and redo"
        )
    if row.state != REVIEW and not any_state:
        raise TermTMError(f"{name} is committed: re-align it to review it again")
    return row


def _touch(conn: Connection, doc_id: int, revision: int, user: str, when: str) -> None:
    conn.execute(
        documents.update().where(documents.c.id == doc_id).values(revision=revision, changedate=when, changeid=user)
    )


def _state(units: Sequence[Segment]) -> dict[str, Any]:
    return {"state": COMMITTED, "units": len(units)}


def _sentence_key(doc_id: int, side: str, pos: int) -> tuple[Any, ...]:
    return (
        document_sentences.c.document_id == doc_id,
        document_sentences.c.side == side,
        document_sentences.c.position == pos,
    )


def _insert_sentences(conn: Connection, doc_id: int, side: str, sentences: Sequence[Sentence]) -> None:
    rows = [
        {
            "document_id": doc_id,
            "side": side,
            "position": n,
            "text": s.text,
            "paragraph": s.paragraph,
            "heading": s.heading,
        }
        for n, s in enumerate(sentences)
    ]
    if rows:
        conn.execute(document_sentences.insert(), rows)


def _insert_beads(conn: Connection, doc_id: int, beads: Sequence[StoredBead]) -> None:
    rows = [{"document_id": doc_id, "position": n, **_bead_json(b)} for n, b in enumerate(beads)]
    if rows:
        conn.execute(document_beads.insert(), rows)


def _bead_json(b: StoredBead) -> dict[str, Any]:
    return {
        "src": json.dumps(list(b.src)),
        "tgt": json.dumps(list(b.tgt)),
        "confidence": b.confidence,
        "reviewed": b.reviewed,
    }


def _bead_of(r: Any) -> StoredBead:
    get: Any = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
    return StoredBead(
        tuple(json.loads(get("src"))), tuple(json.loads(get("tgt"))), get("confidence"), bool(get("reviewed"))
    )


def _beads(conn: Connection, doc_id: int) -> list[StoredBead]:
    q = select(document_beads).where(document_beads.c.document_id == doc_id).order_by(document_beads.c.position)
    return [_bead_of(r) for r in conn.execute(q)]


def _alignment(conn: Connection, row: Any) -> Alignment:
    sides: dict[str, list[Sentence]] = {"src": [], "tgt": []}
    q = (
        select(document_sentences)
        .where(document_sentences.c.document_id == row.id)
        .order_by(document_sentences.c.side, document_sentences.c.position)
    )
    for s in conn.execute(q):
        sides[s.side].append(Sentence(s.text, s.paragraph, bool(s.heading)))
    undoable = conn.execute(
        select(func.count())
        .select_from(document_operations)
        .where(document_operations.c.document_id == row.id, document_operations.c.undone.is_(False))
    ).scalar_one()
    return Alignment(_record(row), sides["src"], sides["tgt"], _beads(conn, row.id), int(undoable))


def _record(r: Any) -> DocumentRecord:
    return DocumentRecord(
        r.name, r.src_lang, r.tgt_lang, r.origin, r.added_by, r.added_at, r.state, r.revision, r.changedate, r.changeid
    )


def _replace_beads(
    conn: Any,
    row: Any,
    beads: Sequence[StoredBead],
    *,
    op: str,
    params: dict[str, Any],
    before: dict[str, Any],
    user: str,
    when: str,
) -> int:
    """Store a document's new beads as one reviewable operation (what it replaced kept for undo); the new revision."""
    conn.execute(document_beads.delete().where(document_beads.c.document_id == row.id))
    _insert_beads(conn, row.id, beads)
    revision = row.revision + 1
    conn.execute(
        document_operations.insert().values(
            document_id=row.id,
            revision=revision,
            at=when,
            user=user,
            op=op,
            params=json.dumps(params, ensure_ascii=False),
            before=json.dumps(before, ensure_ascii=False),
            undone=False,
        )
    )
    _touch(conn, row.id, revision, user, when)
    return revision
