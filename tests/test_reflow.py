"""The generic cleaner: its figures on the raw bulletin against layout.yaml, and each rule on a small text."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from termtm.corpus import parse_document
from termtm.corpus.readers import Paragraph, read_document
from termtm.corpus.reflow import (
    Proposal,
    Variant,
    continuation,
    hyphenated_words,
    join_lines,
    looks_hard_wrapped,
    propose_corrections,
    reflow,
)
from termtm.terms import load_glossary
from termtm.terms.ocr import ocr_variants

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "tmx/sources/bulletin-2007-12.zh.ocr.txt"


def _bench():  # -> module bench/reflow_eval.py
    spec = importlib.util.spec_from_file_location("reflow_eval", ROOT / "bench/reflow_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_cleaner_against_layout_yaml_on_the_raw_bulletin() -> None:
    bench = _bench()
    layout = yaml.safe_load((ROOT / "tmx/sources/layout.yaml").read_text(encoding="utf-8"))
    scores = bench.evaluate(RAW.read_text(encoding="utf-8"), layout)
    furniture, boundaries = scores["furniture"], scores["boundaries"]
    # The figures docs/documents-in.md reports; a rule change that moves them must update both.
    assert (furniture.tp, furniture.fp, furniture.fn) == (39, 0, 5)
    assert (boundaries.tp, boundaries.fp, boundaries.fn) == (195, 5, 6)
    assert furniture.f1 == pytest.approx(0.940, abs=5e-4)
    assert boundaries.f1 == pytest.approx(0.973, abs=5e-4)
    assert furniture.f1 >= 0.9 and boundaries.f1 >= 0.9


def test_raw_bulletin_reads_as_paragraphs_with_continuations_followed() -> None:
    raw = RAW.read_text(encoding="utf-8")
    assert looks_hard_wrapped(raw)
    paras = read_document(RAW, "zh")
    texts = [p.text for p in paras]
    # The narrow first column (lines 41–52) is one paragraph, OCR spaces between Han and digits gone.
    assert texts[2].startswith("2007年12月12-14日由中国公安部主办，国务院妇儿工委办公室、外交部")
    # 下转第3页 … 上接第2页: the end of the page-2 paragraph is joined to it.
    assert any(t.endswith("让我们联起手来，紧密协作，继续将渭公河次区域合作反拐事业推上一个新的台阶!") for t in texts)
    # Furniture is gone: the masthead address, the contents, the continuation marks.
    assert not any("6420 1827" in t or "下转" in t or "上接" in t or t.startswith("目 录") for t in texts)
    assert Paragraph("一、一般原则", heading=True) in paras


def test_join_lines_chinese_without_spaces_english_with_hyphens_rejoined() -> None:
    assert join_lines(["2007 年 12", "月 12-14 日由中国公安部主", "办"], "zh") == "2007年12月12-14日由中国公安部主办"
    assert join_lines(["UNIAP", "China office"], "zh") == "UNIAP China office"
    assert join_lines(["the Traf-", "ficking in Persons"], "en") == "the Trafficking in Persons"
    assert join_lines(["the Greater Mekong Sub-", "region"], "en", hyphenated=hyphenated_words("Sub-region")) == (
        "the Greater Mekong Sub-region"
    )
    assert join_lines(["Greater Mekong Sub-", "Region"], "en") == "Greater Mekong Sub-Region"  # a capital: kept
    words = hyphenated_words("regional curricula at the national level")
    assert join_lines(["the regional-", "level curricula"], "en", hyphenated=words) == "the regional-level curricula"
    assert join_lines(["加强合作\u3000加快进程", "——中国公安部"], "zh") == "加强合作\u3000加快进程——中国公安部"


def test_continuation_marks_in_both_languages() -> None:
    assert continuation("(下转第3页)") == ("to", 3)
    assert continuation("（上接第12页）") == ("from", 12)
    assert continuation("(Continued on page 7)") == ("to", 7)
    assert continuation("continued from page 2") == ("from", 2)
    assert continuation("下转第3页的内容很重要。") is None


PAGES = """UNIAP China Newsletter, December 2007
The Fifth Senior Officials Meeting
1. The agenda of the Fifth Senior Officials Meeting comprised the following items, which the six
delegations discussed and adopted in the course of two days of meetings held in the capital of
China under the theme of strengthening cooperation and accelerating progress against traf-
- 1 -
\fUNIAP China Newsletter, December 2007
ficking in persons in the Greater Mekong Sub-region, with the support of the United Nations.
2. The heads of the six government delegations reported on the implementation of the first
Sub-regional Plan of Action.
(continued on page 4)
- 2 -
\fUNIAP China Newsletter, December 2007
Contents
Major meetings ........ 1
Speeches ........ 2
Documents ........ 4
- 3 -
\fUNIAP China Newsletter, December 2007
(continued from page 2)
The plan was adopted by all six governments.
Tel: +86 10 6420 1827
Fax: +86 10 6420 3115
E-mail: uniapchina@yahoo.cn
- 4 -"""


def test_page_furniture_dropped_and_paragraphs_rejoined_across_pages() -> None:
    result = reflow(PAGES, "en")
    assert {d.line: d.reason for d in result.dropped} == {
        1: "running head or foot",
        6: "page number",
        7: "running head or foot",
        11: "continuation mark (to page 4)",
        12: "page number",
        13: "running head or foot",
        14: "table of contents",
        15: "table of contents",
        16: "table of contents",
        17: "table of contents",
        18: "page number",
        19: "running head or foot",
        20: "continuation mark (from page 2)",
        22: "address block",
        23: "address block",
        24: "address block",
        25: "page number",
    }
    assert result.paragraphs() == [
        ("The Fifth Senior Officials Meeting", True),
        (
            "1. The agenda of the Fifth Senior Officials Meeting comprised the following items, which the six "
            "delegations discussed and adopted in the course of two days of meetings held in the capital of China "
            "under the theme of strengthening cooperation and accelerating progress against trafficking in persons "
            "in the Greater Mekong Sub-region, with the support of the United Nations.",
            False,
        ),
        (
            "2. The heads of the six government delegations reported on the implementation of the first "
            "Sub-regional Plan of Action. The plan was adopted by all six governments.",
            False,
        ),
    ]


def test_ocr_text_rules_lists_headings_labels_and_bylines() -> None:
    text = "\n\n".join(
        [
            "项目活动 4 法律框架、执法和司法",
            "目的：",
            "- 建立标准化的有效体系，以便调查案例和起诉，并在国家间交流与司法相关的信息；",
            "- 在流入和流出国的有关机构间创立双边工",
            "作程序，形成维护受害人最大利益的解决方案。",
            "(UNIAP 中国办公室 整理)",
            "中国首个国家反拐行动计划发布",
            "China's First National Plan of Action for Anti-Trafficking in Persons Is Released",
        ]
    )
    result = reflow(text, "zh")
    assert [(b.text, b.heading) for b in result.blocks] == [
        ("项目活动4法律框架、执法和司法", True),
        ("目的：", False),
        ("- 建立标准化的有效体系，以便调查案例和起诉，并在国家间交流与司法相关的信息；", False),
        ("- 在流入和流出国的有关机构间创立双边工作程序，形成维护受害人最大利益的解决方案。", False),
        ("(UNIAP 中国办公室整理)", False),
        ("中国首个国家反拐行动计划发布", True),
        ("China's First National Plan of Action for Anti-Trafficking in Persons Is Released", True),
    ]


def test_repeated_short_lines_are_running_heads_without_page_breaks() -> None:
    body = [f"第{n}段正文说明反对拐卖人口的合作，内容很长，足以成为一行完整的正文，并以句号结束。" for n in range(6)]
    text = "\n\n".join(
        ["重大会议 反拐通讯", body[0], body[1], "重要文件 反拐通訊", body[2], body[3], "反拐通迅", body[4]]
    )
    dropped = {d.text: d.reason for d in reflow(text, "zh").dropped}
    assert dropped == dict.fromkeys(
        ["重大会议 反拐通讯", "重要文件 反拐通訊", "反拐通迅"], "running head (recurring phrase)"
    )


def test_proposals_from_deprecated_terms_are_never_applied() -> None:
    variants = ocr_variants(load_glossary(ROOT / "glossary"))
    assert Variant("COMMII", "COMMIT", next(v.reason for v in variants if v.wrong == "COMMII")) in variants
    # The nearest allowed form, not the concept's long preferred name.
    assert any(v.wrong == "渭公河次区域合作反拐进程" and v.right == "湄公河次区域合作反拐进程" for v in variants)
    lines = ["湄公河次区域合作反拐进程 (COMMII) 是为了创立一个体系。渭公河流域", "COMMIIT and COMMII."]
    proposals = propose_corrections(lines, variants)
    assert [(p.line, p.col, p.original, p.proposed) for p in proposals] == [
        (1, 15, "COMMII", "COMMIT"),
        (1, 33, "渭公河", "湄公河"),
        (2, 13, "COMMII", "COMMIT"),  # COMMIIT is another word: no proposal inside it
    ]
    assert all(isinstance(p, Proposal) and p.reason.startswith("deprecated variant of ") for p in proposals)
    # The cleaner itself leaves the text as it is.
    assert "COMMII" in reflow("\n".join(lines), "zh").blocks[0].text


def test_proposals_on_the_raw_bulletin_match_the_reviewed_corrections() -> None:
    made, agree, fixes, covered = _bench().proposals(RAW.read_text(encoding="utf-8"))
    assert (made, agree, fixes, covered) == (26, 23, 38, 23)


def test_text_already_in_paragraphs_is_not_reflowed() -> None:
    text = "反拐通讯\n\n第一段正文，以句号结束。\n\n第二段正文，也以句号结束。\n"
    assert not looks_hard_wrapped(text)
    assert read_document(Path("x.txt"), "zh", data=text.encode()) == [
        Paragraph("反拐通讯", heading=True),
        Paragraph("第一段正文，以句号结束。"),
        Paragraph("第二段正文，也以句号结束。"),
    ]


def _wrap_zh(text: str, width: int) -> list[str]:
    """Chinese wrapped at `width` characters, as a typesetter does: never inside a run of Latin letters or digits."""
    out, line = [], ""
    for i, ch in enumerate(text):
        line += ch
        after = text[i + 1] if i + 1 < len(text) else ""
        if len(line) >= width and not (ch.isascii() or after.isascii()):
            out.append(line)
            line = ""
    return [*out, line] if line else out


@pytest.mark.parametrize(
    ("lang", "path", "wrap"),
    [
        ("zh", "tmx/bulletin-2007-12.zh.txt", lambda p: _wrap_zh(p, 38)),
        ("en", "tmx/sources/bulletin-2007-12.en.txt", lambda p: textwrap.wrap(p, 75, break_long_words=False)),
    ],
)
def test_the_whole_bulletin_hard_wrapped_comes_back_paragraph_for_paragraph(lang: str, path: str, wrap) -> None:
    doc = parse_document((ROOT / path).read_text(encoding="utf-8"))
    paras = [p.text for art in doc.articles for p in art.paragraphs]
    result = reflow("\n\n".join("\n".join(wrap(p)) for p in paras), lang)
    assert result.dropped == ()
    got = [text for text, _ in result.paragraphs()]
    assert len(got) == len(paras) == 195
    wrong = [(a, b) for a, b in zip(paras, got, strict=True) if a != b]
    # The two words a line break cannot tell apart without a dictionary: a prefix compound broken at its
    # hyphen, whose halves are not both words of the text (non, re).
    if lang == "zh":
        assert wrong == []
    else:
        assert [
            b
            for a, b in wrong
            if a.replace("non-discrimination", "nondiscrimination").replace("re-trafficking", "retrafficking") == b
        ] == [b for _, b in wrong]
        assert len(wrong) == 2


def test_unpunctuated_headings_are_neither_cut_paragraphs_nor_running_heads() -> None:
    doc = parse_document((ROOT / "tmx/sources/bulletin-2007-12.en.txt").read_text(encoding="utf-8"))
    body = [p.text for p in next(a for a in doc.articles if a.id == "a02").paragraphs if p.kind.value == "body"]
    text = "\n\n".join(
        ["Objectives of Activity 1", body[0], "Objectives of Activity 2", body[1], "Objectives of Activity 3", body[2]]
    )
    assert not looks_hard_wrapped(text)
    assert reflow(text, "en").dropped == ()  # even where the cleaner runs: a numbered series is no running head
    paras = read_document(Path("plan.txt"), "en", data=text.encode())
    assert [p.text for p in paras] == text.split("\n\n")


def test_an_address_block_takes_its_name_line_but_not_the_end_of_a_paragraph() -> None:
    text = (
        "The Chinese Government delegation was composed of senior officials of the Ministry of Foreign Affairs and\n"
        "of the Ministry of Commerce\n\nUNIAP China Office\n\nTel: (+86 10) 6420 1827\n\nFax: (+86 10) 6420 3115\n"
    )
    result = reflow(text, "en")
    assert [(d.line, d.reason) for d in result.dropped] == [
        (4, "address block"),
        (6, "address block"),
        (8, "address block"),
    ]
    assert result.paragraphs() == [
        (
            "The Chinese Government delegation was composed of senior officials of the Ministry of Foreign Affairs "
            "and of the Ministry of Commerce",
            False,
        )
    ]
