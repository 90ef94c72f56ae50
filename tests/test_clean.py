"""Cleaning the raw OCR bulletin: reviewed corrections, furniture dropped, articles re-joined."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from conftest import ROOT, shared

from termtm.build import Paths, load_chinese
from termtm.corpus.clean import apply_corrections, clean_bulletin, full_width_punctuation, load_corrections
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
    assert len(corrections) == 38
    assert all(c.reason for c in corrections)
    lines = PATHS.raw.read_text(encoding="utf-8").split("\n")
    for c in corrections:
        assert lines[c.line - 1][c.col - 1 :].startswith(c.original)


def test_counts_of_the_cleaned_bulletin(cleaned):
    doc, report, _, _ = cleaned
    assert len(doc.articles) == 12
    assert sum(len(a.paragraphs) for a in doc.articles) == 195
    assert (report.corrections, report.dropped_lines, report.gaps) == (38, 44, 7)


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
    assert "紧密协作，继续保持对湄公河次区域跨国拐卖犯罪的高压态势，将湄公河次区域合作反拐事业推上一个新的台阶！" in (
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
    assert sum(p.kind is ParaKind.HEADING for p in doc.article("a07").paragraphs) == 8


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


@pytest.mark.parametrize(
    ("ocr", "clean"),
    [
        ("包括:人民日报、新华社,中央电视台;", "包括：人民日报、新华社，中央电视台；"),
        ("共34家,50名记者", "共34家，50名记者"),  # a digit after the mark
        ("(中国 北京, 2007年12月14日)", "(中国 北京，2007年12月14日)"),  # the space after it goes too
        ("《联合宣言》,将", "《联合宣言》，将"),  # after Chinese punctuation
        ("具体行动:", "具体行动："),  # ending the paragraph
        ("推上一个新的台阶!", "推上一个新的台阶！"),
        (
            "COMMIT, UNIAP: 1,000 <http://uniap.law.pku.edu.cn/a.asp?x=1>",
            "COMMIT, UNIAP: 1,000 <http://uniap.law.pku.edu.cn/a.asp?x=1>",
        ),
        ("在 COMMIT, 进程", "在 COMMIT, 进程"),  # after Latin text: left alone
    ],
)
def test_half_width_commas_semicolons_and_colons_in_chinese_become_full_width(ocr, clean):
    assert full_width_punctuation(ocr) == clean


def test_the_cleaned_bulletin_has_no_half_width_comma_semicolon_or_colon_between_han(cleaned):
    import re

    from termtm.corpus.script import HAN_RANGES

    assert re.findall(rf"[{HAN_RANGES}][,;:] ?[{HAN_RANGES}]", cleaned[3]) == []
    raw = PATHS.raw.read_text(encoding="utf-8")
    assert len(re.findall(rf"[{HAN_RANGES}][,;:] ?[{HAN_RANGES}]", raw)) == 98  # what the rule repaired


def test_the_structural_repairs(cleaned):
    doc = cleaned[0]
    a05 = [p.text for p in doc.article("a05").paragraphs]
    # reading order: the transit-centre passage of raw 204 belongs to point three, before raw 200
    assert a05[4].startswith("三是开发试点，探索模式，积极做好拐卖受害……2006年11月中国公安部在广西东兴市")
    assert "该中心采取多种形式，积极救助拐卖受害人。民政部门在河南省郑州市" in a05[4]
    assert a05[6].startswith("五是") and a05[6].endswith("抓获了一批犯罪嫌疑人。") and "……" not in a05[6]
    a07 = doc.article("a07").paragraphs
    pa2 = next(i for i, p in enumerate(a07) if p.text.startswith("项目活动2"))
    lost = next(i for i, p in enumerate(a07) if p.kind is ParaKind.HEADING and i > pa2)
    assert a07[lost].text == "……" and a07[lost + 1].text == "具体行动："  # Project Area 3: heading and objective lost
    assert a07[lost + 2].text.startswith("- 增强多边及双边谅解备忘录")
    pa5 = next(i for i, p in enumerate(a07) if p.text.startswith("项目活动5"))
    assert a07[pa5 + 3].text.endswith("经济和社会支持。……")  # the label 具体行动 is lost
    pa8 = next(i for i, p in enumerate(a07) if p.text.startswith("项目活动8"))
    assert a07[pa8 + 1].text == "目的：……"
    text = cleaned[3]
    assert "保护受害人的人身安全" in text and "台湾中央日报" in text and "台湾中央报" not in text
    assert "NewsId=1098&classeid=10&classname=专家论坛" in text
    assert "的承诺，体现了我们湄公河次区域国家间合作" in text


def test_both_source_files_say_which_positions_are_1_based_and_which_0_based():
    head = PATHS.corrections.read_text(encoding="utf-8").split("\nline\t")[0]
    assert "1-BASED" in head and "0-based" in head
    layout = PATHS.layout.read_text(encoding="utf-8").split("\ndocument:")[0]
    assert "1-BASED" in layout and "0-BASED" in layout
