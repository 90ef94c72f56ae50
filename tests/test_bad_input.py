"""Bad input, as a specification: every bad file gets a clear error naming the file and the unit, and the store
is left exactly as it was; the web layer escapes what it echoes and limits its parameters.

Each import case runs the real CLI (`termtm import … --document good --replace`, so that a failure would
otherwise overwrite a stored document) against one store holding a memory document and a term collection,
and compares everything the store holds before and after. docs/bad-input.md is the table of these cases.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from termtm.cli import main
from termtm.formats.cells import neutralise, restore
from termtm.formats.memory import read_memory
from termtm.store import open_store

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
GOOD_PAIRS = [("a", "公安部", "Ministry of Public Security"), ("b", "联合宣言", "Joint Declaration")]
XXE = '<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
PARAM = '<!DOCTYPE ROOT [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
LAUGHS = (
    '<!DOCTYPE ROOT [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    + "]>\n"
)
QUADRATIC = '<!DOCTYPE ROOT [<!ENTITY a "' + "a" * 50_000 + '">]>\n'


# --- builders: small, valid files of each format, into which a case puts its bad part -------------------------


def tu(uid: str, zh: str, en: str, zl: str = "zh-CN", el: str = "en", extra: str = "") -> str:
    return (
        f'<tu tuid="{uid}"><tuv xml:lang="{zl}"><seg>{zh}</seg></tuv>'
        f'<tuv xml:lang="{el}"><seg>{en}</seg></tuv>{extra}</tu>\n'
    )


def tmx(units: list[str] | None = None, prolog: str = "", head: str = HEAD) -> str:
    units = units if units is not None else [tu(*p) for p in GOOD_PAIRS]
    return (
        f'{head}{prolog.replace("ROOT", "tmx")}<tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-CN" '
        'datatype="plaintext"/><body>\n' + "".join(units) + "</body></tmx>\n"
    )


def entry(cid: str, zh: str, en: str, zl: str = "zh-CN", el: str = "en") -> str:
    return (
        f'<conceptEntry id="{cid}"><langSec xml:lang="{zl}"><termSec><term>{zh}</term></termSec></langSec>'
        f'<langSec xml:lang="{el}"><termSec><term>{en}</term></termSec></langSec></conceptEntry>\n'
    )


def tbx(entries: list[str] | None = None, prolog: str = "") -> str:
    entries = entries if entries is not None else [entry(f"c{uid}", zh, en) for uid, zh, en in GOOD_PAIRS]
    return (
        f'{HEAD}{prolog.replace("ROOT", "tbx")}<tbx type="TBX-Basic" style="dca" xml:lang="en" '
        'xmlns="urn:iso:std:iso:30042:ed-2"><text><body>\n' + "".join(entries) + "</body></text></tbx>\n"
    )


def trans_unit(uid: str, source: str, target: str) -> str:
    """A reviewed XLIFF 1.2 unit (`termtm import` takes only approved units unless given --all)."""
    return f'<trans-unit id="{uid}" approved="yes"><source>{source}</source><target>{target}</target></trans-unit>\n'


def xlf(units: list[str] | None = None, prolog: str = "", sl: str = "zh-CN", tl: str = "en") -> str:
    units = units if units is not None else [trans_unit(*p) for p in GOOD_PAIRS]
    return (
        f'{HEAD}{prolog.replace("ROOT", "xliff")}<xliff version="1.2" '
        f'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x" source-language="{sl}" '
        f'target-language="{tl}" datatype="plaintext"><body>\n' + "".join(units) + "</body></file></xliff>\n"
    )


def unit2(uid: str, source: str, target: str) -> str:
    return f'<unit id="{uid}"><segment><source>{source}</source><target>{target}</target></segment></unit>\n'


def xlf2(units: list[str] | None = None, prolog: str = "", sl: str = "zh-CN", tl: str = "en") -> str:
    units = units if units is not None else [unit2(*p) for p in GOOD_PAIRS]
    return (
        f'{HEAD}{prolog.replace("ROOT", "xliff")}<xliff version="2.0" '
        f'xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="{sl}" trgLang="{tl}"><file id="f1">\n'
        + "".join(units)
        + "</file></xliff>\n"
    )


def po(entries: list[tuple[str, str]], header: str = "") -> str:
    head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' + header + "\n"
    return head + "".join(f'msgid "{s}"\nmsgstr "{t}"\n\n' for s, t in entries)


XML_BUILDERS = {
    "tmx": lambda use, prolog: tmx([tu("e", use, "x")], prolog),
    "tbx": lambda use, prolog: tbx([entry("e", use, "x")], prolog),
    "xlf": lambda use, prolog: xlf([trans_unit("e", use, "x")], prolog),
    "xlf2": lambda use, prolog: xlf2([unit2("e", use, "x")], prolog),
}


def name_for(fmt: str, stem: str) -> str:
    return f"{stem}.{'xlf' if fmt == 'xlf2' else fmt}"


# --- the store, and the one way every case is run --------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding memory document 'good' (TMX) and term collection 'goodterms' (term CSV)."""
    root = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{root / 'bad-input.db'}"
    (root / "good.tmx").write_text(tmx(), encoding="utf-8")
    (root / "goodterms.csv").write_text("concept,lang,term\nk1,zh,公安部\nk1,en,MPS\n", encoding="utf-8")
    assert main(["--db", url, "-q", "import", str(root / "good.tmx")]) == 0
    assert main(["--db", url, "-q", "import", str(root / "goodterms.csv")]) == 0
    return url


