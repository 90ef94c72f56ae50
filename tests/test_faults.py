"""Crashes and several processes: a `kill -9` during an import or an index rebuild loses nothing and leaves
the store and the index consistent; a serving process never answers from an index older than the store.

The kills are real SIGKILLs of a real `termtm` process. Checkpoints (termtm.faults, TERMTM_KILL_AT) make
the process die at the moments that matter: inside the import's transaction, and between writing a new
index generation and switching to it. Timed kills at other moments complete the picture.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from json import loads
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import DB_KIND, _database

from termtm.formats import read_memory
from termtm.formats.tmx import TmxHeader, write_tmx
from termtm.model import Lang, Segment, Status
from termtm.search import is_fresh, sync_index, update_index
from termtm.search.semantic import VectorIndex, is_approximate
from termtm.store import beside_store, open_store
from termtm.store.editing import edit_segment

ROOT = Path(__file__).resolve().parents[1]
WHEN = "20240101T000000Z"


def _bulletin() -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units)]


def _tmx(path: Path, segs: list[Segment]) -> Path:
    path.write_bytes(write_tmx(segs, TmxHeader(creationdate=WHEN)))
    return path


def _termtm(
    *args: str, kill_at: str | None = None, wait: bool = True
) -> subprocess.Popen | subprocess.CompletedProcess:
    env = {**os.environ, "TERMTM_KILL_AT": kill_at or ""}
    cmd = [sys.executable, "-m", "termtm.cli", "-q", *args]
    if wait:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _snapshot(url: str) -> tuple[int, list[tuple[str, str, str]]]:
    store = open_store(url)
    rows = [(r.segment.tuid, r.segment.en, r.changedate) for r in store.records()]
    version = store.version()
    store.engine.dispose()
    return version, rows


def _integrity(db: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _big_memory(tmp_path: Path, n: int) -> Path:
    """n units made from the bulletin's sentences (numbered, so each is distinct): an import that takes a while."""
    base = _bulletin()
    segs = [
        Segment(f"big-{i}", f"{s.zh}（{i}）", f"{s.en} ({i})", document="big")
        for i, s in ((i, base[i % len(base)]) for i in range(n))
    ]
    return _tmx(tmp_path / "big.tmx", segs)


def test_a_kill_inside_the_import_transaction_leaves_the_store_as_it_was(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.replace_document("bulletin-2007-12", _bulletin()[:50], WHEN)
    store.engine.dispose()
    before = _snapshot(store_url)
    big = _big_memory(tmp_path, 5000)

    root = ["--root", str(tmp_path)]  # not the checkout's var/, whose index belongs to another store
    killed = _termtm(*root, "--db", store_url, "import", str(big), kill_at="import.commit")
    assert killed.returncode == -signal.SIGKILL  # every row was written, the commit never came

    assert _snapshot(store_url) == before
    if store_url.startswith("sqlite"):
        assert _integrity(store_url.removeprefix("sqlite:///")) == "ok"
    done = _termtm(*root, "--db", store_url, "import", str(big))
    assert done.returncode == 0, done.stderr
    assert open_store(store_url).count() == 5050


def test_kills_at_random_moments_of_an_import_leave_all_or_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    open_store(url).replace_document("bulletin-2007-12", _bulletin()[:50], WHEN)
    big = _big_memory(tmp_path, 20000)
    outcomes = set()
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0):
        proc = _termtm("--db", url, "import", str(big), "--replace", wait=False)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]
        count = open_store(url).count()
        assert count in (50, 20050), f"after a kill at {delay}s the store holds {count} segments"
        outcomes.add(count)
        assert _integrity(f"{tmp_path}/store.db") == "ok"
    assert 50 in outcomes  # at least one kill landed before the commit


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, Path, list[Segment]]]:
    """A store of 60 bulletin segments (of the session's database kind) with its semantic index, and 30 more.

    The `termtm` runs get `--root` so that the index is where the CLI keeps it: beside a SQLite file, or
    under ROOT/var/ for PostgreSQL.
    """
    root = tmp_path_factory.mktemp("faults")
    engines: list = []
    for url in _database(DB_KIND, root, engines):
        segs = _bulletin()
        store = open_store(url)
        engines.append(store.engine)
        store.replace_document("bulletin-2007-12", segs[:60], WHEN)
        index_dir = beside_store(url, ".index", root / "var" / "termtm.index")
        sync_index(index_dir, store, embedder)
        yield url, index_dir, segs[60:90]


