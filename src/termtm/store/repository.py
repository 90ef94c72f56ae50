"""The memory store: segments in, segments out, all-or-nothing writes."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Select, create_engine, event, func, select, text

from termtm.errors import TermTMError
from termtm.faults import checkpoint
from termtm.model import Concept, Segment, Term, TermBase, TermStatus
from termtm.safetext import NAME, check_field
from termtm.store.checks import check_concept, check_segment
from termtm.store.rows import insert_concept, segment_from_row, segment_row
from termtm.store.schema import MEMORY_ORDER, changes, concepts, counters, segments, term_contexts, terms

if TYPE_CHECKING:
    import sqlite3


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """A stored segment with its TMX dates and, once an editor changed it, who did (TMX changeid)."""

    segment: Segment
    creationdate: str
    changedate: str
    changeid: str = ""


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def beside_store(url: str, suffix: str, default: Path) -> Path:
    """Where derived data (the semantic index) lives: NAME.suffix beside a SQLite file NAME.db, else `default`.

    Keeping it beside its own store means that `--db other.db` never touches the default store's index.
    """
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).with_suffix(suffix)
    return default


def open_store(url: str) -> Store:
    """Open the store at a SQLAlchemy URL, creating it or upgrading its schema to the latest revision."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    migrate(engine)
    return Store(engine)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic revisions up to `revision`, in one transaction.

    A database made by create_all before migrations existed has the tables but no alembic_version:
    the first revision adopts it (it creates only the missing tables). On PostgreSQL an advisory lock
    makes processes that open one store at the same time migrate it one after the other.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('termtm-migrate'))"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    """WAL lets readers (the web app) run while a build writes; foreign keys on for integrity.

    The driver's own transaction handling is switched off (isolation_level None) so that _sqlite_begin
    starts every transaction: sqlite3 would otherwise commit before DDL, and a failed migration stay half done.
    """
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


class Store:
    """Repository over one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def replace_document(self, document: str, segs: Sequence[Segment], when: str) -> tuple[int, int, int]:
        """Make the stored segments of `document` equal to `segs`, in one transaction.

        Unchanged segments keep their dates; changed ones get `when` as changedate; a segment an editor
        changed keeps the editor's translation and status (only its position follows the source), so
        that a rebuild never undoes an edit. Returns (added, changed, removed) so that a rebuild can say
        what it did. Every segment is checked (store.checks) before anything is written.
        """
        check_field("the document name", document, NAME)
        for seg in segs:
            check_segment(seg)
        with self.engine.begin() as conn:
            old = {r.tuid: r for r in conn.execute(select(segments).where(segments.c.document == document))}
            _refuse_taken_tuids(conn, document, [s.tuid for s in segs if s.tuid not in old])
            added = changed = 0
            touched: list[str] = []
            for seg in segs:
                row = segment_row(seg)
                prev = old.pop(seg.tuid, None)
                if prev is not None and prev.changeid:
                    row = {k: v for k, v in row.items() if k not in _EDITED}
                if prev is None:
                    conn.execute(segments.insert().values(**row, creationdate=when, changedate=when))
                    added += 1
                    touched.append(seg.tuid)
                elif any(getattr(prev, k) != v for k, v in row.items()):
                    values = row if prev.changeid else {**row, "changedate": when}
                    conn.execute(segments.update().where(segments.c.id == prev.id).values(**values))
                    changed += 1
                    touched.append(seg.tuid)
            if old:
                conn.execute(segments.delete().where(segments.c.tuid.in_(list(old))))
            if added or changed or old:
                bump_version(conn, [*touched, *old])
            checkpoint("import.commit")
        return added, changed, len(old)

    def version(self) -> int:
        """The store's version stamp: it goes up with every change that lookups would see.

        A served process reads it before every request, so it goes to the driver directly: through a
        SQLAlchemy connection (checkout, begin, compiled select, rollback) it cost 260 µs, a tenth of a
        fuzzy lookup; a pooled driver connection and one plain SELECT cost 27 µs.
        """
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(_VERSION_SQL)
            row = cursor.fetchone()
            cursor.close()
        finally:
            conn.close()  # back to the pool, which rolls the read back
        return int(row[0]) if row and row[0] is not None else 0

    def changed_between(self, since: int | None, until: int) -> set[str] | None:
        """The tuids of the segments that the changes after version `since` up to `until` touched, or None
        when the journal cannot say (a change that did not list them, or versions it no longer keeps)."""
        if since is None or since > until:
            return None
        if since == until:
            return set()
        q = select(changes.c.tuids).where(changes.c.version > since, changes.c.version <= until)
        with self.engine.connect() as conn:
            listed = [r.tuids for r in conn.execute(q)]
        if len(listed) != until - since or any(t is None for t in listed):
            return None
        return {tuid for t in listed for tuid in json.loads(t)}

    def identity(self) -> int:
        """A random number drawn the first time it is asked for, and kept: tells this store from any other.

        Derived files kept outside the database (the semantic index) record it, so that a command run
        against another store never mistakes them for its own.
        """
        key = counters.c.key == "store_id"
        with self.engine.begin() as conn:
            value = conn.execute(select(counters.c.value).where(key)).scalar()
            if value is None:
                value = secrets.randbelow(2**31 - 2) + 1
                conn.execute(counters.insert().values(key="store_id", value=value))
        return int(value)

    def records(self, document: str | None = None) -> Iterator[SegmentRecord]:
        """Stored segments in document order."""
        q = select(segments).order_by(*MEMORY_ORDER)
        if document:
            q = q.where(segments.c.document == document)
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                yield SegmentRecord(segment_from_row(r), r.creationdate, r.changedate, r.changeid)

    def texts(self, document: str | None = None, tuids: Collection[str] | None = None) -> Iterator[SegmentTexts]:
        """(tuid, zh, en) of every stored segment (or one document's, or those of these tuids that are stored)
        in memory order: what the semantic index encodes, read without building Segments (at 1M segments:
        3.5 s instead of 20 s, inside an import)."""
        c = segments.c
        q = select(c.tuid, c.zh, c.en)
        if document is not None:
            q = q.where(c.document == document)
        with self.engine.connect() as conn:
            for r in memory_rows(conn, q, tuids):
                yield SegmentTexts._make(r)

    def article(self, document: str, article: str) -> list[Segment]:
        """Segments of one article in reading order: the context a segment page shows."""
        q = (
            select(segments)
            .where(segments.c.document == document, segments.c.article == article)
            .order_by(segments.c.paragraph, segments.c.sentence, segments.c.id)
        )
        with self.engine.connect() as conn:
            return [segment_from_row(r) for r in conn.execute(q)]

    def get(self, tuid: str) -> Segment | None:
        """One segment by tuid, or None."""
        with self.engine.connect() as conn:
            r = conn.execute(select(segments).where(segments.c.tuid == tuid)).first()
        return segment_from_row(r) if r else None

    def record(self, tuid: str) -> SegmentRecord | None:
        """One segment with its dates and changeid (what an edit form shows), or None."""
        with self.engine.connect() as conn:
            r = conn.execute(select(segments).where(segments.c.tuid == tuid)).first()
        return SegmentRecord(segment_from_row(r), r.creationdate, r.changedate, r.changeid) if r else None

    def count(self) -> int:
        """Number of stored segments."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(segments)).scalar_one())

    def documents(self) -> list[tuple[str, int]]:
        """Document ids with their segment counts."""
        with self.engine.connect() as conn:
            q = select(segments.c.document, func.count()).group_by(segments.c.document).order_by(segments.c.document)
            return [(d, int(n)) for d, n in conn.execute(q)]

    def concordance(self, phrase: str, limit: int = 20) -> list[Segment]:
        """Segments whose Chinese or English contains `phrase` (case-insensitive for English)."""
        like = f"%{phrase}%"
        q = (
            select(segments)
            .where(segments.c.zh.like(like) | func.lower(segments.c.en).like(like.lower()))
            .order_by(segments.c.document, segments.c.article, segments.c.paragraph, segments.c.sentence)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [segment_from_row(r) for r in conn.execute(q)]

    def replace_concepts(
        self,
        collection: str,
        items: Sequence[Concept],
        contexts: Callable[[TermBase], dict[tuple[str, str, str], list[str]]] | None = None,
    ) -> tuple[int, int, int]:
        """Make the stored concepts of `collection` equal to `items` in one transaction: (added, changed, removed).

        A concept id owned by another collection is refused, so that an import cannot overwrite the reviewed base.
        A concept an editor changed in the store (it has a changeid) is kept as the editor left it.
        Every concept is checked (store.checks) before anything is written. `contexts`, given the whole term
        base as it will be, finds every term's contexts; they are stored in the same transaction, so that a
        crash never leaves the new concepts without them.
        """
        check_field("the collection name", collection, NAME)
        for c in items:
            check_concept(c)
        with self.engine.begin() as conn:
            old = {c.id: c for c in self._load_concepts(conn, collection)}
            owners = dict(conn.execute(select(concepts.c.id, concepts.c.collection)).all())
            for c in items:
                if owners.get(c.id, collection) != collection:
                    raise TermTMError(
                        f"concept id {c.id!r} already belongs to {owners[c.id]!r}: rename it; nothing was imported"
                    )
            added = changed = 0
            for pos, c in enumerate(items):
                prev = old.pop(c.id, None)
                if prev is not None and (prev.changeid or prev == _with_collection(c, collection)):
                    conn.execute(concepts.update().where(concepts.c.id == c.id).values(position=pos))
                    continue
                if prev is not None:
                    conn.execute(concepts.delete().where(concepts.c.id == c.id))
                    changed += 1
                else:
                    added += 1
                insert_concept(conn, c, collection, pos)
            edited = [cid for cid, c in old.items() if c.changeid]
            removed = [cid for cid in old if cid not in edited]
            if removed:
                conn.execute(concepts.delete().where(concepts.c.id.in_(removed)))
            if contexts is not None:
                checkpoint("terms.contexts")
                _set_contexts(conn, contexts(TermBase(self._load_concepts(conn, None))))
            if added or changed or removed:
                bump_version(conn, ())  # the term base only: no segment changed
        return added, changed, len(removed)

    def termbase(self, collection: str | None = None) -> TermBase:
        """The stored term base (or one collection of it), in source order."""
        with self.engine.connect() as conn:
            return TermBase(self._load_concepts(conn, collection))

    def collections(self) -> list[tuple[str, int]]:
        """Term collections (glossary, imported files) with their concept counts."""
        with self.engine.connect() as conn:
            q = (
                select(concepts.c.collection, func.count())
                .group_by(concepts.c.collection)
                .order_by(concepts.c.collection)
            )
            return [(c, int(n)) for c, n in conn.execute(q)]

    @staticmethod
    def _load_concepts(conn: Connection, collection: str | None) -> list[Concept]:
        q = select(concepts).order_by(concepts.c.collection, concepts.c.position)
        if collection is not None:
            q = q.where(concepts.c.collection == collection)
        rows = list(conn.execute(q))
        by_concept: dict[str, list[Term]] = {r.id: [] for r in rows}
        tq = select(terms).order_by(terms.c.concept_id, terms.c.position)
        for t in conn.execute(tq):
            if t.concept_id in by_concept:
                by_concept[t.concept_id].append(
                    Term(t.lang, t.text, t.type, TermStatus(t.status), t.pos, t.pinyin, t.note)
                )
        return [
            Concept(
                r.id,
                r.subject,
                tuple(by_concept[r.id]),
                r.definition,
                r.note,
                r.collection,
                r.origin,
                r.changedate,
                r.changeid,
            )
            for r in rows
        ]

    def set_contexts(self, found: dict[tuple[str, str, str], list[str]]) -> int:
        """Replace all term contexts: (concept id, lang, term text) → tuids; return the number stored."""
        with self.engine.begin() as conn:
            return _set_contexts(conn, found)

    def contexts(self, concept_id: str | None = None) -> dict[tuple[str, str, str], list[str]]:
        """Stored contexts: (concept id, lang, term text) → tuids in memory order."""
        q = (
            select(terms.c.concept_id, terms.c.lang, terms.c.text, term_contexts.c.tuid)
            .join(term_contexts, term_contexts.c.term_id == terms.c.id)
            .order_by(terms.c.concept_id, terms.c.position, term_contexts.c.position)
        )
        if concept_id is not None:
            q = q.where(terms.c.concept_id == concept_id)
        out: dict[tuple[str, str, str], list[str]] = {}
        with self.engine.connect() as conn:
            for cid, lang, text, tuid in conn.execute(q):
                out.setdefault((cid, lang, text), []).append(tuid)
        return out


_EDITED = ("en", "status")
"""Segment fields that an editor's change owns: a rebuild leaves them as the editor left them."""


