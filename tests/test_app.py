"""The application layer (termtm.app) called directly on the built bulletin: the answers the CLI prints and the
web serves come from here, so they are checked here once, and against the CLI and the API they feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termtm.app.aligning import align
from termtm.app.checking import check, ignore_path
from termtm.app.search import SearchMode, open_searcher, search
from termtm.app.terms import TermLookup, concept, extract_terms, lookup_terms, terms_report
from termtm.cli import main
from termtm.config import Settings, load_settings
from termtm.errors import TermTMError
from termtm.model import Lang
from termtm.qa import Severity
from termtm.search import Searcher
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
IGNORE = ROOT / "qa-ignore.yaml"
MYANMAR = "bulletin-2007-12:a01:p006:s10"  # 缅甸将区域教材本土化，举办了国家级的师资培训。


@pytest.fixture(scope="module")
def settings(built, built_url: str) -> Settings:
    paths, _, _ = built
    return load_settings(paths.root, {"database_url": built_url})


@pytest.fixture(scope="module")
def searcher(built, settings: Settings) -> Searcher:
    return open_searcher(built[1], settings.index_dir)


def test_fuzzy_search_of_a_bulletin_sentence_finds_its_own_unit_at_100(built, searcher):
    store = built[1]
    sentence = store.get(MYANMAR).zh
    hits = search(searcher, SearchMode.FUZZY, sentence, k=3)
    assert (hits[0].segment.tuid, hits[0].score) == (MYANMAR, 100.0)
    assert all(h.score < 100 for h in hits[1:])  # no other unit holds this sentence
    assert search(searcher, "fuzzy", sentence[:-6] + "培训工作会议", k=3, min_score=99) == []


def test_concordance_finds_every_unit_with_the_phrase_in_memory_order(built, searcher):
    store = built[1]
    hits = search(searcher, SearchMode.CONCORDANCE, "湄公河", k=1000)
    with_it = [r.segment.tuid for r in store.records() if "湄公河" in r.segment.zh]
    assert [h.segment.tuid for h in hits] == with_it and len(with_it) > 20


def test_the_searcher_keeps_the_term_base_names_whole(searcher):
    assert "湄公河次区域" in searcher.analyzer.tokens("湄公河次区域的合作")


def test_lookup_terms_gives_the_mekong_concept_first(built):
    terms = TermLookup.open(built[1])
    found = lookup_terms(terms, "湄公河", k=5)
    first = found[0]
    assert first["score"] == 100
    assert ("zh", "湄公河") in {(t["lang"], t["text"]) for t in first["terms"]}
    assert "Mekong" in {t["text"] for t in first["terms"] if t["lang"] == "en"}
    assert first["contexts"] and all("湄公河" in c["zh"] for c in first["contexts"])
    assert concept(terms, first["id"], contexts_limit=50)["terms"] == first["terms"]
    assert concept(terms, "no-such-concept") is None


def test_the_cli_and_the_api_print_what_lookup_terms_returns(built, built_url, capsys):
    paths, store, _ = built
    expected = lookup_terms(TermLookup.open(store), "Mekong", k=3)
    assert main(["--root", str(paths.root), "--db", built_url, "terms", "lookup", "Mekong", "-k", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    client = create_app({"DATABASE_URL": built_url, "TESTING": True}).test_client()
    assert client.get("/api/v1/terms", query_string={"q": "Mekong", "k": 3}).get_json() == expected


def test_check_returns_the_counts_termtm_check_prints(built, settings, capsys):
    paths, store, _ = built
    report = check(settings, store, ignore=IGNORE)
    assert main(["--root", str(paths.root), "check", "--format", "json", "--ignore", str(IGNORE)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert report.counts == printed["counts"] and len(report.findings) == len(printed["findings"])
    assert (report.exit_code, len(report.ignored), report.counts["ignored"]) == (0, 36, 36)
    errors = check(settings, store, ignore=None, min_severity=Severity.ERROR)  # the project root's list: none here
    assert errors.has_errors and errors.exit_code == 1
    assert sorted((f.check, f.tuids[0]) for f in errors.findings) == [
        ("deprecated-term", "bulletin-2007-12:a05:p000:s00"),  # printed "Du Hungwei"
        ("numbers", "bulletin-2007-12:a07:p000:s00"),  # printed title without 2008–2010
    ]


def test_the_cli_and_the_check_page_find_the_same_ignore_list(tmp_path, monkeypatch):
    monkeypatch.delenv("TERMTM_QA_IGNORE", raising=False)
    monkeypatch.delenv("TERMTM_CONFIG", raising=False)
    assert ignore_path(load_settings(tmp_path)) == tmp_path.resolve() / "qa-ignore.yaml"
    (tmp_path / "termtm.toml").write_text('qa_ignore = "/srv/termtm/accepted.yaml"\n', encoding="utf-8")
    assert ignore_path(load_settings(tmp_path)) == Path("/srv/termtm/accepted.yaml")
    assert ignore_path(load_settings(tmp_path), Path("named.yaml")) == Path("named.yaml")  # --ignore wins


def test_check_of_the_raw_text_runs_the_monolingual_checks_only(built, settings):
    report = check(settings, built[1], raw=True, ignore=IGNORE)
    assert report.counts["checks"]["deprecated-term"] == 26 and "key-term" not in report.counts["checks"]
    with pytest.raises(TermTMError, match="either FILE or --raw"):
        check(settings, built[1], raw=True, file=ROOT / "README.md")


def test_terms_report_agrees_with_the_cli_exit_status(built, settings, capsys):
    paths, store, _ = built
    report = terms_report(settings, store)
    assert sum(s.concepts for s in report.subjects.values()) == len(store.termbase())
    code = main(["--root", str(paths.root), "terms", "report", "--json"])
    assert json.loads(capsys.readouterr().out) == report.to_json()
    assert code == (0 if report.clean else 1)


def test_extract_terms_with_a_holdout_scores_its_candidates(built):
    found = extract_terms(built[1], k=20, holdout=0.2, seed=1)
    assert len(found.candidates) == 20 and found.held_out is not None and len(found.held_out) > 0
    assert found.precision is not None and 0.0 <= found.precision <= 1.0
    assert extract_terms(built[1], k=20).held_out is None


def test_align_pairs_sentences_and_renders_them_as_asked():
    zh = "我们支持湄公河次区域合作。会议在北京召开。"
    en = "We support cooperation in the Greater Mekong Sub-region. The meeting was held in Beijing."
    out = align(zh, en, src_lang=Lang.ZH, tgt_lang=Lang.EN, when="20261206T000000Z", fmt="tsv")
    assert out.data.decode("utf-8").splitlines() == [
        "我们支持湄公河次区域合作。\tWe support cooperation in the Greater Mekong Sub-region.",
        "会议在北京召开。\tThe meeting was held in Beijing.",
    ]
    tmx = align(zh, en, src_lang=Lang.ZH, tgt_lang=Lang.EN, when="20261206T000000Z", fmt="tmx", name="memo")
    assert tmx.left_out == 0 and tmx.data.count(b"<tu ") == 2 and b'tuid="memo:00001"' in tmx.data
    beads = json.loads(align(zh, en, src_lang=Lang.ZH, tgt_lang=Lang.EN, when="20261206T000000Z", fmt="json").data)
    assert [(b["src"], b["tgt"], b["zh"][:2]) for b in beads] == [([0], [0], "我们"), ([1], [1], "会议")]
    with pytest.raises(TermTMError, match="paragraph by paragraph"):
        align("@document a\n", "@document b\n", src_lang=Lang.ZH, tgt_lang=Lang.EN, when="x", fmt="beads")
    with pytest.raises(TermTMError, match="unknown alignment format"):
        align(zh, en, src_lang=Lang.ZH, tgt_lang=Lang.EN, when="20261206T000000Z", fmt="docx")
