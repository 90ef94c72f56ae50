"""Editorial checks (termtm.qa): what each check reports, on real term-base data and on the built bulletin."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from inject import inject, score

from termtm.cli import main
from termtm.qa import (
    CHECKS,
    IgnoreListError,
    QAContext,
    Severity,
    Unit,
    apply_ignore,
    load_ignore,
    parse_ignore,
    raw_units,
    run_checks,
    select,
)
from termtm.qa.numbers import parse_chinese
from termtm.terms import load_glossary
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
IGNORE = ROOT / "qa-ignore.yaml"


@pytest.fixture(scope="module")
def ctx() -> QAContext:
    """The project's glossary, loaded straight from glossary/ (no build needed)."""
    return QAContext(load_glossary(ROOT / "glossary"))


def found(ctx: QAContext, zh: str, en: str, check: str) -> list:
    """Findings of one check on one unit."""
    return run_checks([Unit("t1", zh, en)], ctx, select([check]))


# --- numbers and dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("六", 6), ("二十", 20), ("一百七十五", 175), ("两万", 20000), ("二〇〇七", 2007), ("六七", None)],
)
def test_chinese_numerals_parse(numeral, value):
    assert parse_chinese(numeral) == value


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("2007年12月12-14日在北京召开。", "Held in Beijing on 12–14 December 2007."),
        ("２００７年１２月１４日", "14 December 2007"),
        ("六个次区域成员国", "the six sub-regional member countries"),
        ("从二十世纪八十年代起", "Since the 1980s"),
        ("增长了百分之三十", "rose by 30 per cent"),
        ("第6次和第7次高官会", "the 6th and 7th Senior Officials Meetings"),
        ("14日下午", "On the afternoon of 14 December"),
        ("中越两国公安部", "the Ministries of Public Security of China and Viet Nam"),
    ],
)
def test_numbers_that_agree_are_not_reported(ctx, zh, en):
    assert found(ctx, zh, en, "numbers") == []


@pytest.mark.parametrize(
    ("zh", "en", "zh_span", "en_span"),
    [
        ("2007年12月12-14日", "12–14 November 2007", "12月", "November"),
        ("2007年12月12-14日", "13–14 December 2007", "12", "13"),
        ("六个次区域成员国", "the seven sub-regional member countries", "六", ""),
        ("增长了30%", "rose by 40%", "30%", "40%"),
    ],
)
def test_numbers_that_differ_are_errors_with_both_spans(ctx, zh, en, zh_span, en_span):
    (f,) = found(ctx, zh, en, "numbers")
    assert (f.severity, f.zh, f.en) == (Severity.ERROR, zh_span, en_span)


# --- terminology --------------------------------------------------------------------------------------


def test_deprecated_ocr_variant_is_an_error_with_the_preferred_term(ctx):
    (f,) = found(ctx, "渭公河流域", "the Mekong River basin", "deprecated-term")
    assert (f.severity, f.zh, f.en, f.suggestion) == (Severity.ERROR, "渭公河", "", "湄公河")


def test_deprecated_english_term_is_found_too(ctx):
    (f,) = found(ctx, "杜航伟发言", "Speech by Du Hungwei", "deprecated-term")
    assert (f.en, f.suggestion) == ("Du Hungwei", "Du Hangwei")


def test_key_term_without_allowed_rendering_is_a_warning(ctx):
    (f,) = found(ctx, "公安部召开会议。", "The ministry held a meeting.", "key-term")
    assert (f.severity, f.zh, f.suggestion) == (Severity.WARNING, "公安部", "Ministry of Public Security")
    assert found(ctx, "公安部召开会议。", "The Ministry of Public Security held a meeting.", "key-term") == []


def test_key_term_accepts_inflected_renderings(ctx):
    assert found(ctx, "解救了一批妇女", "rescuing a number of women", "key-term") == []


def test_abbreviation_on_one_side_only(ctx):
    (f,) = found(ctx, "第五次高官会 (SOM5) 召开。", "The Fifth Senior Officials Meeting was held.", "abbreviation")
    assert (f.zh, f.en) == ("SOM5", "")
    # an English acronym of a term in the Chinese is explained: MPS for 公安部
    assert found(ctx, "公安部主办。", "Hosted by the Ministry of Public Security (MPS).", "abbreviation") == []


