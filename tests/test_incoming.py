"""Incoming work on a real document: analysis bands, pre-translated XLIFF (schema, import, check), the web and API.

The document is article a03 of the bulletin (the Minister's speech) as a client might send it back a
year later: paragraphs kept, dropped, edited by a word or two, new sentences mixed in, a greeting and
a thank-you repeated.
"""

from __future__ import annotations

import json

import pytest
from conftest import shared

from termtm.app.analysis import analyze, band_of, parse_weights
from termtm.app.sources import read_source
from termtm.cli import main
from termtm.corpus.count import size
from termtm.errors import TermTMError
from termtm.model import Lang
from termtm.search import Searcher

SPEECH = """加强合作　加快进程——中国公安部部长孟建柱在湄公河次区域合作反拐第二次部长级磋商会上的发言

尊敬的各位代表、女士们、先生们，朋友们：

今天，湄公河次区域合作反拐第二届部长级磋商会在北京召开，我代表中国政府对会议的召开表示诚挚地祝贺！\
向来自湄公河次区域各国的部长和代表团成员表示热烈欢迎，向多年来关心、支持反拐事业的国际组织及非政府组织的代表表示衷心地感谢！\
本次会议还邀请了多位青年代表列席旁听。中国政府作为此次会议的主办国，期望各位在会议期间生活愉快，会议富有成效。

湄公河次区域合作反对拐卖人口首届部长级磋商会在缅甸仰光召开。\
来自柬埔寨、中国、老挝、缅甸、泰国、越南6国政府的部长联合签署了《湄公河次区域合作反对拐卖人口谅解备忘录》，\
建立了湄公河次区域合作反对拐卖人口进程。这是国际反拐合作的一件大事，开创了湄公河次区域反拐合作的新局面。

各位嘉宾，女士们，先生们：

三年后的今天，《湄公河次区域合作反对拐卖人口谅解备忘录》签约国的部长再次聚会昆明，回顾前一阶段合作的成果，\
制定下一阶段行动计划，签署《湄公河次区域合作反拐进程联合宣言》，这对于进一步加强合作，加快湄公河次区域合作反拐进程意义重大。\
我们应当清醒地看到，在各国反拐工作取得显著成效的同时，彻底消除拐卖人口犯罪的目标还没有实现，\
拐卖人口犯罪在湄公河次区域仍然存在，仍然有相当数量的妇女儿童沦为拐卖人口犯罪的受害者。\
网络招聘和虚假婚介正在成为拐卖人口的新渠道。同时，反拐工作中还存在不少法律上、机制上、保障上的障碍。

经过多年的酝酿，此次会议召开前，中国政府颁布了《中国反对拐卖妇女儿童行动计划(2008-2012年)》。\
该计划的颁布实施，将有力推进中国反拐工作。

该行动计划的制定和实施，将有力推进中国的反拐工作。

各位嘉宾，女士们，先生们：

预祝会议圆满成功！谢谢大家！我们期待明年在河内再次相聚。谢谢大家！
"""
"""Segment by segment (the memory's tuids are bulletin-2007-12:a03:pNNN:sNN):
 0 title            100 (nothing before it)   12 new sentence             new
 1 greeting         context                   13 obstacles, cut short     50-74 (58.33)
 2-3 p002 s00, s01  context                   14 p008 s00                 100 (after a 58% match)
 4 new sentence     new                       15 p008 s01, two words off  85-94 (86.96)
 5 p002 s02         100 (after a new one)     16 p008 s01, rewritten      75-84 (80.0)
 6-8 p003           context                   17 greeting again           repetitions
 9 greeting (p005)  100 (p004 was dropped)    18 p010 s00                 100
10 Kunming for Beijing   95-99 (98.26)        19 p010 s01                 context
11 two words off    95-99 (95.6)              20 new sentence             new
                                              21 thank-you again          repetitions
"""

