"""The memory-mapped lexical index set answers fuzzy and concordance lookups exactly as the in-memory build does,
with one segment, after imports added segments and marked units dead, and after compaction; its updates
are switched atomically, so a SIGKILL at any checkpoint leaves the previous manifest in force.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from termtm.app.lexical_index import compact_lexical, store_rows, sync_lexical
from termtm.formats import read_memory
from termtm.model import Lang, Segment, Status
from termtm.search import Searcher, indexset
from termtm.search.indexset import LexicalSet, is_lexical_fresh, lexical_dir, read_manifest
from termtm.store import Store, open_store
from termtm.store.editing import edit_segment

ROOT = Path(__file__).resolve().parents[1]
WMT = ROOT.parent / "shared" / "eval" / "wmt_zh2en_newstest"
WHEN = "20240101T000000Z"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _bulletin() -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units)]


def _store(tmp_path: Path, segs: list[Segment], document: str = "bulletin-2007-12") -> Store:
    store = open_store(f"sqlite:///{tmp_path}/store.db")
    store.replace_document(document, segs, WHEN)
    return store


def _queries(segments: list[Segment], step: int) -> list[str]:
    """Queries of every kind from the memory: a sentence cut, a few words, a phrase, a word prefix."""
    out = []
    for s in segments[::step]:
        words = s.en.split()
        out += [s.zh[1:], s.zh[2:7], " ".join(words[1:]), " ".join(words[1:3]), words[0][:5] if words else ""]
        out.append("".join(reversed(s.zh[:12])))  # a scrambled sentence: a few low matches
    return [q for q in out if q.strip()]


def _same(mapped: Searcher, memory: Searcher, queries: list[str]) -> None:
    """Fuzzy at 50% and 70% and concordance give the same hits, scores, diffs and snippets."""
    for q in queries:
        for low in (50.0, 70.0):
            a = [(h.segment, h.score, h.exact, h.lang, h.diff) for h in mapped.fuzzy(q, k=5, min_score=low)]
            b = [(h.segment, h.score, h.exact, h.lang, h.diff) for h in memory.fuzzy(q, k=5, min_score=low)]
            assert a == b, (q, low)
        a2 = [(h.segment, h.lang, h.kwic) for h in mapped.concordance(q, k=30)]
        b2 = [(h.segment, h.lang, h.kwic) for h in memory.concordance(q, k=30)]
        assert a2 == b2, q


def test_a_mapped_set_answers_as_the_in_memory_indexes_on_the_bulletin(tmp_path: Path) -> None:
    store = _store(tmp_path, _bulletin())
    index = tmp_path / "store.index"
    up = sync_lexical(index, store)
    assert (up.kind, up.added, up.segments) == ("built", 294, 1)
    mapped = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    memory = Searcher.from_store(store)
    queries = _queries(memory.segments, 2)
    assert len(queries) > 500
    _same(mapped, memory, queries)
    assert mapped.segments == memory.segments  # materialised on demand, in memory order, with every field
    assert mapped.segment_of(memory.segments[7].tuid) == memory.segments[7]
    assert mapped.segment_of("no-such-tuid") is None
    store.engine.dispose()


def test_imports_add_segments_that_rank_as_one_memory_until_compaction(tmp_path: Path) -> None:
    segs = _bulletin()
    store = _store(tmp_path, segs[:200])
    index = tmp_path / "store.index"
    sync_lexical(index, store)

    # an import of the rest; a re-import that drops and changes units; an editor's change; another document
    store.replace_document("bulletin-2007-12", segs[:150] + segs[180:], WHEN)  # 30 removed, 94 added
    changed = [Segment(s.tuid, s.zh + "另外", s.en + " too", s.document, paragraph=s.paragraph) for s in segs[:10]]
    store.replace_document("bulletin-2007-12", changed + segs[10:150] + segs[180:], WHEN)
    edit_segment(store, segs[20].tuid, en="An edited translation.", status=Status.APPROVED, user="li", when=WHEN)
    twins = [Segment(f"copy-{i}", s.zh, s.en, paragraph=i) for i, s in enumerate(segs[40:60])]
    store.replace_document("a-copy", twins, WHEN)  # exact duplicates in a document sorted before the bulletin
    up = sync_lexical(index, store, rebuild_share=1.0)  # a delta, however large, for the test
    assert up.kind == "delta" and up.segments == 2 and up.dead == 30 + 10 + 1
    assert is_lexical_fresh(index, store.version())

    memory = Searcher.from_store(store)
    mapped = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    assert len(mapped.mapped) == len(memory.segments)  # type: ignore[arg-type]
    _same(mapped, memory, _queries(memory.segments, 2))
    hits = mapped.fuzzy(segs[45].zh, k=3)  # the copy (document a-copy) comes first among equal 100% matches
    assert (
        [h.segment.tuid for h in hits[:2]]
        == ["copy-5", segs[45].tuid]
        == [h.segment.tuid for h in memory.fuzzy(segs[45].zh, k=3)[:2]]
    )
    assert mapped.segments == memory.segments

    done = compact_lexical(index)
    assert (done.kind, done.segments, done.units) == ("compacted", 1, len(memory.segments))
    compacted = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    _same(compacted, memory, _queries(memory.segments, 3))
    assert compacted.segments == memory.segments
    meta = read_manifest(lexical_dir(index))
    assert meta is not None and len(meta["segments"]) == 1 and meta["store_version"] == store.version()
    # the current generation and the previous one (a reader may still map it) are kept, nothing else
    names = {p.name for p in lexical_dir(index).iterdir()} - {"manifest.json", ".lock"}
    assert names == {meta["segments"][0]["name"], *meta["previous"]}
    store.engine.dispose()


def _wmt_memory(n_variants: int) -> list[Segment]:
    """The WMT news pairs of ../shared/eval and protocol-style variants (1-3 Han characters replaced)."""
    if not WMT.exists():
        pytest.skip(f"{WMT} is absent: the bench memory needs ../shared beside the clone")
    pairs, seen = [], set()
    for path in sorted(WMT.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in list(csv.reader(fh))[1:]:
                if len(row) >= 2 and row[0].strip() and row[1].strip() and row[0].strip() not in seen:
                    seen.add(row[0].strip())
                    pairs.append((row[0].strip(), row[1].strip()))
    rng = random.Random(5)
    pool = [c for zh, _ in pairs[:2000] for c in zh if HAN.match(c)]
    while n_variants:
        zh, en = pairs[rng.randrange(len(pairs))]
        chars = list(zh)
        pos = [i for i, c in enumerate(chars) if HAN.match(c)]
        for i in rng.sample(pos, min(rng.randint(1, 3), len(pos))):
            chars[i] = rng.choice(pool)
        if "".join(chars) not in seen:
            seen.add("".join(chars))
            pairs.append(("".join(chars), en))
            n_variants -= 1
    return [Segment(f"wmt:{i}", zh, en, document="news", paragraph=i) for i, (zh, en) in enumerate(pairs)]


def test_a_bench_memory_in_three_segments_answers_as_one_memory(tmp_path: Path) -> None:
    segs = _wmt_memory(3000)
    store = _store(tmp_path, segs[:6000], document="news")
    index = tmp_path / "store.index"
    sync_lexical(index, store)
    store.replace_document("news", segs[:5500] + segs[6000:8000], WHEN)
    sync_lexical(index, store)
    store.replace_document("news", segs[100:5500] + segs[6000:], WHEN)
    up = sync_lexical(index, store)
    assert up.kind == "delta" and up.segments == 3
    memory = Searcher.from_store(store)
    mapped = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    rng = random.Random(3)
    sample = rng.sample(memory.segments, 60)
    _same(mapped, memory, _queries(sample, 1))
    store.engine.dispose()


def _termtm(*args: str, kill_at: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "TERMTM_KILL_AT": kill_at}
    cmd = [sys.executable, "-m", "termtm.cli", "-q", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def test_the_cli_builds_reports_and_compacts_the_set(tmp_path: Path) -> None:
    segs = _bulletin()
    store = _store(tmp_path, segs[:250])
    url = f"sqlite:///{tmp_path}/store.db"
    built = _termtm("--db", url, "index", "build", "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["kind"] == "built"
    store.replace_document("bulletin-2007-12", segs[:240] + segs[250:], WHEN)
    assert json.loads(_termtm("--db", url, "index", "build", "--json").stdout)["kind"] == "delta"
    status = json.loads(_termtm("--db", url, "index", "status", "--json").stdout)
    assert (status["units"], status["dead"], len(status["segments"]), status["fresh"]) == (284, 10, 2, True)
    found = _termtm("--db", url, "search", "concordance", segs[260].zh[3:9], "--json")
    assert segs[260].tuid in [h["tuid"] for h in json.loads(found.stdout)]
    assert json.loads(_termtm("--db", url, "index", "compact", "--json").stdout)["kind"] == "compacted"
    status = json.loads(_termtm("--db", url, "index", "status", "--json").stdout)
    assert (status["units"], status["dead"], len(status["segments"])) == (284, 0, 1)
    store.engine.dispose()


@pytest.mark.parametrize("point", ["lexical.segment", "lexical.manifest", "lexical.switched"])
@pytest.mark.parametrize("action", ["import", "compact"])
def test_a_kill_at_any_checkpoint_of_an_update_leaves_a_consistent_set(tmp_path: Path, point: str, action: str) -> None:
    segs = _bulletin()
    store = _store(tmp_path, segs[:200])
    url = f"sqlite:///{tmp_path}/store.db"
    index = tmp_path / "store.index"
    sync_lexical(index, store)
    store.replace_document("bulletin-2007-12", segs[10:250], WHEN)
    sync_lexical(index, store)  # two segments, ten units dead: a compaction has work to do
    before = read_manifest(lexical_dir(index))
    later = tmp_path / "later.tmx"
    from termtm.formats.tmx import TmxHeader, write_tmx

    later.write_bytes(
        write_tmx([Segment(f"n{i}", s.zh, s.en) for i, s in enumerate(segs[250:])], TmxHeader(creationdate=WHEN))
    )
    from termtm.web import create_app

    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(index), "TESTING": True})  # serving meanwhile
    client = app.test_client()
    phrase = {"q": segs[260].zh[3:9]}
    assert client.get("/api/v1/concordance", query_string=phrase).get_json() == []
    args = ["import", str(later), "--document", "later"] if action == "import" else ["index", "compact"]
    killed = _termtm("--db", url, *args, kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    after = read_manifest(lexical_dir(index))
    if point == "lexical.switched":  # the switch happened: the new set is in force, old files not yet deleted
        assert after is not None and after["generation"] == before["generation"] + 1  # type: ignore[index]
    else:
        assert after == before
    current = LexicalSet.open(index)  # every file the manifest names is there and maps
    assert current is not None
    reference = [(r.tuid, r.zh, r.en) for r in current.rows()]
    mapped = Searcher.from_index(current)
    for s in segs[20:40]:
        assert mapped.fuzzy(s.zh, k=1)[0].segment.tuid == s.tuid

    # the next update brings the set up to the store and clears what the killed one left. After an import
    # that died holding the indexes' locks (the kernel released them), the serving app, which answered from
    # its indexes meanwhile, makes that update itself on its next request.
    store = open_store(url)
    if action == "import":
        found = [h["tuid"] for h in client.get("/api/v1/concordance", query_string=phrase).get_json()]
        assert found == ["later:n10"]
    else:
        sync_lexical(index, store)
    app.extensions["termtm.store"].engine.dispose()
    fresh = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    assert [(s.tuid, s.zh, s.en) for s in fresh.segments] == [(r.tuid, r.zh, r.en) for r in store_rows(store)]
    assert is_lexical_fresh(index, store.version())
    meta = read_manifest(lexical_dir(index))
    names = {p.name for p in lexical_dir(index).iterdir()} - {"manifest.json", ".lock"}
    assert meta is not None and names <= indexset._files(meta) | set(meta["previous"])
    assert reference  # the interrupted state was readable
    store.engine.dispose()


def _serving(tmp_path: Path, **config: object) -> tuple[list[Segment], Store, Path, Flask]:
    """The bulletin's first 200 units in a store with its lexical set, and an app serving them."""
    from termtm.web import create_app

    segs = _bulletin()
    store = _store(tmp_path, segs[:200])
    index = tmp_path / "store.index"
    sync_lexical(index, store)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/store.db", "INDEX_DIR": str(index), "TESTING": True, **config}
    )
    return segs, store, index, app