def _refuse_taken_tuids(conn: Connection, document: str, tuids: list[str]) -> None:
    """Refuse segments whose tuid another document holds (tuids are unique across the store)."""
    for start in range(0, len(tuids), 500):
        q = select(segments.c.tuid, segments.c.document).where(segments.c.tuid.in_(tuids[start : start + 500]))
        taken = conn.execute(q.where(segments.c.document != document).limit(1)).first()
        if taken is not None:
            raise TermTMError(
                f"the tuid {taken.tuid} is already in document {taken.document!r}: a tuid names one segment of "
                f"the whole store, so import {document!r} under another document name; nothing was imported"
            )


def _set_contexts(conn: Connection, found: dict[tuple[str, str, str], list[str]]) -> int:
    """Replace all term contexts inside the caller's transaction; raise the version only if they changed."""
    ids = {(r.concept_id, r.lang, r.text): r.id for r in conn.execute(select(terms))}
    rows = [
        {"term_id": ids[key], "tuid": tuid, "position": n}
        for key, tuids in found.items()
        if key in ids
        for n, tuid in enumerate(dict.fromkeys(tuids))
    ]
    have = {tuple(r) for r in conn.execute(select(term_contexts))}
    if have == {(r["term_id"], r["tuid"], r["position"]) for r in rows}:
        return len(rows)
    conn.execute(term_contexts.delete())
    if rows:
        conn.execute(term_contexts.insert(), rows)
    bump_version(conn, ())
    return len(rows)


