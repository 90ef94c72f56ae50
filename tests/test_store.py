"""The store on SQLite and on PostgreSQL: migrations, all-or-nothing writes, round trips of real data.

Every test runs twice, on a SQLite file and on the PostgreSQL at 127.0.0.1:5432 (user postgres, database test),
in a schema of its own that the test drops afterwards. Without that server the PostgreSQL runs are skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from termtm.cli import main
from termtm.errors import TermTMError
from termtm.formats import read_memory
from termtm.model import Lang, Segment, Status
from termtm.store import open_store
from termtm.store.repository import MIGRATIONS, migrate
from termtm.store.schema import concepts, metadata, segments, term_contexts, terms
from termtm.terms import load_glossary
from termtm.terms.attest import find_contexts

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"segments", "concepts", "terms", "term_contexts"}


def _head() -> str:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head
    return head


def _version(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _bulletin(n: int | None = None) -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [
        Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i, status=Status.APPROVED)
        for i, u in enumerate(units[:n])
    ]


def test_migrations_create_every_table_at_head(store_url: str) -> None:
    store = open_store(store_url)
    names = set(sa.inspect(store.engine).get_table_names())
    assert names >= {*TABLES, "alembic_version"}
    assert _version(store.engine) == [_head()]
    again = open_store(store_url)  # opening an up-to-date store changes nothing
    assert _version(again.engine) == [_head()]
    with again.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1


def test_replace_document_is_all_or_nothing(store_url: str) -> None:
    store = open_store(store_url)
    segs = _bulletin(12)
    assert store.replace_document("bulletin-2007-12", segs, "20240101T000000Z") == (12, 0, 0)
    before = list(store.records())

    # a duplicate tuid fails on the unique constraint after other rows were already written
    changed = [Segment(s.tuid, s.zh, s.en + " (revised)", s.document, paragraph=s.paragraph) for s in segs[:5]]
    bad = [*changed, Segment("new-1", "新句子", "A new sentence"), Segment("new-1", "又一个", "Another")]
    with pytest.raises(IntegrityError):
        store.replace_document("bulletin-2007-12", bad, "20250101T000000Z")
    assert list(store.records()) == before

    # a tuid that another document owns is refused, naming it, and leaves both documents as they were
    with pytest.raises(TermTMError, match=f"the tuid {segs[0].tuid} is already in document 'bulletin-2007-12'"):
        store.replace_document(
            "other", [Segment("x-1", "甲", "A"), Segment(segs[0].tuid, "乙", "B")], "20250101T000000Z"
        )
    assert list(store.records()) == before
    assert store.documents() == [("bulletin-2007-12", 12)]


def test_bulletin_segments_round_trip(store_url: str) -> None:
    store = open_store(store_url)
    segs = _bulletin(60)
    assert store.replace_document("bulletin-2007-12", segs, "20240101T000000Z") == (60, 0, 0)
    recs = list(store.records())
    assert [r.segment for r in recs] == segs
    assert all(r.creationdate == r.changedate == "20240101T000000Z" for r in recs)
    assert store.count() == 60
    got = store.get(segs[3].tuid)
    assert got is not None and got.zh == segs[3].zh and got.en == segs[3].en
    assert any("反拐" in s.zh for s in segs)

    # Chinese phrase search, and English search without regard to case
    hits = store.concordance("反拐", limit=100)
    assert hits and {s.tuid for s in hits} == {s.tuid for s in segs if "反拐" in s.zh}
    word = next(w for s in segs for w in s.en.split() if w.isalpha() and len(w) > 6)
    hits = store.concordance(word.upper(), limit=100)
    assert {s.tuid for s in hits} >= {s.tuid for s in segs if word in s.en}

    # a rebuild reports what it did, and keeps the dates of unchanged segments
    edited = [*segs[:59], Segment(segs[59].tuid, segs[59].zh, "Changed.", segs[59].document, paragraph=59)]
    assert store.replace_document("bulletin-2007-12", edited[1:], "20250101T000000Z") == (0, 1, 1)
    recs = {r.segment.tuid: r for r in store.records()}
    assert segs[0].tuid not in recs
    assert recs[segs[1].tuid].changedate == "20240101T000000Z"
    assert recs[segs[59].tuid].changedate == "20250101T000000Z"
    assert recs[segs[59].tuid].creationdate == "20240101T000000Z"


def test_glossary_concepts_and_contexts_round_trip(store_url: str) -> None:
    store = open_store(store_url)
    base = load_glossary(ROOT / "glossary")
    assert len(base) > 400
    assert store.replace_concepts("glossary", base.concepts) == (len(base), 0, 0)
    stored = store.termbase("glossary")
    assert [c.id for c in stored] == [c.id for c in base]
    assert [(c.subject, c.terms, c.definition, c.note, c.origin) for c in stored] == [
        (c.subject, c.terms, c.definition, c.note, c.origin) for c in base
    ]
    texts = {t.text for c in stored for t in c.terms}
    assert {"反拐通讯", "湄公河", "COMMIT"} <= texts  # Chinese and Latin terms come back exactly as written
    assert store.collections() == [("glossary", len(base))]
    assert store.replace_concepts("glossary", base.concepts) == (0, 0, 0)

    segs = _bulletin(80)
    store.replace_document("bulletin-2007-12", segs, "20240101T000000Z")
    found = find_contexts(base, ((s.tuid, s.zh, s.en) for s in segs))
    assert found
    n = store.set_contexts(found)
    assert n == sum(len(dict.fromkeys(v)) for v in found.values())
    assert store.contexts() == {k: list(dict.fromkeys(v)) for k, v in found.items() if v}
    cid = next(iter(found))[0]
    assert set(store.contexts(cid)) == {k for k in found if k[0] == cid}

    # another collection may not take over a glossary id
    with pytest.raises(TermTMError, match="already belongs"):
        store.replace_concepts("imported.tbx", [base.concepts[0]])
    assert store.collections() == [("glossary", len(base))]


def test_removing_a_concept_deletes_its_terms_and_contexts(store_url: str) -> None:
    store = open_store(store_url)
    base = load_glossary(ROOT / "glossary")
    store.replace_concepts("glossary", base.concepts)
    segs = _bulletin()
    store.replace_document("bulletin-2007-12", segs, "20240101T000000Z")
    store.set_contexts(find_contexts(base, ((s.tuid, s.zh, s.en) for s in segs)))
    gone = next(c for c in base if store.contexts(c.id))
    gone_contexts = sum(len(v) for v in store.contexts(gone.id).values())
    n_terms, n_contexts = _count(store.engine, terms), _count(store.engine, term_contexts)

    kept = [c for c in base if c.id != gone.id]
    assert store.replace_concepts("glossary", kept) == (0, 0, 1)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(terms).where(terms.c.concept_id == gone.id)).first() is None
    assert _count(store.engine, terms) == n_terms - len(gone.terms)
    assert _count(store.engine, term_contexts) == n_contexts - gone_contexts
    assert store.contexts(gone.id) == {}
    assert _count(store.engine, concepts) == len(base) - 1


def test_a_store_made_by_create_all_is_adopted(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    metadata.create_all(engine)  # what open_store did before migrations
    with engine.begin() as conn:
        conn.execute(
            segments.insert().values(
                tuid="old-1",
                zh="旧的句子",
                en="An old sentence",
                creationdate="20200101T000000Z",
                changedate="20200101T000000Z",
            )
        )
    engine.dispose()

    store = open_store(store_url)
    assert _version(store.engine) == [_head()]
    assert [r.segment.zh for r in store.records()] == ["旧的句子"]


def test_an_older_store_gets_its_missing_tables(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    md = sa.MetaData()
    segments.to_metadata(md)
    sa.Table("meta", md, sa.Column("key", sa.String(100), primary_key=True), sa.Column("value", sa.Text))
    md.create_all(engine)  # a store from before the term base: segments and meta only
    engine.dispose()

    store = open_store(store_url)
    assert set(sa.inspect(store.engine).get_table_names()) >= {*TABLES, "alembic_version"}
    base = load_glossary(ROOT / "glossary")
    assert store.replace_concepts("glossary", base.concepts[:3]) == (3, 0, 0)


def test_an_incompatible_store_is_refused_unchanged(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE segments (id INTEGER PRIMARY KEY, tuid VARCHAR(200))"))
    with pytest.raises(TermTMError, match="predates"):
        open_store(store_url)
    assert set(sa.inspect(engine).get_table_names()) == {"segments"}
    engine.dispose()


def test_termtm_build_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The SQLite build is what the rest of the suite runs on."""
    store_url = pg_url
    root = tmp_path / "project"
    shutil.copytree(ROOT / "tmx", root / "tmx")
    shutil.copytree(ROOT / "glossary", root / "glossary")
    assert main(["--root", str(root), "--db", store_url, "--quiet", "build", "--no-embed"]) == 0
    store = open_store(store_url)
    assert store.count() == 294
    assert len(store.termbase()) > 400
    assert store.documents() == [("bulletin-2007-12", 294)]
    assert store.contexts()
    # a second build changes nothing
    assert main(["--root", str(root), "--db", store_url, "--quiet", "build", "--no-embed"]) == 0
    assert open_store(store_url).count() == 294