def test_the_app_maps_the_set_and_follows_an_import_made_by_another_process(tmp_path: Path) -> None:
    segs, store, index, app = _serving(tmp_path)
    url = f"sqlite:///{tmp_path}/store.db"
    client = app.test_client()
    hits = client.get("/api/v1/fuzzy", query_string={"q": segs[5].zh}).get_json()
    assert hits[0]["tuid"] == segs[5].tuid and hits[0]["score"] == 100.0
    searcher = app.extensions["termtm.searcher"]
    assert searcher.mapped is not None and "segments" not in searcher.__dict__  # mapped: no segment list loaded
    target = segs[250]
    assert not client.get("/api/v1/concordance", query_string={"q": target.zh[2:10]}).get_json()

    later = tmp_path / "later.tmx"
    from termtm.formats.tmx import TmxHeader, write_tmx

    later.write_bytes(write_tmx([Segment("x", target.zh, target.en)], TmxHeader(creationdate=WHEN)))
    done = _termtm("--db", url, "import", str(later), "--document", "later")  # keeps the set in step itself
    assert done.returncode == 0, done.stderr
    assert read_manifest(lexical_dir(index))["store_version"] == store.version()  # type: ignore[index]
    found = client.get("/api/v1/concordance", query_string={"q": target.zh[2:10]}).get_json()
    assert [h["tuid"] for h in found] == ["later:x"]

    # a change straight in the store (another host): the app brings the set up to it before answering
    edit_segment(store, "later:x", en="Edited by hand in the store.", status=Status.APPROVED, user="li", when=WHEN)
    assert not is_lexical_fresh(index, store.version())
    found = client.get("/api/v1/concordance", query_string={"q": "edited by hand"}).get_json()
    assert [h["tuid"] for h in found] == ["later:x"]
    assert is_lexical_fresh(index, store.version())
    parts = LexicalSet.open(index).parts  # type: ignore[union-attr]
    assert [len(p) for p in parts] == [200, 1]  # the import's one-unit segment, wholly dead, left the set
    store.engine.dispose()
    app.extensions["termtm.store"].engine.dispose()