class SegmentTexts(NamedTuple):
    """A segment's tuid and texts: the part of it the semantic index reads."""

    tuid: str
    zh: str
    en: str


_VERSION_SQL = f"SELECT value FROM {counters.name} WHERE key = 'version'"


def memory_rows(conn: Connection, q: Select, tuids: Collection[str] | None = None) -> Iterator[tuple]:
    """The rows of `q` (a select over segments) in memory order: all of them, streamed; or those of these
    tuids, read one IN clause at a time (under every driver's parameter limit) and sorted on the
    memory-order key (a few units: an index update from the store's journal)."""
    if tuids is None:
        yield from conn.execute(q.order_by(*MEMORY_ORDER)).yield_per(50_000)
        return
    n = len(q.selected_columns)
    keyed = q.add_columns(*MEMORY_ORDER)
    wanted = sorted(tuids)
    runs = (wanted[i : i + _IN_CLAUSE] for i in range(0, len(wanted), _IN_CLAUSE))
    rows = [r for run in runs for r in conn.execute(keyed.where(segments.c.tuid.in_(run)))]
    for r in sorted(rows, key=lambda r: tuple(r[n:])):
        yield tuple(r[:n])


_IN_CLAUSE = 500
"""Values in one IN (...) clause."""


JOURNAL_LIMIT = 10_000
"""Most tuids a change lists in the journal; a larger change is journalled as not listed (the indexes then
compare the whole memory, or take a new document whole)."""
JOURNAL_KEEP = 1_000
"""Versions the journal keeps: an index this many changes behind compares the whole memory instead."""


def bump_version(conn: Connection, touched: Collection[str] | None = None) -> None:
    """Raise the version stamp inside the writing transaction, so that it commits (or not) with the change,
    and journal the tuids of the segments the change `touched` (added, changed or removed; () when it
    changed none; None when the caller does not list them), for the indexes to update from those alone."""
    bumped = conn.execute(counters.update().where(counters.c.key == "version").values(value=counters.c.value + 1))
    if not bumped.rowcount:  # a store whose tables create_all made has no row yet
        conn.execute(counters.insert().values(key="version", value=1))
    version = int(conn.execute(select(counters.c.value).where(counters.c.key == "version")).scalar_one())
    listed = json.dumps(sorted(set(touched))) if touched is not None and len(touched) <= JOURNAL_LIMIT else None
    conn.execute(changes.delete().where(changes.c.version >= version))  # left by a counter set back by hand
    conn.execute(changes.insert().values(version=version, tuids=listed))
    conn.execute(changes.delete().where(changes.c.version <= version - JOURNAL_KEEP))


def _with_collection(c: Concept, collection: str) -> Concept:
    return Concept(c.id, c.subject, c.terms, c.definition, c.note, collection, c.origin)
