"""The memory store: segments in, segments out, all-or-nothing writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select

from termtm.model import ParaKind, Provenance, Segment, Status
from termtm.store.schema import metadata, segments


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """A stored segment with its TMX dates."""

    segment: Segment
    creationdate: str
    changedate: str


def open_store(url: str) -> Store:
    """Open (and create if needed) the store at a SQLAlchemy URL."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return Store(engine)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    """WAL lets readers (the web app) run while a build writes; foreign keys on for integrity."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    """Repository over one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def replace_document(self, document: str, segs: Sequence[Segment], when: str) -> tuple[int, int, int]:
        """Make the stored segments of `document` equal to `segs`, in one transaction.

        Unchanged segments keep their dates; changed ones get `when` as changedate;
        returns (added, changed, removed) so that a rebuild can say what it did.
        """
        with self.engine.begin() as conn:
            old = {r.tuid: r for r in conn.execute(select(segments).where(segments.c.document == document))}
            added = changed = 0
            for seg in segs:
                row = _row(seg)
                prev = old.pop(seg.tuid, None)
                if prev is None:
                    conn.execute(segments.insert().values(**row, creationdate=when, changedate=when))
                    added += 1
                elif any(getattr(prev, k) != v for k, v in row.items()):
                    conn.execute(segments.update().where(segments.c.id == prev.id).values(**row, changedate=when))
                    changed += 1
            if old:
                conn.execute(segments.delete().where(segments.c.tuid.in_(list(old))))
        return added, changed, len(old)

    def records(self, document: str | None = None) -> Iterator[SegmentRecord]:
        """Stored segments in document order."""
        q = select(segments).order_by(
            segments.c.document, segments.c.article, segments.c.paragraph, segments.c.sentence, segments.c.id
        )
        if document:
            q = q.where(segments.c.document == document)
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                yield SegmentRecord(_segment(r), r.creationdate, r.changedate)

    def get(self, tuid: str) -> Segment | None:
        """One segment by tuid, or None."""
        with self.engine.connect() as conn:
            r = conn.execute(select(segments).where(segments.c.tuid == tuid)).first()
        return _segment(r) if r else None

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
            return [_segment(r) for r in conn.execute(q)]


def _row(s: Segment) -> dict[str, object]:
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
    }


def _segment(r: object) -> Segment:
    return Segment(
        tuid=r.tuid,  # type: ignore[attr-defined]
        zh=r.zh,  # type: ignore[attr-defined]
        en=r.en,  # type: ignore[attr-defined]
        document=r.document,  # type: ignore[attr-defined]
        article=r.article,  # type: ignore[attr-defined]
        paragraph=r.paragraph,  # type: ignore[attr-defined]
        sentence=r.sentence,  # type: ignore[attr-defined]
        kind=ParaKind(r.kind),  # type: ignore[attr-defined]
        provenance=Provenance(r.provenance),  # type: ignore[attr-defined]
        status=Status(r.status),  # type: ignore[attr-defined]
        props={"origin": r.origin} if r.origin else {},  # type: ignore[attr-defined]
    )