def test_while_an_import_holds_the_indexes_the_app_answers_from_the_ones_it_has_then_finds_the_import(
    tmp_path: Path,
) -> None:
    """An importer locks the indexes from before its commit until they are updated: a serving process that
    already answers does not wait for it (nor update them itself), then finds the new units once it is done."""
    import threading

    from termtm.app.indexes import held

    segs, store, index, app = _serving(tmp_path)
    client = app.test_client()
    target = segs[250]
    phrase = {"q": target.zh[2:10]}
    assert not client.get("/api/v1/concordance", query_string=phrase).get_json()

    committed, release = threading.Event(), threading.Event()

    def importer() -> None:  # another thread takes the locks as another process would (flock per open file)
        with held(index, lexical=True, semantic=False):
            store.replace_document("later", [Segment("later:x", target.zh, target.en, document="later")], WHEN)
            committed.set()
            release.wait(60)
            sync_lexical(index, store)

    worker = threading.Thread(target=importer)
    worker.start()
    try:
        assert committed.wait(60)
        answers: list = []
        asking = threading.Thread(target=lambda: answers.append(client.get("/api/v1/concordance", query_string=phrase)))
        asking.start()
        asking.join(30)
        assert not asking.is_alive(), "a request waited for the importer's lock"
        assert answers[0].status_code == 200 and answers[0].get_json() == []  # the indexes it had
        assert not is_lexical_fresh(index, store.version())  # the app did not update the set itself
    finally:
        release.set()
        worker.join(60)
    found = client.get("/api/v1/concordance", query_string=phrase).get_json()
    assert [h["tuid"] for h in found] == ["later:x"]
    assert [len(p) for p in LexicalSet.open(index).parts] == [200, 1]  # type: ignore[union-attr]  # the importer's segment
    store.engine.dispose()
    app.extensions["termtm.store"].engine.dispose()