def test_a_kill_between_writing_an_index_and_switching_to_it_keeps_the_old_one(indexed, tmp_path: Path) -> None:
    url, index_dir, more = indexed
    before = VectorIndex.load(index_dir)
    assert before is not None and len({t for t, _, _ in before.entries}) == 60

    later = _tmx(tmp_path / "later.tmx", [Segment(s.tuid + "-later", s.zh, s.en) for s in more])
    killed = _termtm(*_at(index_dir), "--db", url, "import", str(later), kill_at="index.save")
    assert killed.returncode == -signal.SIGKILL

    store = open_store(url)
    assert store.count() == 90  # the import itself committed before the index step
    after = VectorIndex.load(index_dir)  # loads cleanly: the previous generation
    assert after is not None and after.entries == before.entries and after.generation == before.generation
    assert not is_fresh(index_dir, store.version())  # and it knows it is behind the store

    # restart: a process that finds the index stale brings it up to the store
    from termtm.embed import MemoEmbedder, embedder_from_name

    sync_index(index_dir, store, MemoEmbedder(embedder_from_name()))
    fresh = VectorIndex.load(index_dir)
    assert fresh is not None and {t for t, _, _ in fresh.entries} == {r.segment.tuid for r in store.records()}
    assert is_fresh(index_dir, store.version())
    kept = {f"semantic-{g}.{ext}" for g in (before.generation, fresh.generation) for ext in ("faiss", "tsv")}
    assert {p.name for p in index_dir.glob("semantic-*")} == kept  # the current and the previous generation
    store.engine.dispose()


_ADD_SEGMENT = """
import sys
from termtm.embed import embedder_from_name
from termtm.store import open_store
from termtm.search.semantic import update_index
store = open_store(sys.argv[1])
update_index(__import__("pathlib").Path(sys.argv[2]), [r.segment for r in store.records()], embedder_from_name(),
             approx_threshold=100, store_version=store.version())
"""


def test_a_kill_while_an_import_adds_a_segment_to_an_ivf_index_keeps_the_previous_segments(
    indexed, embedder, tmp_path: Path
) -> None:
    url, index_dir, more = indexed
    ivf = tmp_path / "ivf.index"
    shutil.copytree(index_dir / "embeddings", ivf / "embeddings")
    store = open_store(url)
    segments = _bulletin()[:60]  # what the fixture stored first
    update_index(ivf, segments, embedder, approx_threshold=100, store_version=store.version())
    before = VectorIndex.load(ivf, mapped=True)
    assert before is not None and is_approximate(before.index) and len(before.parts) == 1

    db = tmp_path / "grown.db"
    grown = open_store(f"sqlite:///{db}")
    grown.replace_document("bulletin-2007-12", [*segments, *more[:10]], WHEN)
    env = {**os.environ, "TERMTM_KILL_AT": "index.save"}
    run = subprocess.run([sys.executable, "-c", _ADD_SEGMENT, f"sqlite:///{db}", str(ivf)], env=env, timeout=600)
    assert run.returncode == -signal.SIGKILL
    after = VectorIndex.load(ivf, mapped=True)  # the segment was written, the manifest not switched
    assert after is not None and after.entries == before.entries and len(after.parts) == 1

    run = subprocess.run([sys.executable, "-c", _ADD_SEGMENT, f"sqlite:///{db}", str(ivf)], timeout=600)
    assert run.returncode == 0
    done = VectorIndex.load(ivf, mapped=True)
    assert done is not None and [int(p.ntotal) for _, p in done.parts] == [120, 20]
    assert {t for t, _, _ in done.entries} == {s.tuid for s in [*segments, *more[:10]]}
    grown.engine.dispose()
    store.engine.dispose()


def _at(index_dir: Path) -> list[str]:
    """--root for a `termtm` run whose index is `index_dir` (ROOT/store.index or ROOT/var/termtm.index)."""
    root = index_dir.parent.parent if index_dir.parent.name == "var" else index_dir.parent
    return ["--root", str(root)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        assert server.poll() is None, server.stdout.read()  # type: ignore[union-attr]
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"termtm serve did not answer {url} within 120 s")


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=60) as r:
        return loads(r.read())


def test_a_serving_process_follows_imports_made_by_another_process(indexed, tmp_path: Path) -> None:
    url, index_dir, _ = indexed
    port = _free_port()
    server = _termtm(*_at(index_dir), "--db", url, "serve", "--port", str(port), wait=False)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/v1/health", server)
        base = f"http://127.0.0.1:{port}/api/v1"
        target = _bulletin()[150]  # a sentence the store does not hold yet
        q = quote(target.en)
        assert not any(h["tuid"].startswith("newer") for h in _get(f"{base}/fuzzy?q={q}"))  # type: ignore[union-attr]

        newer = _tmx(tmp_path / "newer.tmx", [Segment("x", target.zh, target.en)])
        done = _termtm(*_at(index_dir), "--db", url, "import", str(newer), "--document", "newer")
        assert done.returncode == 0, done.stderr

        fuzzy = _get(f"{base}/fuzzy?q={q}")
        assert fuzzy[0]["tuid"] == "newer:x" and fuzzy[0]["score"] == 100.0  # type: ignore[index]
        semantic = _get(f"{base}/semantic?q={quote(target.zh)}&k=3")
        assert "newer:x" in [h["tuid"] for h in semantic]  # type: ignore[union-attr]

        # an edit made straight in the store (as another host would): the server syncs the index itself
        store = open_store(url)
        wording = "Traffickers are tried under the revised criminal law of the Kingdom."
        edit_segment(store, "newer:x", en=wording, status=Status.APPROVED, user="li", when="20260101T000000Z")
        assert not is_fresh(index_dir, store.version())
        semantic = _get(f"{base}/semantic?q={quote(wording)}&k=1")
        assert semantic[0]["tuid"] == "newer:x"  # type: ignore[index]
        assert is_fresh(index_dir, store.version())
        store.engine.dispose()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()  # type: ignore[union-attr]