def snapshot(url: str) -> tuple:
    """Everything the store holds: segments with their dates, concepts, documents, collections, contexts."""
    store = open_store(url)
    try:
        records = [(r.segment, r.creationdate, r.changedate) for r in store.records()]
        return records, list(store.termbase()), store.documents(), store.collections(), store.contexts()
    finally:
        store.engine.dispose()


def refused(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str | bytes) -> str:
    """Import `data` as file `name` over the stored document or collection; assert exit 2, the file named, and
    the store unchanged; return the error message."""
    before = snapshot(db)
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    target = "goodterms" if name.endswith(".tbx") or "terms" in name else "good"
    capsys.readouterr()
    code = main(["--db", db, "-q", "import", str(path), "--document", target, "--replace"])
    out = capsys.readouterr()
    assert code == 2, out.out
    assert out.err.startswith("termtm: error: ") and name in out.err, out.err
    assert "Traceback" not in out.err
    assert snapshot(db) == before, "a failed import changed the store"
    return out.err


def imported(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str | bytes) -> str:
    """Import `data` as a new document or collection named after the file; return what the CLI printed."""
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    capsys.readouterr()
    code = main(["--db", db, "-q", "import", str(path), "--document", path.stem + "-ok", "--replace"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


# --- XML: entities, DTDs ---------------------------------------------------------------------------------------

ENTITY_TRICKS = {
    "xxe": (XXE, "&xxe;"),
    "parameter-entity": (PARAM, "x"),
    "billion-laughs": (LAUGHS, "&l9;"),
    "quadratic-blowup": (QUADRATIC, "&a;" * 2000),
}


@pytest.mark.parametrize("fmt", list(XML_BUILDERS))
@pytest.mark.parametrize("trick", list(ENTITY_TRICKS))
def test_entity_declarations_are_refused_before_parsing(db, tmp_path, capsys, fmt, trick):
    prolog, use = ENTITY_TRICKS[trick]
    name = name_for(fmt, trick)
    err = refused(db, tmp_path, capsys, name, XML_BUILDERS[fmt](use, prolog))
    assert f"refused: {name} declares XML entities or a DTD internal subset" in err


@pytest.mark.parametrize("fmt", list(XML_BUILDERS))
def test_an_external_dtd_is_never_loaded_and_its_entities_are_refused(db, tmp_path, capsys, fmt):
    evil = tmp_path / "evil.dtd"
    evil.write_text('<!ENTITY ext SYSTEM "file:///etc/passwd">\n')
    prolog = f'<!DOCTYPE ROOT SYSTEM "{evil.as_uri()}">\n'
    name = name_for(fmt, "external-dtd")
    err = refused(db, tmp_path, capsys, name, XML_BUILDERS[fmt]("&ext;", prolog))
    assert f"refused: {name} uses the entity &ext;, which it does not declare" in err


def test_entities_in_a_utf16_file_are_refused_too(db, tmp_path, capsys):
    data = tmx([tu("e", "&xxe;", "x")], XXE, head='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16")
    assert "refused: xxe16.tmx declares XML entities" in refused(db, tmp_path, capsys, "xxe16.tmx", data)


def test_a_doctype_naming_the_tmx_dtd_is_accepted_and_not_fetched(db, tmp_path, capsys):
    prolog = '<!DOCTYPE tmx SYSTEM "http://example.invalid/tmx14.dtd">\n'
    assert "imported 2 units" in imported(db, tmp_path, capsys, "with-dtd.tmx", tmx(prolog=prolog))


# --- size --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["big.tmx", "big.tbx", "big.xlf", "big.po", "big.csv", "bigterms.csv"], ids=lambda n: n.split(".")[1]
)
def test_a_file_over_the_import_limit_is_refused_before_it_is_read(db, tmp_path, capsys, monkeypatch, name):
    monkeypatch.setenv("TERMTM_MAX_IMPORT_BYTES", "1000")
    err = refused(db, tmp_path, capsys, name, "x" * 1500)
    assert f"{name} is 1,500 bytes; the import limit is 1,000 (TERMTM_MAX_IMPORT_BYTES)" in err


def test_read_memory_applies_the_limit_to_bytes_in_memory_too(monkeypatch):
    from termtm.errors import ParseError

    monkeypatch.setenv("TERMTM_MAX_IMPORT_BYTES", "100")
    with pytest.raises(ParseError, match="the import limit is 100"):
        read_memory(tmx().encode(), "m.tmx")


# --- encodings ---------------------------------------------------------------------------------------------------

LATIN1_TMX = tmx([tu("a", "公安部", "Café")]).encode().replace("é".encode(), b"\xe9")
GBK_PO = po([("公安部", "MPS")]).encode("gb18030")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("latin1.tmx", LATIN1_TMX, "latin1.tmx: line 3, column 83: the bytes are not valid UTF-8; the rest is UTF-8"),
        ("latin1-only.tmx", tmx([tu("a", "x", "Café")]).encode("latin-1"), "it looks like Latin-1/Windows-1252"),
        ("gbk.tmx", tmx().encode("gb18030"), "gbk.tmx: line 3, column 41: the bytes are not valid UTF-8; it looks"),
        ("gbk.tbx", tbx().encode("gb18030"), "it looks like GBK/GB18030 Chinese (e.g. iconv -f GB18030 -t UTF-8)"),
        ("gbk.xlf", xlf().encode("gb18030"), "it looks like GBK/GB18030 Chinese"),
        ("cut.tmx", tmx().encode()[:-30].replace("公".encode(), "公".encode()[:2]), "a character there is broken"),
        (
            "gbk.csv",
            "zh,en\n公安部,MPS\n".encode("gb18030"),
            "gbk.csv is not UTF-8 (line 2, byte 6); it looks like GBK",
        ),
        (
            "latin1.csv",
            "zh,en\nx,Café\n".encode("latin-1"),
            "latin1.csv is not UTF-8 (line 2, byte 11); it looks like Lat",
        ),
        ("cut.csv", "zh,en\n公安部,MPS\n".encode()[:-6] + b"\n", "cut.csv is not UTF-8 (line 2, byte 12)"),
        ("gbk.po", GBK_PO, "gbk.po is not UTF-8 (line 5"),
        ("gbkterms.csv", "concept,lang,term\nc,zh,公安部\n".encode("gb18030"), "gbkterms.csv is not UTF-8 (line 2"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_bytes_that_are_not_in_the_declared_encoding_are_refused_with_a_hint(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf16.tmx", tmx(head='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16")),
        ("utf16.tbx", tbx().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")),
        ("utf16.xlf", xlf().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")),
        ("utf16.csv", "zh,en\n公安部,MPS\n".encode("utf-16")),
        ("utf8bom.csv", "\ufeffzh,en\n公安部,MPS\n".encode()),
        ("gb18030.tmx", tmx(head='<?xml version="1.0" encoding="GB18030"?>\n').encode("gb18030")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_utf16_with_a_bom_and_declared_encodings_are_read_properly(db, tmp_path, capsys, name, data):
    out = imported(db, tmp_path, capsys, name, data)
    assert "imported 2 concepts" in out if name.endswith(".tbx") else "units" in out
    store = open_store(db)
    if name.endswith(".tbx"):
        assert "公安部" in [t.text for c in store.termbase(name.split(".")[0] + "-ok") for t in c.terms]
    else:
        assert "公安部" in [r.segment.zh for r in store.records(name.split(".")[0] + "-ok")]
    store.engine.dispose()


# --- languages -----------------------------------------------------------------------------------------------------

NOT_ZH_EN = "neither Chinese nor English: termtm keeps a Chinese–English memory"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fr.tmx", tmx([tu(*GOOD_PAIRS[0]), tu("f", "公安部", "ministère", el="fr")]), 'unit 2 (tuid "f"): the lang'),
        ("xx.tmx", tmx([tu("x", "公安部", "MPS", el="xx-YY")]), '"xx-YY", ' + NOT_ZH_EN),
        ("nolang.tmx", tmx([tu("m", "公安部", "MPS").replace(' xml:lang="en"', "")]), 'unit 1 (tuid "m"): a <tuv> h'),
        ("three.tmx", tmx([tu("t", "公安部", "MPS", extra='<tuv xml:lang="fr"><seg>x</seg></tuv>')]), '"fr", neither'),
        ("onlyzh.tmx", tmx(['<tu tuid="z"><tuv xml:lang="zh-CN"><seg>公安部</seg></tuv></tu>']), "no English <tuv>"),
        ("fr.xlf", xlf(tl="fr"), '<file original="x">: the target language is "fr", ' + NOT_ZH_EN),
        ("fr2.xlf", xlf2(tl="fr"), 'the target language is "fr", ' + NOT_ZH_EN),
        ("zhzh.xlf", xlf(tl="zh-TW"), "source and target are both Chinese"),
        ("fr.po", po([("公安部", "MPS")], '"Language: fr\\n"\n'), 'the header\'s Language is "fr", ' + NOT_ZH_EN),
        ("nolang.tbx", tbx([entry("m", "公安部", "MPS").replace(' xml:lang="en"', "")]), "a <langSec> has no xml:lang"),
        ("xxterms.csv", "concept,lang,term\nc1,zh,公安部\nc1,xx,MPS\n", 'row 3: lang is "xx", not zh or en'),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_languages_other_than_chinese_and_english_are_refused_by_unit(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


def test_a_multilingual_term_base_imports_its_chinese_and_english_and_says_what_it_left_out(db, tmp_path, capsys):
    data = tbx([entry("c1", "公安部", "ministère", el="fr"), entry("c2", "联合宣言", "Joint Declaration")])
    out = imported(db, tmp_path, capsys, "multi.tbx", data)
    assert "imported 2 concepts" in out and "language sections left out: fr (1)" in out


# --- empty segments, repeated ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("emptyzh.tmx", tmx([tu(*GOOD_PAIRS[0]), tu("e", "", "MPS")]), 'unit 2 (tuid "e"): the Chinese side is empty'),
        ("emptyen.tmx", tmx([tu("e", "公安部", "")]), 'unit 1 (tuid "e"): the English side is empty'),
        ("blank.tmx", tmx([tu("e", "公安部", " \t ")]), 'unit 1 (tuid "e"): the English side is only whitespace'),
        ("dup.tmx", tmx([tu(*GOOD_PAIRS[0]), tu(*GOOD_PAIRS[0])]), 'unit 2 (tuid "a"): its id repeats unit 1 (tuid'),
        ("blank.xlf", xlf([trans_unit("1", "公安部", "  ")]), 'unit 1 (id "1"): the target is only whitespace'),
        ("blank2.xlf", xlf2([unit2("1", "公安部", "  ")]), 'unit 1 (id "1"): the target is only whitespace'),
        ("emptysrc.xlf", xlf([trans_unit("1", "", "MPS")]), 'unit 1 (id "1"): the source is empty'),
        ("dup.xlf", xlf([trans_unit(*GOOD_PAIRS[0]), trans_unit(*GOOD_PAIRS[0])]), 'unit 2 (id "a"): its id repeats'),
        ("blank.po", po([("公安部", " ")]), 'entry 2 (msgid "公安部"): msgstr is only whitespace'),
        ("empty.csv", "zh,en\n公安部,MPS\n公安部,\n , \n", 'row 3: column "en" is empty\n  row 4: column "zh" is only'),
        ("empty.tbx", tbx([entry("c3", "", "x")]), 'entry 1 (id "c3"): a term in zh-CN is empty'),
        (
            "dupid.tbx",
            tbx([entry("c-1", "公安部", "MPS"), entry("c_1", "公安", "PS")]),
            "its id becomes 'goodterms-c-1'",
        ),
        ("emptyterms.csv", "concept,lang,term\nc1,zh,公安部\nc1,en,\n", "row 3: the term is empty"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_empty_or_blank_sides_and_repeated_ids_are_refused_by_unit(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


def test_every_bad_unit_is_listed_up_to_twenty_and_the_rest_counted(db, tmp_path, capsys):
    data = tmx([tu(f"e{i}", "公安部", "") for i in range(30)] + [tu("c", "公安部", "M\x7fPS"), tu("e0", "公", "x")])
    err = refused(db, tmp_path, capsys, "many.tmx", data)
    assert "many.tmx: 32 problems, nothing was imported:" in err
    assert 'unit 1 (tuid "e0"): the English side is empty' in err and 'unit 20 (tuid "e19")' in err
    assert 'unit 21 (tuid "e20")' not in err and "… and 12 more" in err


def test_untranslated_xliff_and_po_units_are_left_out_and_counted(db, tmp_path, capsys):
    data = xlf([trans_unit(*GOOD_PAIRS[0]), '<trans-unit id="u"><source>未译</source></trans-unit>'])
    assert "1 untranslated units left out" in imported(db, tmp_path, capsys, "part.xlf", data)
    data = po([("公安部", "MPS"), ("未译", "")]).replace('msgid "公安部"', '#, fuzzy\nmsgid "公安部"')
    err = refused(db, tmp_path, capsys, "none.po", data)
    assert "none.po holds no translated units (1 fuzzy, 1 untranslated)" in err


# --- control characters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ref1.tmx",
            tmx([tu("c", "公安部", "M&#x1;PS")]),
            "line 3, column 86: the control character U+0001 (character",
        ),
        (
            "raw1.tmx",
            tmx([tu("c", "公安部", "M\x01PS")]),
            "the control character U+0001 (raw character) is not allowed",
        ),
        ("ref1.tbx", tbx([entry("c", "公安部", "M&#x1;PS")]), "the control character U+0001 (character reference)"),
        (
            "ref1.xlf",
            xlf([trans_unit("1", "公安部", "M&#x1;PS")]),
            "U+0001 (character reference) is not allowed in XML",
        ),
        ("surrogate.tmx", tmx([tu("c", "公安部", "M&#xD800;PS")]), "a lone surrogate U+D800 (character reference)"),
        ("del.tmx", tmx([tu("c", "公安部", "M\x7fPS")]), 'unit 1 (tuid "c"): the English side contains the control '),
        ("c1.tmx", tmx([tu("c", "公安部", "M\x85PS")]), "contains the control character U+0085 at character 2"),
        ("del.tbx", tbx([entry("c", "公安部", "M\x7fPS")]), 'entry 1 (id "c"): a term in en contains the control char'),
        ("del.xlf", xlf([trans_unit("1", "公安部", "M\x7fPS")]), 'unit 1 (id "1"): the target contains the control'),
        ("nul.csv", "zh,en\n公安部,M\x00PS\n", 'row 2: column "en" contains the control character U+0000 at charac'),
        ("esc.csv", "zh,en\n公安部,M\x1bPS\n公安部,M\x7fPS\n", "U+001B at character 2: remove it\n  row 3: column"),
        ("bell.po", po([("公安部", "M\\aPS")]), "line 6: the escape \\a is not one termtm reads"),
        ("rawbell.po", po([("公安部", "M\x07PS")]), "msgstr contains the control character U+0007 at character 2"),
        ("bellterms.csv", "concept,lang,term\nc1,zh,公安部\nc1,en,M\x07PS\n", "row 3: the term contains the control"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_control_characters_and_lone_surrogates_are_refused_where_they_are(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


# --- malformed files -----------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cut.tmx", tmx()[:300], "cut.tmx: line 3, column 105: the file ends before the XML is complete (cut short?)"),
        ("cut.tbx", tbx()[:250], "the file ends before the XML is complete"),
        ("cut.xlf", xlf()[:300], "the file ends before the XML is complete"),
        ("html.tmx", "<html><body>hi</body></html>", "html.tmx: the root element is <html>, not <tmx>"),
        ("html.xlf", "<html><body>hi</body></html>", "the root element is <html>, not <xliff>"),
        ("html.tbx", "<html><body>hi</body></html>", "the root element is <html>, not <martif> or <tbx>"),
        ("mismatch.tmx", tmx().replace("</seg>", "</sag>", 1), "not well-formed XML: Opening and ending tag mismatch"),
        ("text.tmx", "just some text\n", "text.tmx is not XML: it does not start with an element"),
        ("amp.tmx", tmx([tu("a", "公安部", "A & B")]), "a bare & that starts no entity: write it as &amp;"),
        ("undefined.tmx", tmx([tu("a", "公安部", "&nbsp;")]), "Entity 'nbsp' not defined; write a literal & as &amp;"),
        *[(f"empty.{ext}", b"", f"empty.{ext} is empty") for ext in ("tmx", "tbx", "xlf", "po", "csv")],
        ("blank.tmx", b"  \n\n", "blank.tmx is empty"),
        *[(f"image.{ext}", PNG, f"image.{ext} is a PNG image, not a text file") for ext in ("tmx", "tbx", "xlf", "po")],
        ("sheet.csv", XLSX, "sheet.csv is a ZIP archive (an .xlsx or .docx workbook/document is one"),
        ("nulls.csv", b"z\x00h\x00,\x00e\x00n\x00\n\x00" * 10, "nulls.csv is a binary file (NUL bytes in its first"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_malformed_empty_and_binary_files_are_refused_with_where_and_what(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


# --- CSV shape and spreadsheet formulas ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("short.csv", "zh,en\n公安部\n", "row 2: 1 cell where the header has 2: a missing column, or a comma in an"),
        ("ragged.csv", "zh,en\n公安部,MPS,x\n联合宣言,Joint Declaration\n", "row 2: 3 cells where the header has 2"),
        ("bare.csv", "公安部,MPS\n联合宣言,Joint,Declaration\n", "row 2: 3 cells where row 1 has 2"),
        ("blankline.csv", "zh,en\n公安部,MPS\n\n联合宣言,JD\n", "row 3: blank line: remove it"),
        ("one.csv", "zh\n公安部\n", "row 1 has 1 column; a memory CSV needs two"),
        ("header.csv", "0,1\n公安部,MPS\n", "header.csv: row 1 looks like a header, but names no zh and en"),
        ("longcell.csv", "zh,en\n公安部," + "x" * 200_000 + "\n", "longcell.csv: line 2: a cell is longer than 131,0"),
        (
            "noterm-terms.csv",
            "concept,term\nc1,公安部\n",
            "needs a header with columns concept, lang, term (missing: lang)",
        ),
        ("raggedterms.csv", "concept,lang,term\nc1,zh\nc1,en,MPS,x\n", "row 2: 2 cells where the header has 3"),
        ("statusterms.csv", "concept,lang,term,status\nc1,en,MPS,favourite\n", 'row 2: status "favourite" is not'),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_csv_rows_that_do_not_fit_the_header_are_refused_by_row(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


def test_formula_cells_import_as_text_and_export_neutralised(db, tmp_path, capsys):
    formula = "=cmd|' /C calc'!A0"
    data = f"concept,lang,term,definition\nf1,zh,公安部,+1 danger\nf1,en,{formula},@SUM(A1)\n"
    imported(db, tmp_path, capsys, "formulaterms.csv", data)
    out = tmp_path / "export.csv"
    assert main(["--db", db, "-q", "export", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    mine = [r for r in rows if r["concept"].startswith("formulaterms-ok")]
    assert {r["term"] for r in mine} == {"公安部", "'" + formula}
    assert {r["definition"] for r in mine} == {"'+1 danger"}
    assert not [cell for r in rows for cell in r.values() if cell[:1] in ("=", "+", "-", "@")]
    again = open_store(db).termbase("formulaterms-ok").concepts[0]
    assert formula in [t.text for t in again.terms] and again.definition == "+1 danger"


def test_neutralise_and_restore_are_inverse_and_leave_text_alone():
    for cell in ("=1+1", "+86 10", "-based", "@home", "\tx", "plain", "'quoted'", "公安部"):
        assert restore(neutralise(cell)) == cell
    assert neutralise("plain") == "plain" and neutralise("-x") == "'-x"


def test_the_check_report_csv_neutralises_formula_cells():
    from termtm.qa.model import Finding, Severity
    from termtm.qa.report import render_csv

    finding = Finding("numbers", Severity.ERROR, ("t1",), "=1+1", "@cmd", "-message", "+fix")
    row = next(csv.DictReader(io.StringIO(render_csv([finding], {}))))
    assert (row["zh"], row["en"], row["message"], row["suggestion"]) == ("'=1+1", "'@cmd", "'-message", "'+fix")


# --- very long segments --------------------------------------------------------------------------------------------

MEGA = "公" * (1 << 20)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("long.tmx", tmx([tu("l", MEGA, "x")]), 'unit 1 (tuid "l"): the Chinese side is 1,048,576 characters long; t'),
        ("long.xlf", xlf([trans_unit("l", MEGA, "x")]), "the source is 1,048,576 characters long; the limit is 20,000"),
        ("long.po", po([(MEGA, "x")]), "msgid is 1,048,576 characters long; the limit is 20,000: split it"),
        ("long.csv", "zh,en\n" + "公" * 30_000 + ",x\n", 'row 2: column "zh" is 30,000 characters long; the limit'),
        ("long.tbx", tbx([entry("l", MEGA, "x")]), 'entry 1 (id "l"): a term in zh-CN is 1,048,576 characters long; t'),
        ("longterms.csv", "concept,lang,term\nc,zh," + "公" * 2000 + "\n", "the term is 2,000 characters long; the l"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_a_segment_too_long_to_be_one_is_refused(db, tmp_path, capsys, name, data, message):
    assert message in refused(db, tmp_path, capsys, name, data)


# --- the web layer -------------------------------------------------------------------------------------------------

ATTACKS = ["<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "\u202eevil\u2067x", "a\x00b"]


@pytest.fixture(scope="module")
def client(built, tmp_path_factory):
    from termtm.web import create_app

    _, store, _ = built  # the session's store, SQLite or PostgreSQL (paths.database_url is SQLite only)
    url = store.engine.url.render_as_string(hide_password=False)
    index = tmp_path_factory.mktemp("no-index") / "termtm.index"  # no semantic index: /semantic answers 503
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(index), "TESTING": True})
    return app.test_client()


@pytest.mark.parametrize("q", ATTACKS, ids=["script", "attribute", "bidi", "nul"])
def test_pages_escape_what_they_echo(client, q):
    for params in ({"q": q}, {"q": q, "partial": "1"}, {"q": "反拐", "document": q, "status": q, "min": q}):
        r = client.get("/", query_string=params)
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html and "\x00" not in html
        assert html.count("<script") == html.count('<script src="/static/termtm.js" defer></script>')
    html = client.get("/", query_string={"q": q}).get_data(as_text=True)
    if q.startswith("<script"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if q.startswith("\u202e"):  # the title isolates the query, so its override cannot reverse the rest
        assert "<title>\u2068\u202eevil\u2067x\u2069 ·" in html


@pytest.mark.parametrize("q", ATTACKS[:3], ids=["script", "attribute", "bidi"])
@pytest.mark.parametrize("endpoint", ["fuzzy", "concordance", "terms"])
def test_the_api_answers_valid_json_whatever_the_query(client, endpoint, q):
    r = client.get(f"/api/v1/{endpoint}", query_string={"q": q})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert isinstance(json.loads(r.get_data(as_text=True)), list)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/fuzzy?q=a%00b", 400, "the query contains the control character U+0000 at character 2"),
        ("/api/v1/concordance?q=" + "长" * 501, 400, "query longer than 500 characters"),
        ("/api/v1/concordance?q=x&k=101", 400, "k must be between 1 and 100"),
        ("/api/v1/concordance?q=x&k=0", 400, "k must be between 1 and 100"),
        ("/api/v1/concordance?q=x&k=-3", 400, "k must be between 1 and 100"),
        ("/api/v1/concordance?q=x&k=ten", 400, "k must be an integer"),
        ("/api/v1/concordance?q=x&k=1e3", 400, "k must be an integer"),
        ("/api/v1/fuzzy?q=x&min=-1", 400, "min must be a number from 0 to 100"),
        ("/api/v1/fuzzy?q=x&min=nan", 400, "min must be a number from 0 to 100"),
        ("/api/v1/fuzzy?q=x&min=lots", 400, "min must be a number from 0 to 100"),
        ("/api/v1/terms?q=x&limit=5", 400, 'unknown parameter "limit": /api/v1/terms takes q, k'),
        ("/api/v1/concordance?q=x&min=5", 400, 'unknown parameter "min": /api/v1/concordance takes q, k'),
        ("/api/v1/fuzzy?q=x&k=1&k=2", 400, "parameter k is given more than once"),
        ("/api/v1/semantic?q=x&%3Cscript%3E=1", 400, 'unknown parameter "<script>"'),
        ("/api/v1/segments/%3Cscript%3E", 404, "no segment <script>"),
        ("/tmserver/%3Cscript%3E/en/unit/x", 404, "unknown language code '<script>'"),
        ("/api/v1/fuzzy?q=" + "x" * 20_000, 414, "the query string is 20,002 bytes; the limit is 16,384"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else "",
)
def test_api_parameters_are_limited_with_a_json_error(client, url, status, message):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "application/json"
    assert message in r.get_json()["error"]


def test_an_oversize_body_gets_413_before_anything_reads_it(client):
    r = client.post("/api/v1/fuzzy?q=x", data=b"x" * (2 * 1024 * 1024))
    assert (
        r.status_code == 413 and "the request body is 2,097,152 bytes; the limit is 1,048,576" in r.get_json()["error"]
    )
    page = client.post("/check", data=b"x" * (2 * 1024 * 1024))
    assert page.status_code == 413 and page.mimetype == "text/html" and "termtm takes no uploads" in page.text
    assert client.post("/api/v1/fuzzy?q=x", data=b"{}").get_json()["error"].startswith("The method is not allowed")


@pytest.mark.parametrize(
    ("url", "status"),
    [("/segment/%3Cscript%3Ealert(1)", 404), ("/download/%3Cimg%20src=x%3E", 404), ("/check?check=%3Cscript%3E", 200)],
)
def test_error_and_check_pages_escape_the_path_and_parameters(client, url, status):
    r = client.get(url)
    assert r.status_code == status  # an error page, not a 500 that happens to echo nothing
    html = r.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html


def test_responses_carry_the_security_headers_and_the_pages_need_no_inline_script(client):
    for url in ("/", "/?q=反拐", "/api/v1/health", "/check?severity=error", "/static/termtm.js"):
        with client.get(url) as r:
            h = r.headers
        csp = dict(part.strip().split(" ", 1) for part in h["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'" and csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "same-origin"
    templates = Path(__file__).resolve().parents[1] / "web" / "templates"
    for page in templates.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count("<script") == text.count("<script src="), page.name
        assert " onclick=" not in text and "javascript:" not in text, page.name