def test_the_index_lock_is_reentrant_in_a_thread_and_refused_without_waiting_to_another(tmp_path: Path) -> None:
    import threading

    from termtm.search.semantic import index_lock

    seen: list[bool] = []
    with index_lock(tmp_path) as outer, index_lock(tmp_path) as inner:  # an import's update under its own lock
        assert outer and inner

        def other() -> None:
            with index_lock(tmp_path, wait=False) as got:
                seen.append(got)

        t = threading.Thread(target=other)
        t.start()
        t.join(30)
    assert seen == [False]
    with index_lock(tmp_path, wait=False) as got:  # released by the outer context, not the inner one
        assert got


def test_a_large_mapped_memory_is_brought_up_to_a_change_in_the_background(tmp_path: Path) -> None:
    """Past BACKGROUND_SYNC_FROM segments (here 0) the update a change needs runs in a thread of the worker:
    requests keep answering from the mapped set meanwhile, then find the change once it is switched."""
    import threading
    import time

    from termtm.search.semantic import index_lock

    segs, store, index, app = _serving(tmp_path, BACKGROUND_SYNC_FROM=0)
    client = app.test_client()
    target = segs[250]
    phrase = {"q": target.zh[2:10]}
    assert client.get("/api/v1/concordance", query_string=phrase).get_json() == []

    locked, release = threading.Event(), threading.Event()

    def holder() -> None:  # another updater holds the set: the background thread has to wait for it
        with index_lock(lexical_dir(index)):
            locked.set()
            release.wait(60)

    other = threading.Thread(target=holder)
    other.start()
    assert locked.wait(30)
    store.replace_document("later", [Segment("later:x", target.zh, target.en, document="later")], WHEN)
    try:
        started = time.monotonic()
        for _ in range(5):  # each returns at once, from the set as it was
            assert client.get("/api/v1/concordance", query_string=phrase).get_json() == []
        assert time.monotonic() - started < 20
        assert [t.name for t in threading.enumerate()].count("termtm-index-sync") == 1
    finally:
        release.set()
        other.join(30)
    found: list = []
    deadline = time.monotonic() + 60
    while not found and time.monotonic() < deadline:
        found = client.get("/api/v1/concordance", query_string=phrase).get_json()
        time.sleep(0.05)
    assert [h["tuid"] for h in found] == ["later:x"]
    assert is_lexical_fresh(index, store.version())
    store.engine.dispose()
    app.extensions["termtm.store"].engine.dispose()