EXPECTED_BANDS = {
    "context": 7,
    "100": 5,
    "95-99": 2,
    "85-94": 1,
    "75-84": 1,
    "50-74": 1,
    "new": 3,
    "repetitions": 2,
}


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory):  # -> Path
    path = tmp_path_factory.mktemp("incoming") / "speech.txt"
    path.write_text(SPEECH, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def searcher(built) -> Searcher:
    _, store, _ = built
    return Searcher.from_store(store, user_words=[t.text for _, t in store.termbase().terms("zh")])


@pytest.fixture(scope="module")
def analysis(speech, searcher):  # -> Analysis
    return analyze(read_source(speech.read_bytes(), speech.name), searcher)


def cli(built, *args: str) -> list[str]:
    """Arguments that point the CLI at the session's built store."""
    paths, store, _ = built
    return ["--root", str(paths.root), "--db", store.engine.url.render_as_string(hide_password=False), *args]


def test_the_document_is_read_as_chinese_and_split_as_the_memory_is(analysis):
    assert (analysis.src, analysis.tgt, analysis.size_unit) == (Lang.ZH, Lang.EN, "chars")
    assert len(analysis.segments) == 22
    assert [s.text for s in analysis.segments[17:]] == [
        "各位嘉宾，女士们，先生们：",
        "预祝会议圆满成功！",
        "谢谢大家！",
        "我们期待明年在河内再次相聚。",
        "谢谢大家！",
    ]


def test_bands_of_the_perturbed_article(analysis):
    bands = [s.band for s in analysis.segments]
    assert bands == [
        "100", "context", "context", "context", "new", "100", "context", "context", "context", "100",
        "95-99", "95-99", "new", "50-74", "100", "85-94", "75-84", "repetitions", "100", "context", "new",
        "repetitions",
    ]  # fmt: skip
    assert {b: v["segments"] for b, v in analysis.bands().items()} == EXPECTED_BANDS
    assert [s.best for s in analysis.segments[10:17]] == [98.26, 95.6, None, 58.33, 100.0, 86.96, 80.0]
    assert analysis.segments[21].repeats == 19 and analysis.segments[17].repeats == 9


def test_sizes_are_chinese_characters_as_cat_tools_count_them(analysis):
    assert size("2007年12月12-14日由中国公安部主办，UNIAP 区域办公室", Lang.ZH) == 20
    assert size("The anti-trafficking network's 1,000.5 victims — don't go.", Lang.EN) == 7
    assert analysis.segments[20].size == 13  # 我们期待明年在河内再次相聚。: 13 characters, the stop not counted
    assert analysis.total()["size"] == sum(v["size"] for v in analysis.bands().values())


def test_the_percentage_is_the_one_search_fuzzy_prints(built, analysis, capsys):
    for seg in (analysis.segments[10], analysis.segments[15], analysis.segments[13]):
        assert main(cli(built, "search", "fuzzy", seg.text, "--json", "-k", "1", "--min", "50")) == 0
        hit = json.loads(capsys.readouterr().out)[0]
        assert (hit["score"], hit["tuid"]) == (seg.best, seg.matches[0].segment.tuid)


def test_analyze_json_has_the_issue_shape(built, speech, capsys):
    assert main(cli(built, "analyze", str(speech), "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["segments", "size_unit", "bands", "total"]
    assert out["segments"] == 22 and out["size_unit"] == "chars"
    assert list(out["bands"]) == list(EXPECTED_BANDS)
    assert {b: v["segments"] for b, v in out["bands"].items()} == EXPECTED_BANDS
    assert out["bands"]["new"]["size"] == 18 + 21 + 13
    assert out["total"] == {"segments": 22, "size": sum(v["size"] for v in out["bands"].values())}


def test_weights_give_a_weighted_size(built, speech, capsys):
    grid = "context=0,100=0.1,95-99=0.3,85-94=0.5,75-84=0.7,50-74=1,new=1,repetitions=0.1"
    assert main(cli(built, "analyze", str(speech), "--json", "--weights", grid)) == 0
    out = json.loads(capsys.readouterr().out)
    weights = parse_weights(grid)
    expected = round(sum(v["size"] * weights[b] for b, v in out["bands"].items()), 2)
    assert out["weighted"]["size"] == expected and 0 < expected < out["total"]["size"]
    assert main(cli(built, "analyze", str(speech), "--weights", "101=0,90-99=1")) == 2
    assert "BAND=WEIGHT" in capsys.readouterr().err


def test_text_and_csv_reports(built, speech, capsys):
    assert main(cli(built, "analyze", str(speech))) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("speech.txt: 22 segments,")
    assert any(line.split()[:3] == ["context", "(101%)", "7"] for line in text.splitlines())
    assert main(cli(built, "analyze", str(speech), "--format", "csv")) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["band", "segments", "chars", "percent"]
    assert [(r[0], int(r[1])) for r in rows[1:9]] == list(EXPECTED_BANDS.items())


def test_band_edges():
    assert [band_of(s) for s in (100.0, 99.99, 95.0, 94.99, 85.0, 75.0, 74.99, 50.0, 49.99, None)] == [
        "100", "95-99", "95-99", "85-94", "85-94", "75-84", "50-74", "50-74", "new", "new",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"  \n\n", "empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG image"),
        ("sheet.xlsx", b"PK\x03\x04abc", "termtm analyses"),
        (
            "fr.xlf",
            b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
            b'source-language="fr" target-language="en" datatype="plaintext"><body><trans-unit id="1">'
            b"<source>Bonjour</source></trans-unit></body></file></xliff>",
            "the memory holds Chinese and English",
        ),
        (
            "zhzh.xlf",
            b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
            b'source-language="zh-CN" target-language="zh-TW" datatype="plaintext"><body><trans-unit id="1">'
            b"<source>\xe4\xbd\xa0\xe5\xa5\xbd</source></trans-unit></body></file></xliff>",
            "both Chinese",
        ),
    ],
)
def test_bad_documents_get_clear_errors(name, data, message):
    with pytest.raises(TermTMError, match=message):
        read_source(data, name)


def test_xliff_and_po_sources_are_read_with_their_languages():
    po = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "谢谢大家！预祝会议圆满成功！"\nmsgstr ""\n'
    ).encode()
    doc = read_source(po, "speech.po")
    assert (doc.src, doc.tgt) == (Lang.ZH, Lang.EN)
    assert [s.text for s in doc.segments] == ["谢谢大家！", "预祝会议圆满成功！"]


XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


@pytest.fixture(scope="module")
def xliff(built, speech, tmp_path_factory):  # -> Path
    out = tmp_path_factory.mktemp("pretranslated") / "speech.xlf"
    assert main(cli(built, "pretranslate", str(speech), "-o", str(out))) == 0
    return out


def units(path) -> list:  # -> list of <trans-unit> elements
    from lxml import etree

    return list(etree.parse(str(path)).getroot().iter(f"{XLIFF}trans-unit"))


def test_pretranslated_xliff_is_valid_against_the_strict_schema(xliff):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(shared("eval", "xliff", "xliff-core-1.2-strict.xsd"))))
    doc = etree.parse(str(xliff))
    assert schema.validate(doc), schema.error_log
    assert doc.getroot().find(f"{XLIFF}file").get("source-language") == "zh-CN"


def test_targets_states_and_alternatives_follow_the_bands(xliff, analysis):
    tus = units(xliff)
    assert len(tus) == 22
    states = [(tu.find(f"{XLIFF}target").get("state"), tu.find(f"{XLIFF}target").get("state-qualifier")) for tu in tus]
    by_band = {
        "context": ("translated", "exact-match"),
        "100": ("needs-review-translation", "exact-match"),
        "95-99": ("needs-review-translation", "fuzzy-match"),
        "85-94": ("needs-review-translation", "fuzzy-match"),
        "75-84": ("needs-review-translation", "fuzzy-match"),
        "50-74": ("new", None),  # below --min 75: no target
        "new": ("new", None),
    }
    for seg, state in zip(analysis.segments, states, strict=True):
        band = "100" if seg.band == "repetitions" and not seg.context else seg.band
        assert state == by_band["context" if seg.context else band], (seg.index, seg.band, state)
    # a fuzzy target is the memory's English for the best match, offered with its percentage
    tu = tus[15]
    best = analysis.segments[15].matches[0]
    assert tu.find(f"{XLIFF}target").text == best.segment.en
    alt = tu.find(f"{XLIFF}alt-trans")
    assert (alt.get("match-quality"), alt.get("origin")) == ("86.96", "termtm")
    assert alt.find(f"{XLIFF}source").text == best.segment.zh
    # no match at or above 75%: an empty target, no alternatives
    for i in (4, 12, 13, 20):
        assert not tus[i].find(f"{XLIFF}target").text and tus[i].find(f"{XLIFF}alt-trans") is None
    assert all(len(tu.findall(f"{XLIFF}alt-trans")) <= 3 for tu in tus)


def test_term_notes_give_the_preferred_english_and_what_to_avoid(xliff):
    notes = [[n.text for n in tu.findall(f"{XLIFF}note")] for tu in units(xliff)]
    assert "Term: 中国公安部 → Ministry of Public Security [mps]" in notes[0]
    assert "Term: 越南 → Socialist Republic of Viet Nam; avoid: Vietnam [viet-nam]" in notes[7]
    assert all(n.startswith("Term: ") for ns in notes for n in ns)


def test_pretranslated_xliff_imports_and_checks(built, xliff, tmp_path, capsys):
    assert main(cli(built, "check", str(xliff), "--format", "json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["severity"]["error"] == 0 and report["counts"]["total"] >= 1
    from termtm.store import open_store

    db = f"sqlite:///{tmp_path}/copy.db"
    assert main(["--root", str(tmp_path), "--db", db, "import", str(xliff), "--document", "speech"]) == 0
    assert "imported 18 units into document 'speech'" in capsys.readouterr().out
    store = open_store(db)
    seg = store.get("speech:16")
    assert seg is not None and seg.zh == "该计划的颁布实施，将有力推进中国反拐工作。"
    store.engine.dispose()
