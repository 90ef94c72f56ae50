"""`termtm import` and export: TMX, XLIFF, PO, CSV in; bad input refused whole."""

from __future__ import annotations

import pytest
from conftest import shared

from termtm.cli import main
from termtm.errors import ParseError
from termtm.formats import read_memory
from termtm.store import open_store

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t"
 adminlang="en" srclang="en-US" datatype="plaintext"/>
<body>
<tu tuid="u1"><tuv xml:lang="en-US"><seg>Victims of trafficking.</seg></tuv><tuv xml:lang="zh-CN"><seg>拐卖受害人。</seg></tuv></tu>
<tu tuid="u2"><tuv xml:lang="en-US"><seg>Joint Declaration</seg></tuv><tuv xml:lang="zh-CN"><seg>联合宣言</seg></tuv></tu>
</body></tmx>"""

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="b.txt" source-language="zh-CN" target-language="en" datatype="plaintext"><body>
<trans-unit id="1"><source>湄公河次区域</source><target>Greater Mekong Sub-region</target></trans-unit>
<trans-unit id="2"><source>谅解备忘录</source><target>memorandum of understanding</target></trans-unit>
<trans-unit id="3"><source>未译</source></trans-unit>
</body></file></xliff>"""

PO = """msgid ""
msgstr ""
"Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "反拐通讯"
msgstr "Anti-Trafficking Newsletter"
"""

CSV = "zh,en\n公安部,Ministry of Public Security\n全国妇联,All-China Women's Federation\n"

XXE = """<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="zh-CN"/><body><tu><tuv xml:lang="zh-CN"><seg>&xxe;</seg></tuv>
<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<tmx version="1.4"><header/><body/></tmx>"""


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("m.tmx", TMX, [("u1", "拐卖受害人。", "Victims of trafficking."), ("u2", "联合宣言", "Joint Declaration")]),
        (
            "m.xlf",
            XLIFF,
            [("1", "湄公河次区域", "Greater Mekong Sub-region"), ("2", "谅解备忘录", "memorandum of understanding")],
        ),
        ("m.po", PO, [("", "反拐通讯", "Anti-Trafficking Newsletter")]),
        (
            "m.csv",
            CSV,
            [("row2", "公安部", "Ministry of Public Security"), ("row3", "全国妇联", "All-China Women's Federation")],
        ),
    ],
)
def test_formats_read_chinese_first(name, data, expected):
    units = read_memory(data.encode("utf-8"), name)
    got = [(u.id, u.zh, u.en) for u in units]
    if name.endswith(".po"):
        got = [("", zh, en) for _, zh, en in got]
    assert got == expected


@pytest.mark.parametrize("payload", [XXE, LAUGHS])
def test_entity_declarations_are_refused(payload):
    with pytest.raises(ParseError, match="entities"):
        read_memory(payload.encode(), "evil.tmx")


def test_non_utf8_csv_gets_a_clear_error():
    with pytest.raises(ParseError, match="not UTF-8"):
        read_memory("zh,en\n公安部,MPS\n".encode("gb18030"), "m.csv")


def test_empty_target_and_control_characters_are_refused_by_unit():
    with pytest.raises(ParseError, match='row 3: column "en" is empty'):
        read_memory(b"zh,en\n\xe5\x85\xac,MPS\n\xe5\x85\xac,\n", "m.csv")
    with pytest.raises(ParseError, match='row 2: column "en" contains the control character U\\+0007'):
        read_memory("zh,en\n公安部,M\x07PS\n".encode(), "m.csv")


def test_unknown_extension_names_the_supported_ones():
    from termtm.errors import UnsupportedFormat

    with pytest.raises(UnsupportedFormat, match=r"\.tmx, \.xlf/\.xliff, \.po and \.csv"):
        read_memory(b"x", "m.docx")


def test_import_is_all_or_nothing(tmp_path, capsys, db_url):
    db = db_url
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    assert main(["--db", db, "import", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("zh,en\n反拐,anti-trafficking\n拐卖,\n", encoding="utf-8")
    assert main(["--db", db, "import", str(bad)]) == 2
    assert 'row 3: column "en" is empty' in capsys.readouterr().err
    store = open_store(db)
    assert store.documents() == [("good", 2)]


def test_reimport_needs_replace(tmp_path, capsys, db_url):
    db = db_url
    f = tmp_path / "m.tmx"
    f.write_text(TMX, encoding="utf-8")
    assert main(["--db", db, "import", str(f)]) == 0
    assert main(["--db", db, "import", str(f)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["--db", db, "import", str(f), "--replace"]) == 0
    assert open_store(db).count() == 2


def test_real_aligned_tmx_from_bertalign_imports_and_exports(tmp_path, db_url):
    src = shared("eval", "tmx", "mac-dev.001.align.tmx")
    db = db_url
    assert main(["--db", db, "import", str(src), "--document", "mac001"]) == 0
    store = open_store(db)
    n = store.count()
    assert n > 200
    out = tmp_path / "out.tmx"
    assert main(["--db", db, "export", "--format", "tmx", "-o", str(out)]) == 0
    again = read_memory(out.read_bytes(), "out.tmx")
    assert len(again) == n


def test_the_bulletin_tmx_imports_without_language_options_even_where_chinese_is_mostly_a_url(tmp_path, capsys, db_url):
    from conftest import ROOT

    db = db_url
    assert main(["--db", db, "import", str(ROOT / "tmx" / "bulletin-2007-12.tmx")]) == 0
    seg = open_store(db).get("bulletin-2007-12:bulletin-2007-12:a02:p006:s00")
    assert seg is not None and "xinhuanet" in seg.zh.lower()


@pytest.mark.parametrize(
    ("unit", "approved"),
    [
        ('<trans-unit id="1" approved="yes"><source>a</source><target>b</target></trans-unit>', True),
        ('<trans-unit id="1"><source>a</source><target state="final">b</target></trans-unit>', True),
        ('<trans-unit id="1"><source>a</source><target state="signed-off">b</target></trans-unit>', True),
        ('<trans-unit id="1"><source>a</source><target state="translated">b</target></trans-unit>', False),
        (
            '<trans-unit id="1"><source>a</source><target state="needs-review-translation">b</target></trans-unit>',
            False,
        ),
        ('<trans-unit id="1"><source>a</source><target>b</target></trans-unit>', False),
        ('<trans-unit id="1" approved="no"><source>a</source><target state="final">b</target></trans-unit>', False),
    ],
)
def test_what_counts_as_an_approved_xliff_1_2_unit(unit, approved):
    from lxml import etree

    from termtm.formats.memory import xliff_approved

    assert xliff_approved(etree.fromstring(unit)) is approved


def test_xliff_2_segments_are_approved_when_final(tmp_path, capsys, db_url):
    f = tmp_path / "m2.xlf"
    segments = [("final", "湄公河次区域", "Greater Mekong Sub-region"), ("reviewed", "谅解备忘录", "MOU")]
    f.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" '
        'srcLang="zh-CN" trgLang="en"><file id="f1">'
        + "".join(
            f'<unit id="u{n}"><segment state="{st}"><source>{zh}</source><target>{en}</target></segment></unit>'
            for n, (st, zh, en) in enumerate(segments)
        )
        + "</file></xliff>\n",
        encoding="utf-8",
    )
    assert main(["--db", db_url, "import", str(f)]) == 0
    assert "imported 1 units" in capsys.readouterr().out
    store = open_store(db_url)
    assert [r.segment.en for r in store.records("m2")] == ["Greater Mekong Sub-region"]
    store.engine.dispose()
