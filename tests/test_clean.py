"""Cleaning the raw OCR bulletin: reviewed corrections, furniture dropped, articles re-joined."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from conftest import ROOT, shared

from termtm.build import Paths, load_chinese
from termtm.corpus.clean import apply_corrections, clean_bulletin, load_corrections
from termtm.errors import LayoutError
from termtm.model import ParaKind

PATHS = Paths(ROOT)
SEED_SHA256 = "37b083241c5e702fa032089d3db786602d49abfdfc4a5596909e3de8b53cc1e8"


@pytest.fixture(scope="module")
def cleaned():
    doc, report, titles, _ = load_chinese(PATHS)
    text = "\n".join(p.text for a in doc.articles for p in a.paragraphs)
    return doc, report, titles, text


def test_raw_source_is_the_seed_byte_for_byte():
    assert hashlib.sha256(PATHS.raw.read_bytes()).hexdigest() == SEED_SHA256
    seed = shared("seeds", "000_e986f56930086b7c.txt")
    assert PATHS.raw.read_bytes() == seed.read_bytes()


def test_every_correction_has_a_reason_and_matches_the_raw_text():
    corrections = load_corrections(PATHS.corrections.read_text(encoding="utf-8"))
    assert len(corrections) == 34
    assert all(c.reason for c in corrections)
    lines = PATHS.raw.read_text(encoding="utf-8").split("\n")
    for c in corrections:
        assert lines[c.line - 1][c.col - 1 :].startswith(c.original)


def test_counts_of_the_cleaned_bulletin(cleaned):
    doc, report, _, _ = cleaned
    assert len(doc.articles) == 12
    assert sum(len(a.paragraphs) for a in doc.articles) == 193
    assert (report.corrections, report.dropped_lines, report.gaps) == (34, 45, 5)


@pytest.mark.parametrize("ocr_error", ["渭公河", "COMMII", "磋商商会", "先生们，先生", "的的", "刑侦侦查局", "uniac"])
def test_known_ocr_errors_are_gone(cleaned, ocr_error):
    assert ocr_error not in cleaned[3]


@pytest.mark.parametrize(
    "furniture",
    ["下转第", "上接第", "目 录", "目录", "邮编", "传真", "懲", "反拐通迅", "甘文脚", "压哩毕凶", "反拐华风"],
)
def test_page_furniture_is_dropped(cleaned, furniture):
    assert furniture not in cleaned[3]


def test_article_split_across_pages_reads_continuously(cleaned):
    a01 = cleaned[0].article("a01")
    assert "紧密协作，继续保持对湄公河次区域跨国拐卖犯罪的高压态势,将湄公河次区域合作反拐事业推上一个新的台阶!" in (
        a01.paragraphs[9].text
    )
    a03 = cleaned[0].article("a03")
    assert "连续多年在全国范围及部分重点地区开展专项打击行动" in a03.paragraphs[7].text


def test_column_broken_lines_are_joined(cleaned):
    first = cleaned[0].article("a01").paragraphs[1].text
    assert first.startswith("2007年12月12-14日由中国公安部主办，国务院妇儿工委办公室、外交部、商务部协办，联合国机构间")


def test_document_model_has_titles_sections_and_speakers(cleaned):
    doc, _, titles, _ = cleaned
    a03 = doc.article("a03")
    assert a03.section == "重要讲话" and a03.speaker == "孟建柱"
    assert a03.paragraphs[0].kind is ParaKind.TITLE
    assert a03.title.startswith("加强合作　加快进程——中国公安部部长孟建柱")
    assert titles["a05"].startswith("Speech by Mr Du Hungwei, Head of the Chinese Delegation")
    assert sum(p.kind is ParaKind.HEADING for p in doc.article("a07").paragraphs) == 7


def test_build_reproduces_the_committed_cleaned_text(built):
    paths, _, _ = built
    assert paths.cleaned.read_bytes() == PATHS.cleaned.read_bytes()


def _layout():
    return yaml.safe_load(PATHS.layout.read_text(encoding="utf-8"))


def test_a_layout_that_loses_a_line_is_refused():
    layout = _layout()
    layout["furniture"] = [f for f in layout["furniture"] if f["lines"] != "93"]
    raw = PATHS.raw.read_text(encoding="utf-8")
    with pytest.raises(LayoutError, match=r"raw lines \[93\]"):
        clean_bulletin(raw, load_corrections(PATHS.corrections.read_text(encoding="utf-8")), layout)


def test_a_correction_that_does_not_match_is_refused():
    bad = load_corrections("line\tcol\toriginal\tcorrected\treason\n95\t1\t渭公河\t湄公河\tposition is wrong\n")
    with pytest.raises(LayoutError, match="95:1 expects '渭公河'"):
        apply_corrections(PATHS.raw.read_text(encoding="utf-8").split("\n"), bad)


def test_a_correction_without_reason_is_refused():
    with pytest.raises(LayoutError, match="give a reason"):
        load_corrections("line\tcol\toriginal\tcorrected\treason\n95\t23\t渭公河\t湄公河\t\n")
