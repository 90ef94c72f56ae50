"""Incoming work on a real document: analysis bands, pre-translated XLIFF (schema, import, check), the web and API.

The document is article a03 of the bulletin (the Minister's speech) as a client might send it back a
year later: paragraphs kept, dropped, edited by a word or two, new sentences mixed in, a greeting and
a thank-you repeated.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

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
    assert main(["--root", str(tmp_path), "--db", db, "import", str(xliff), "--document", "speech", "--all"]) == 0
    assert "imported 18 units into document 'speech'" in capsys.readouterr().out
    store = open_store(db)
    seg = store.get("speech:16")
    assert seg is not None and seg.zh == "该计划的颁布实施，将有力推进中国反拐工作。"
    store.engine.dispose()


def reviewed(xliff, out, marks: dict[str, dict[str, str]], texts: dict[str, str] | None = None):  # -> Path
    """The pre-translated file as a reviewer sends it back: attributes set on units (`approved`) or their
    targets (`state`), by unit id, and some targets rewritten."""
    from lxml import etree

    tree = etree.parse(str(xliff))
    for tu in tree.getroot().iter(f"{XLIFF}trans-unit"):
        target = tu.find(f"{XLIFF}target")
        for key, value in marks.get(tu.get("id"), {}).items():
            (tu if key == "approved" else target).set(key, value)
        if texts and tu.get("id") in texts:
            target.text = texts[tu.get("id")]
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def test_only_the_approved_units_of_a_translated_xliff_enter_the_memory(built, xliff, tmp_path, capsys):
    from termtm.store import open_store

    db = f"sqlite:///{tmp_path}/approved.db"
    args = ["--root", str(tmp_path), "--db", db, "-q", "import"]
    # as pre-translated: memory matches waiting for review, none approved; refused, nothing stored
    capsys.readouterr()
    assert main([*args, str(xliff), "--document", "speech"]) == 2
    err = capsys.readouterr().err
    assert "speech.xlf holds no approved units (18 not approved, 4 untranslated): pass --all" in err
    kunming = units(xliff)[10].find(f"{XLIFF}target").text.replace("Beijing", "Kunming")
    marks = {
        "1": {"approved": "yes"},  # a 100% match the reviewer approved as it is
        "11": {"state": "final"},  # a 95% match corrected (Beijing → Kunming) and finalised
        "16": {"state": "signed-off"},
        "6": {"approved": "no", "state": "final"},  # an explicit "no" wins over the state
        "5": {"approved": "yes"},  # approved, but its target is empty: untranslated
    }
    back = reviewed(xliff, tmp_path / "speech.xlf", marks, {"11": kunming})
    assert units(back)[1].find(f"{XLIFF}target").get("state") == "translated"  # a context match: not approved
    assert main([*args, str(back), "--document", "speech"]) == 0
    out = capsys.readouterr().out
    assert "imported 3 units into document 'speech' (3 added, 0 changed, 0 removed)" in out
    assert "15 units not approved left out (--all imports them); 4 untranslated units left out" in out
    store = open_store(db)
    assert sorted(r.segment.tuid for r in store.records("speech")) == ["speech:1", "speech:11", "speech:16"]
    assert store.get("speech:11").en == kunming and "Kunming" in kunming
    store.engine.dispose()
    # --all: every unit with a target, reviewed or not
    assert main([*args, str(back), "--document", "speech", "--replace", "--all"]) == 0
    out = capsys.readouterr().out
    assert "imported 18 units into document 'speech' (15 added, " in out  # (the 3 kept move in sentence order)
    assert out.rstrip().endswith("removed); 4 untranslated units left out")
    assert "not approved" not in out


def omegat_translate(xliff, tmp_path, translations: dict[str, str] | None = None):  # -> project Path
    """Run Debian's OmegaT (3.6) in console mode on a project with the XLIFF as its source file, and with
    `translations` (segment text → translation) in the project's own memory, as if a translator had typed
    them; its translated file is under target/."""
    from xml.sax.saxutils import escape

    from test_omegat import PROJECT_XML

    if shutil.which("omegat") is None:
        pytest.skip("OmegaT is not installed (apt-get install omegat); .ci/run installs it")
    proj = tmp_path / "speech"
    for d in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (proj / d).mkdir(parents=True)
    (proj / "omegat.project").write_text(PROJECT_XML, encoding="utf-8")
    shutil.copy(xliff, proj / "source" / xliff.name)
    if translations:
        tus = "".join(
            f'<tu><tuv lang="zh-CN"><seg>{escape(a)}</seg></tuv><tuv lang="en"><seg>{escape(b)}</seg></tuv></tu>\n'
            for a, b in translations.items()
        )
        (proj / "omegat" / "project_save.tmx").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="OmegaT" '
            'o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext" creationtoolversion="3.6" '
            f'segtype="sentence" srclang="zh-CN"/><body>\n{tus}</body></tmx>\n',
            encoding="utf-8",
        )
    cmd = ["omegat", str(proj), "--mode=console-translate", f"--config-dir={tmp_path / 'config'}", "--no-team"]
    done = subprocess.run([*cmd, "--disable-project-locking"], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return proj


def test_omegat_opens_the_xliff_as_a_source_file_with_the_prefilled_targets(xliff, tmp_path):
    """Debian's OmegaT (3.6) in console mode: the file loads, and its segments and target file are our targets.

    OmegaT 3.6's XLIFF filter follows the Okapi Rainbow convention: it offers the text of each <target>
    for translation (a <source> is kept intact), so the pre-filled targets are what the translator sees
    and edits; units with an empty target give no segment.
    """
    proj = omegat_translate(xliff, tmp_path)
    stats = (proj / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    filled = [tu.find(f"{XLIFF}target").text for tu in units(xliff) if tu.find(f"{XLIFF}target").text]
    assert int(re.search(r"^Total:\s+(\d+)", stats, re.M).group(1)) == len(filled) == 18
    assert int(re.search(r"^Unique:\s+(\d+)", stats, re.M).group(1)) == len(set(filled))
    written = [tu.find(f"{XLIFF}target") for tu in units(proj / "target" / xliff.name)]
    assert [t.text or "" for t in written] == [tu.find(f"{XLIFF}target").text or "" for tu in units(xliff)]
    assert [t.get("state") for t in written].count("translated") == 7


def test_omegat_writes_translations_back_without_marking_them_approved(built, xliff, tmp_path, capsys):
    """What OmegaT 3.6 writes into a translated unit: the new text in <target>, and the state, the
    state-qualifier and the absence of `approved` exactly as they came. So its file says nothing about review,
    and `termtm import` takes none of it without --all."""
    before = units(xliff)
    edited = {
        before[i].find(f"{XLIFF}target").text: f"Revised: {before[i].find(f'{XLIFF}target').text}" for i in (0, 1)
    }
    proj = omegat_translate(xliff, tmp_path, edited)
    after = units(proj / "target" / xliff.name)
    assert [tu.find(f"{XLIFF}target").text for tu in after[:2]] == list(edited.values())
    for old, new in zip(before, after, strict=True):
        assert new.get("approved") is None
        assert new.find(f"{XLIFF}target").attrib == old.find(f"{XLIFF}target").attrib
    db = f"sqlite:///{tmp_path}/omegat.db"
    args = ["--root", str(tmp_path), "--db", db, "-q", "import", str(proj / "target" / xliff.name)]
    capsys.readouterr()
    assert main(args) == 2 and "holds no approved units (18 not approved" in capsys.readouterr().err
    assert main([*args, "--all"]) == 0 and "imported 18 units" in capsys.readouterr().out


# ---- the web pages and the API ---------------------------------------------------------------------------

TRANSLATOR = ("translator-incoming", "translator password")


@pytest.fixture(scope="module")
def app(built, built_url, tmp_path_factory):
    from termtm.store.users import Role, Users
    from termtm.web import create_app

    users = Users(built[1])
    users.add(*TRANSLATOR, Role.READER, "20240101T000000Z")
    exports = tmp_path_factory.mktemp("exports")
    yield create_app({"DATABASE_URL": built_url, "EXPORT_DIR": str(exports), "INDEX_DIR": str(exports / "none")})
    users.remove(TRANSLATOR[0])


def signed_in(app):  # -> (FlaskClient, csrf token)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": TRANSLATOR[0], "password": TRANSLATOR[1], "csrf_token": token})
    assert r.status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/incoming").text).group(1)
    return client, token


def upload(client, url: str, token: str, data: bytes, name: str, **fields: str):
    import io

    form = {"csrf_token": token, "file": (io.BytesIO(data), name), **fields}
    return client.post(url, data=form, content_type="multipart/form-data")


BASIC = {
    "Authorization": "Basic " + __import__("base64").b64encode(":".join(TRANSLATOR).encode()).decode(),
    "X-Requested-With": "test",  # an API write with HTTP Basic names itself a script (no CSRF token)
}


def test_the_upload_page_is_for_signed_in_users(app):
    r = app.test_client().get("/incoming")
    assert r.status_code == 302 and "/login?next=/incoming" in r.location


def test_a_document_uploaded_in_the_browser_is_analysed_and_pretranslated(app, speech):
    client, token = signed_in(app)
    r = upload(client, "/incoming/analyze", token, speech.read_bytes(), "speech.txt")
    assert r.status_code == 303
    page = client.get(r.location).text
    rows = dict(re.findall(r'<tr data-band="([^"]+)"><th scope="row">[^<]*</th><td class="n">(\d+)</td>', page))
    assert {b: int(n) for b, n in rows.items()} == EXPECTED_BANDS
    assert page.count('<rect class="band-bar') == 8
    xliff = client.get(r.location + "/xliff")
    assert xliff.mimetype == "application/x-xliff+xml"
    assert "speech.xlf" in xliff.headers["Content-Disposition"]
    assert xliff.data.count(b"<trans-unit ") == 22
    # another user cannot open the result
    other = app.test_client()
    assert other.get(r.location).status_code == 302


def test_a_translated_file_is_checked_grouped_filtered_and_downloadable(app, xliff):
    client, token = signed_in(app)
    r = upload(client, "/incoming/check", token, xliff.read_bytes(), "speech.xlf")
    assert r.status_code == 303
    page = client.get(r.location).text
    everything = int(re.search(r'id="shown">(\d+)', page).group(1))
    warnings = int(re.search(r'id="shown">(\d+)', client.get(r.location + "?severity=warning").text).group(1))
    assert everything == 6 and warnings == 4  # as `termtm check speech.xlf`: 4 warnings, 2 notes
    assert 'id="check-key-term"' in page and 'id="check-same-target"' in page
    one = client.get(r.location + "?check=key-term").text
    assert 'id="check-key-term"' in one and 'id="check-same-target"' not in one
    rows = client.get(r.location + "/report.csv?severity=warning").data.decode().splitlines()
    assert rows[0] == "check,severity,tuids,zh,en,message,suggestion" and len(rows) == 1 + warnings
    html = client.get(r.location + "/report.html").data.decode()
    assert html.startswith("<!doctype html>") and html.count("<tr class=") == everything


@pytest.mark.parametrize(
    ("url", "name", "data", "status", "message"),
    [
        ("/incoming/analyze", "blank.txt", b"\n \n", 400, "blank.txt is empty"),
        ("/incoming/analyze", "speech.docx", b"PK\x03\x04 not really", 400, "a damaged Word document"),
        ("/incoming/analyze", "speech.xlsx", b"PK\x03\x04 not really", 400, "termtm analyses .txt"),
        ("/incoming/check", "photo.tmx", b"\x89PNG\r\n\x1a\n\x00\x00", 400, "a PNG image"),
        (
            "/incoming/check",
            "fr.xlf",
            b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
            b'source-language="fr" target-language="en" datatype="plaintext"><body><trans-unit id="1">'
            b"<source>Bonjour</source><target>Hello</target></trans-unit></body></file></xliff>",
            400,
            "neither Chinese nor English",
        ),
    ],
)
def test_bad_uploads_get_clear_errors_on_the_page(app, url, name, data, status, message):
    client, token = signed_in(app)
    r = upload(client, url, token, data, name)
    assert r.status_code == status and message in re.search(r'id="upload-error">([^<]*)', r.text).group(1)


def test_an_oversize_upload_is_refused_before_it_is_read(app):
    client, token = signed_in(app)
    limit = app.config["MAX_UPLOAD"]
    app.config["MAX_UPLOAD"] = 1000
    try:
        r = upload(client, "/incoming/analyze", token, "谢谢大家！".encode() * 200, "big.txt")
    finally:
        app.config["MAX_UPLOAD"] = limit
    assert r.status_code == 413 and "the limit is 1,000" in r.text


def test_the_api_analyses_pretranslates_and_checks(app, built, speech, xliff, capsys):
    import io

    client = app.test_client()

    def post(path: str, data: bytes, name: str, headers: dict | None = None, **fields: str):
        form = {"file": (io.BytesIO(data), name), **fields}
        return client.post(path, data=form, headers=headers or {}, content_type="multipart/form-data")

    assert post("/api/v1/analyze", speech.read_bytes(), "speech.txt").status_code == 401
    r = post("/api/v1/analyze", speech.read_bytes(), "speech.txt", BASIC)
    assert main(cli(built, "analyze", str(speech), "--json")) == 0
    assert r.status_code == 200 and r.get_json() == json.loads(capsys.readouterr().out)
    r = client.post("/api/v1/pretranslate?min=95", data={"file": (io.BytesIO(speech.read_bytes()), "speech.txt")},
                    headers=BASIC, content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 200 and r.mimetype == "application/x-xliff+xml"
    assert r.data.count(b'state-qualifier="fuzzy-match"') == 2  # only the two 95-99% matches at --min 95
    r = post("/api/v1/check", xliff.read_bytes(), "speech.xlf", BASIC)
    assert r.status_code == 200 and r.get_json()["counts"]["severity"] == {"error": 0, "warning": 4, "info": 2}
    r = post("/api/v1/check", b"abc", "speech.docx", BASIC)
    assert r.status_code == 415 and ".tmx, .xlf/.xliff, .po and .csv" in r.get_json()["error"]
    r = post("/api/v1/analyze", b"", "empty.txt", BASIC)
    assert r.status_code == 400 and "empty" in r.get_json()["error"]


def test_openapi_lists_the_incoming_endpoints(app):
    from openapi_spec_validator import validate

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert {"/analyze", "/pretranslate", "/check"} <= set(doc["paths"])
    assert doc["paths"]["/analyze"]["post"]["security"] == [{"basic": []}]


def test_the_upload_pages_in_chromium(app, speech, xliff):
    """A translator signs in, uploads the document and then the XLIFF; screenshots for docs/screenshots."""
    import threading
    from pathlib import Path

    from chromium import ARGS, CHROMIUM, SHOTS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk); .ci/run does it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is in [test]")
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            context = browser.new_context(
                base_url=f"http://127.0.0.1:{server.effective_port}", viewport={"width": 1280, "height": 1000}
            )
            pg = context.new_page()
            pg.goto("/incoming")
            pg.fill("#name", TRANSLATOR[0])
            pg.fill("#password", TRANSLATOR[1])
            pg.get_by_role("button", name="Sign in").click()
            pg.wait_for_url("**/incoming")
            pg.set_input_files("#doc-file", str(speech))
            pg.fill("#weights", "context=0,100=0.1,95-99=0.3,85-94=0.6,75-84=0.8,repetitions=0.1")
            pg.get_by_role("button", name="Analyse").click()
            pg.wait_for_url("**/incoming/analysis/**")
            assert pg.locator('#bands tr[data-band="context"] td').first.inner_text() == "7"
            assert pg.locator("#band-chart rect").count() == 8
            with pg.expect_download() as got:
                pg.click("#xliff-download")
            assert got.value.suggested_filename == "speech.xlf"
            pg.screenshot(path=str(SHOTS / "incoming.png"), full_page=True)
            pg.set_viewport_size({"width": 1280, "height": 800})
            pg.screenshot(path=str(SHOTS / "incoming-analysis.png"), full_page=False)  # what a 1280x800 screen shows
            pg.goto("/incoming")
            pg.set_input_files("#check-file", str(xliff))
            pg.get_by_role("button", name="Check").click()
            pg.wait_for_url("**/incoming/check/**")
            assert pg.locator("#shown").inner_text() == "6"
            pg.select_option("#severity", "warning")
            pg.get_by_role("button", name="Filter").click()
            pg.wait_for_url("**severity=warning**")
            assert pg.locator("#shown").inner_text() == "4"
            pg.screenshot(path=str(SHOTS / "incoming-check.png"), full_page=False)
            context.close()
            browser.close()
    finally:
        server.close()
    for name in ("incoming.png", "incoming-analysis.png", "incoming-check.png"):
        assert (SHOTS / name).stat().st_size > 10_000


def test_a_docx_of_the_same_article_gets_the_same_bands(analysis, searcher):
    import io

    docx = pytest.importorskip("docx", reason="python-docx comes with termtm (the document readers)")
    document = docx.Document()
    paragraphs = [p.strip() for p in SPEECH.split("\n\n")]
    document.add_heading(paragraphs[0], level=1)
    for p in paragraphs[1:]:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    result = analyze(read_source(buf.getvalue(), "speech.docx"), searcher)
    assert [s.text for s in result.segments] == [s.text for s in analysis.segments]
    assert result.bands() == analysis.bands()


def test_fuzzy_from_50_percent_agrees_with_brute_force_on_a_memory_of_near_duplicates(built):
    """The character bound that makes lookups from 50% fast only saves work: the same matches as scoring all.

    A memory of 6,000 segments: the bulletin's Chinese and variants with 1-3 characters replaced (the
    hard case: many candidates of the right length and bigrams), queried at 50% with cut and changed sentences.
    """
    import random

    from rapidfuzz.distance import Levenshtein

    from termtm.model import Segment
    from termtm.search.normalize import fold

    rng = random.Random(11)
    base = [r.segment for r in built[1].records() if len(r.segment.zh) >= 6]
    chars = [c for s in base for c in s.zh]
    segments = list(base)
    while len(segments) < 6000:
        s = rng.choice(base)
        cs = list(s.zh)
        for j in rng.sample(range(len(cs)), min(rng.randint(1, 3), len(cs))):
            cs[j] = rng.choice(chars)
        segments.append(Segment(f"v{len(segments)}", "".join(cs), s.en))
    memory = Searcher(segments)
    folded = [fold(s.zh) for s in segments]
    for s in rng.sample(base, 25):
        cut = s.zh[: max(4, len(s.zh) * 2 // 3)] + rng.choice(chars) * 3
        for query in (cut, s.zh[::-1]):
            scores = [round(100 * Levenshtein.normalized_similarity(fold(query), t), 2) for t in folded]
            expected = sorted((x for x in scores if x >= 50), reverse=True)[:5]
            assert [h.score for h in memory.fuzzy(query, k=5, min_score=50)] == expected, query


def test_the_pretranslated_xliff_analysed_again_gives_the_same_bands(xliff, analysis, searcher):
    doc = read_source(xliff.read_bytes(), xliff.name)
    assert (doc.src, doc.tgt) == (Lang.ZH, Lang.EN)
    again = analyze(doc, searcher)
    assert [s.text for s in again.segments] == [s.text for s in analysis.segments]
    assert again.bands() == analysis.bands()


def test_html_report_is_a_standalone_table_with_a_bar_per_band(built, speech, capsys):
    assert main(cli(built, "analyze", str(speech), "--format", "html")) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert page.count("<td class='bar'><span style='width:") == 8
    assert "<tr class='band-context'><th scope='row'>context (101%)</th><td>7</td><td>249</td>" in page