def test_term_variants_point_at_the_units_off_the_preferred_term(ctx):
    units = [
        Unit("a", "公安部主办。", "Hosted by the Ministry of Public Security."),
        Unit("b", "公安部协办。", "Co-organized by the Ministry of Public Security."),
        Unit("c", "公安部出席。", "The Ministry of Public Security of China attended."),
    ]
    (f,) = run_checks(units, ctx, select(["term-variants"]))
    assert (f.severity, f.tuids, f.suggestion) == (Severity.INFO, ("c",), "Ministry of Public Security")


# --- segments -------------------------------------------------------------------------------------------


def test_same_source_and_same_target(ctx):
    units = [Unit("a", "目的：", "Objective:"), Unit("b", "目的:", "Purpose:"), Unit("c", "宗旨：", "Purpose:")]
    checks = select(["same-source", "same-target"])
    assert [(f.check, f.tuids) for f in run_checks(units, ctx, checks)] == [
        ("same-source", ("a", "b")),  # 目的： and 目的: differ only in width
        ("same-target", ("b", "c")),
    ]


@pytest.mark.parametrize(("en", "message"), [("", "empty"), ("公安部召开会议。", "untranslated")])
def test_untranslated_units_are_errors_and_silence_the_bilingual_checks(ctx, en, message):
    findings = run_checks([Unit("t1", "公安部召开会议。", en)], ctx)
    assert [(f.check, f.severity) for f in findings] == [("completeness", Severity.ERROR)]
    assert message in findings[0].message


def test_a_unit_lost_on_both_sides_is_not_untranslated(ctx):
    """SPA II's Project Area 3 heading is lost in the OCR: …… in the Chinese, […] in the English."""
    assert run_checks([Unit("h", "……", "[…]")], ctx, select(["completeness"])) == []
    (f,) = run_checks([Unit("h", "……", "")], ctx, select(["completeness"]))
    assert "empty" in f.message


# --- script and typography ----------------------------------------------------------------------------


def test_typography(ctx):
    unit = Unit("t1", "《反拐通訊》季刊,由项目编发", "The  quarterly Newsletter is is compiled （by UNIAP.")
    typography = select(["traditional", "punctuation-width", "brackets", "repeated-word", "double-space"])
    got = [(f.check, f.zh, f.en) for f in run_checks([unit], ctx, typography)]
    assert got == [
        ("traditional", "訊", ""),
        ("punctuation-width", "刊,由", ""),
        ("punctuation-width", "", "d （b"),
        ("brackets", "", "（"),
        ("repeated-word", "", "is is"),
        ("double-space", "", "The  quarte"),
    ]


def test_list_markers_are_not_unbalanced_brackets(ctx):
    unit = Unit("t1", "我们应做到：1) 对这一重要工作再次承诺", "we should: 1) renew our commitment (as agreed)")
    assert found(ctx, unit.zh, unit.en, "brackets") == []


# --- ignore list and raw OCR ----------------------------------------------------------------------------


def test_ignore_entry_without_reason_is_rejected():
    with pytest.raises(IgnoreListError, match="needs a `reason:`"):
        parse_ignore("ignore:\n- check: numbers\n  tuid: x\n", "qa-ignore.yaml", list(CHECKS))
    with pytest.raises(IgnoreListError, match="unknown check"):
        parse_ignore("ignore:\n- check: spelling\n  tuid: x\n  reason: r\n", "qa-ignore.yaml", list(CHECKS))


def test_raw_units_are_numbered_by_line():
    assert raw_units("反拐通讯\n\n渭公河\n") == [Unit("ocr:1", "反拐通讯", ""), Unit("ocr:3", "渭公河", "")]