def test_a_store_at_the_first_revision_is_upgraded_with_its_data(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    migrate(engine, "0001")  # a store as the previous release left it
    segs = _bulletin(5)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO segments (tuid, zh, en, document, article, paragraph, sentence, kind, provenance,"
                " status, origin, creationdate, changedate) VALUES (:tuid, :zh, :en, 'b', '', 0, 0, 'body',"
                " 'translated', 'approved', '', '20240101T000000Z', '20240101T000000Z')"
            ),
            [{"tuid": s.tuid, "zh": s.zh, "en": s.en} for s in segs],
        )
    engine.dispose()

    store = open_store(store_url)
    assert _version(store.engine) == [_head()] and _head() != "0001"
    recs = list(store.records())
    assert [(r.segment.zh, r.segment.en, r.changeid) for r in recs] == [(s.zh, s.en, "") for s in segs]
    assert store.version() == 1
    store.replace_document("b", [], "20250101T000000Z")
    assert store.version() == 2 and store.count() == 0


def test_the_journal_names_what_each_change_touched_on_both_databases(store_url: str) -> None:
    """Store.changed_between: the tuids an import, an edit and a removal touched, none for a term change,
    and None (compare the whole memory) where a change did not list them or the journal no longer reaches."""
    from termtm.store.editing import edit_segment
    from termtm.store.repository import JOURNAL_KEEP, bump_version

    store = open_store(store_url)
    segs = _bulletin(6)
    start = store.version()
    store.replace_document("bulletin-2007-12", segs, "20240101T000000Z")
    imported = store.version()
    assert store.changed_between(start, imported) == {s.tuid for s in segs}
    edit_segment(store, segs[2].tuid, en="A new English.", status=Status.REVIEWED, user="ed", when="20240102T000000Z")
    store.replace_document("bulletin-2007-12", segs[:4], "20240103T000000Z")  # segments 4 and 5 removed
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts[:3])
    now = store.version()
    assert store.changed_between(imported, now) == {segs[2].tuid, segs[4].tuid, segs[5].tuid}
    assert store.changed_between(now - 1, now) == set()  # the term base only
    assert store.changed_between(now, now) == set()
    assert store.changed_between(None, now) is None and store.changed_between(now + 1, now) is None
    with store.engine.begin() as conn:
        bump_version(conn)  # a change that does not list what it touched
    assert store.changed_between(now, store.version()) is None
    with store.engine.begin() as conn:
        for _ in range(JOURNAL_KEEP + 5):
            bump_version(conn, ())
    assert store.changed_between(now + 2, store.version()) is None  # older than the journal keeps
    assert store.changed_between(store.version() - 10, store.version()) == set()
    store.engine.dispose()