def test_an_import_of_a_new_document_adds_its_rows_alone_and_equals_a_full_sync(tmp_path: Path) -> None:
    from termtm.search.semantic import Addition

    segs = _bulletin()
    store = _store(tmp_path, segs[:200])
    index = tmp_path / "store.index"
    sync_lexical(index, store)
    since = store.version()
    store.replace_document("later", [dataclasses.replace(s, document="later") for s in segs[200:]], WHEN)
    update = sync_lexical(index, store, added=Addition("later", since))
    assert (update.kind, update.added, update.dead, update.segments) == ("delta", len(segs) - 200, 0, 2)
    assert is_lexical_fresh(index, store.version())
    mapped = LexicalSet.open(index)
    assert mapped is not None
    assert [(r.tuid, r.zh, r.en, r.document) for r in mapped.rows()] == [
        (r.tuid, r.zh, r.en, r.document) for r in store_rows(store)
    ]
    assert sync_lexical(index, store).kind == "fresh"  # a full comparison finds nothing left to do

    stale = Addition("later", since - 1)  # the set is not at the version before the change: a full sync
    store.replace_document("third", [dataclasses.replace(segs[0], tuid="t:1", document="third")], WHEN)
    assert sync_lexical(index, store, added=stale).added == 1
    store.engine.dispose()


def test_edits_removals_and_term_changes_come_from_the_journal_and_equal_a_full_build(tmp_path: Path) -> None:
    """The units the store's journal names are all an update reads: an editor's edit (one unit in, one
    dead), a document's removal, a term change (a new stamp only); the set then answers as a fresh build
    does. A journal that cannot say (a change that did not list its units) falls back to the comparison."""
    from termtm.store.repository import bump_version

    segs = _bulletin()
    store = _store(tmp_path, segs[:250])
    store.replace_document("later", [dataclasses.replace(s, document="later") for s in segs[250:]], WHEN)
    index = tmp_path / "store.index"
    sync_lexical(index, store)
    edited = segs[10]
    edit_segment(store, edited.tuid, en="The Mekong journal, edited.", status=Status.REVIEWED, user="ed", when=WHEN)
    update = sync_lexical(index, store)
    assert (update.kind, update.journal, update.added, update.dead) == ("delta", True, 1, 1)
    store.replace_document("later", [], WHEN)
    update = sync_lexical(index, store)
    assert (update.journal, update.added, update.dead) == (True, 0, len(segs) - 250)
    store.replace_concepts("glossary", [])  # no concepts before, none now: no change, no new version
    with store.engine.begin() as conn:
        bump_version(conn, ())  # as a term change does
    update = sync_lexical(index, store)
    assert (update.kind, update.journal, update.added, update.dead) == ("stamped", True, 0, 0)
    mapped = LexicalSet.open(index)
    assert mapped is not None and mapped.segment(edited.tuid).en == "The Mekong journal, edited."  # type: ignore[union-attr]
    assert [r.en for r in mapped.rows()] == [r.en for r in store_rows(store)]
    _same(
        Searcher.from_index(mapped), Searcher.from_store(store), _queries([r.segment() for r in store_rows(store)], 25)
    )

    with store.engine.begin() as conn:
        bump_version(conn)  # the journal cannot say what this change touched: the whole store is compared
    update = sync_lexical(index, store)
    assert not update.journal and update.kind == "stamped"
    store.engine.dispose()