# --- the built bulletin ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memory(built):
    """The built memory as units, and the context over the stored term base."""
    _, store, _ = built
    units = [Unit(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    return units, QAContext(store.termbase())


def test_every_error_on_the_clean_memory_is_explained(memory):
    units, ctx = memory
    errors = run_checks(units, ctx, min_severity=Severity.ERROR)
    assert sorted((f.check, f.tuids[0]) for f in errors) == [
        ("deprecated-term", "bulletin-2007-12:a05:p000:s00"),  # printed "Du Hungwei"
        ("numbers", "bulletin-2007-12:a07:p000:s00"),  # printed title without 2008–2010
    ]
    kept, ignored = apply_ignore(errors, load_ignore(IGNORE, list(CHECKS)))
    assert kept == [] and len(ignored) == 2


def test_injected_errors_are_found(memory):
    units, ctx = memory
    dirty, injections = inject(units, ctx, per_check=10, seed=7)
    assert {c: sum(i.check == c for i in injections) for c in CHECKS} == dict.fromkeys(CHECKS, 10)
    result = score(run_checks(units, ctx), run_checks(dirty, ctx), injections)
    assert result.recall >= 0.95, result.missed
    assert result.precision >= 0.90, result.false


def test_cli_json_on_the_store_gates_on_errors(built, capsys, tmp_path):
    paths, _, _ = built
    assert main(["--root", str(paths.root), "check", "--format", "json", "--ignore", str(IGNORE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"findings", "counts"}
    assert set(out["findings"][0]) == {"check", "severity", "tuids", "zh", "en", "message", "suggestion"}
    assert out["counts"]["severity"]["error"] == 0 and out["counts"]["ignored"] == 36  # 2 errors, 34 key-term
    empty = tmp_path / "none.yaml"
    empty.write_text("ignore: []\n", encoding="utf-8")
    args = ["--root", str(paths.root), "check", "--min-severity", "error", "--format", "json", "--ignore", str(empty)]
    assert main(args) == 1
    assert json.loads(capsys.readouterr().out)["counts"]["checks"] == {"deprecated-term": 1, "numbers": 1}


def test_cli_checks_a_tmx_file(built, capsys, tmp_path):
    paths, _, _ = built
    tmx = tmp_path / "review.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="zh-CN" segtype="sentence" '
        'datatype="plaintext" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>'
        '<tu tuid="u1"><tuv xml:lang="zh-CN"><seg>渭公河次区域六国</seg></tuv>'
        '<tuv xml:lang="en"><seg>the seven countries of the Greater Mekong Sub-region</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    args = ["--root", str(paths.root), "check", str(tmx), "--format", "json", "--min-severity", "error"]
    assert main(args) == 1
    got = {(f["check"], f["zh"], f["suggestion"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert got == {
        ("deprecated-term", "渭公河次区域", "湄公河次区域"),
        ("numbers", "六", "make the figures, dates and percentages agree"),
    }


def test_cli_checks_the_exported_tmx_like_the_store(built, capsys):
    paths, _, _ = built
    assert main(["--root", str(paths.root), "check", str(paths.tmx), "--format", "json", "--ignore", str(IGNORE)]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["ignored"] == 36


def test_cli_raw_ocr_counts(built, capsys):
    paths, _, _ = built
    assert main(["--root", str(paths.root), "check", "--raw", "--format", "json", "--ignore", str(IGNORE)]) == 1
    counts = json.loads(capsys.readouterr().out)["counts"]["checks"]
    assert counts["deprecated-term"] == 26  # every OCR variant of the term base (台湾中央报 too) that corrections fix
    assert counts["traditional"] == 3  # 訊 of the mast-head, 懲/罷 of the contents line
    assert "key-term" not in counts  # bilingual checks do not run on Chinese alone


def test_check_page_filters_and_lists_the_concepts_that_vary(built_url, tmp_path):
    none = tmp_path / "empty-ignore.yaml"
    none.write_text("ignore: []\n", encoding="utf-8")
    app = create_app({"DATABASE_URL": built_url, "TESTING": True, "QA_IGNORE": str(none)})
    client = app.test_client()
    html = client.get("/check", query_string={"check": "deprecated-term"}).get_data(as_text=True)
    assert 'id="findings-count">1 finding,' in html and "Du Hungwei" in html
    assert '<a href="/segment/bulletin-2007-12:a05:p000:s00">' in html
    assert "punctuation-width</td>" not in html  # filtered to one check
    assert '<td><a href="/term/mps">mps</a></td>' in html  # MPS, Ministry of Public Security, …: it varies
    errors_only = client.get("/check", query_string={"severity": "error"}).get_data(as_text=True)
    assert 'id="findings-count">2 findings,' in errors_only and "term-variants</td>" not in errors_only
    ignored = create_app({"DATABASE_URL": built_url, "TESTING": True, "QA_IGNORE": str(IGNORE)})
    page = ignored.test_client().get("/check", query_string={"severity": "error"}).get_data(as_text=True)
    ignored_count = int(re.search(r"(\d+) ignored", page)[1])  # both errors, and every other accepted finding
    assert ignored_count >= 2 and '<tr class="finding ' not in page
    shown = ignored.test_client().get("/check", query_string={"severity": "error", "status": "ignored"})
    assert "Du Hungwei" in shown.get_data(as_text=True) and "status-ignored" in shown.get_data(as_text=True)
