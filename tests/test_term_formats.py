"""Term base out (TBX v3, CSV, OmegaT) and in (TBX v2/v3 from other tools, CSV), validated for real."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, shared
from lxml import etree

from termtm.cli import main
from termtm.errors import ParseError
from termtm.formats.tbx import read_tbx_file
from termtm.formats.termcsv import read_terms_csv
from termtm.store import open_store

TBX_NS = "{urn:iso:std:iso:30042:ed-2}"


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory) -> dict[str, Path]:
    paths, _, _ = built
    out = tmp_path_factory.mktemp("export")
    files = {}
    for fmt, name in (("tbx", "terms.tbx"), ("csv", "terms.csv"), ("omegat", "glossary.txt")):
        files[fmt] = out / name
        assert main(["--root", str(paths.root), "-q", "export", "--format", fmt, "-o", str(files[fmt])]) == 0
    return files


def test_tbx_export_is_valid_tbx_v3_core_structure(exported):
    schema = etree.RelaxNG(etree.parse(str(shared("eval", "tbx", "TBXcoreStructV03.rng"))))
    doc = etree.parse(str(exported["tbx"]))
    assert schema.validate(doc), schema.error_log.last_error


def test_tbx_export_carries_the_tbx_basic_data_categories(built, exported):
    _, store, _ = built
    root = etree.parse(str(exported["tbx"])).getroot()
    assert root.get("type") == "TBX-Basic"
    entries = root.findall(f".//{TBX_NS}conceptEntry")
    assert len(entries) == len(store.termbase())
    commit = next(e for e in entries if e.get("id") == "commit")
    types = {d.get("type") for d in commit.iter(f"{TBX_NS}descrip", f"{TBX_NS}termNote", f"{TBX_NS}admin")}
    assert {"subjectField", "definition", "context", "termType", "administrativeStatus", "partOfSpeech"} <= types
    assert {"source", "pronunciation"} <= types
    assert commit.find(f"{TBX_NS}transacGrp/{TBX_NS}date") is not None
    deprecated = next(s for s in commit.iter(f"{TBX_NS}termSec") if s.findtext(f"{TBX_NS}term") == "COMMII")
    assert "deprecatedTerm-admn-sts" in [n.text for n in deprecated.iter(f"{TBX_NS}termNote")]


def test_tbx_export_reads_back_with_the_same_terms(built, exported):
    _, store, _ = built
    again = read_tbx_file(exported["tbx"].read_bytes(), "terms.tbx", "x").concepts
    original = store.termbase()
    assert len(again) == len(original)
    for a, b in zip(again, original, strict=True):
        assert a.id == f"x-{b.id}"
        assert [(t.lang, t.text, t.type, t.status, t.pinyin) for t in a.terms] == [
            (t.lang, t.text, t.type, t.status, t.pinyin) for t in sorted(b.terms, key=lambda t: t.lang != "en")
        ]


def test_csv_export_has_one_row_per_term_and_round_trips(built, exported):
    _, store, _ = built
    data = exported["csv"].read_bytes()
    original = store.termbase()
    assert data.decode("utf-8").count("\n") == 1 + sum(len(c.terms) for c in original)
    again = read_terms_csv(data, "terms.csv", "")
    assert [(c.id, c.terms) for c in again] == [(c.id, c.terms) for c in original]


def test_omegat_reads_the_exported_glossary_with_its_own_reader(exported, tmp_path):
    jar = Path("/usr/share/omegat/OmegaT.jar")
    if not jar.exists() or shutil.which("javac") is None:
        pytest.skip("OmegaT or a JDK is not installed (apt-get install omegat default-jdk); .ci/run installs them")
    cp = f"{jar}:{jar.parent / 'lib'}/*"
    run = subprocess.run(
        ["java", "-cp", cp, str(ROOT / "tests" / "omegat" / "ReadGlossary.java"), str(exported["omegat"])],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = run.stdout.splitlines()
    rows = [line.split("\t") for line in lines[1:]]
    expected = [ln for ln in exported["omegat"].read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert lines[0] == f"entries\t{len(expected)}"
    assert ["公安部", "Ministry of Public Security"] in [r[:2] for r in rows]
    assert any(r[0] == "反拐" and r[2].startswith("fǎn guǎi") for r in rows)
    assert not any(r[0] == "渭公河" for r in rows)  # deprecated terms are not proposed


def test_microsoft_tbx_with_digit_ids_imports(tmp_path, capsys, db_url):
    db = db_url
    sample = shared("eval", "tbx", "sample.xml")
    assert main(["--db", db, "import", str(sample)]) == 0
    base = open_store(db).termbase()
    assert [c.id for c in base] == ["sample-3344-38882-38896", "sample-19240-652212-670671"]
    first = base.concepts[0]
    assert [(t.lang, t.text, t.pos) for t in first.terms] == [("en", "context", "noun"), ("zh", "上下文", "noun")]
    assert first.terms[1].pinyin == "shàng xià wén"
    assert first.definition.startswith("The state that is implicitly associated")


def test_tbx_v2_and_v3_samples_of_other_tools_import(tmp_path):
    v2 = read_tbx_file(shared("eval", "tbx", "sampleTBXfile.tbx").read_bytes(), "sampleTBXfile.tbx", "oracle").concepts
    assert [(c.id, c.subject, [t.text for t in c.terms]) for c in v2] == [
        ("oracle-eid-oracle-67", "manufacturing", ["alpha smoothing factor"])
    ]
    v3 = read_tbx_file(
        shared("eval", "tbx", "Example_Astronomy_DCA_VALID.tbx").read_bytes(), "astro.tbx", "astro"
    ).concepts
    assert len(v3) == 39  # of 45 entries, 6 have only Zulu, which the zh/en base skips
    assert all(t.lang == "en" for c in v3 for t in c.terms)
    cluster = v3[0]
    assert [(t.text, t.status.value) for t in cluster.terms][:2] == [
        ("open cluster", "preferred"),
        ("galactic cluster", "deprecated"),
    ]


def test_tbx_with_entities_is_refused_and_nothing_is_imported(tmp_path, capsys, db_url):
    db = db_url
    bad = tmp_path / "evil.tbx"
    bad.write_text(
        '<?xml version="1.0"?><!DOCTYPE tbx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<tbx xmlns="urn:iso:std:iso:30042:ed-2"><text><body/></text></tbx>'
    )
    assert main(["--db", db, "import", str(bad)]) == 2
    assert "entities" in capsys.readouterr().err
    assert open_store(db).collections() == []


def test_a_term_csv_with_a_bad_row_imports_nothing_and_names_the_row(tmp_path, capsys, db_url):
    db = db_url
    f = tmp_path / "terms.csv"
    f.write_text("concept,lang,term,status\nc1,zh,公安部,preferred\nc1,en,MPS,favourite\n", encoding="utf-8")
    assert main(["--db", db, "import", str(f)]) == 2
    assert "row 3" in capsys.readouterr().err
    assert open_store(db).collections() == []
    with pytest.raises(ParseError, match="not UTF-8"):
        read_terms_csv("concept,lang,term\nc,zh,公安部\n".encode("gb18030"), "gb.csv", "")


def test_terms_lookup_json_has_the_documented_shape(built, capsys):
    paths, _, _ = built
    assert main(["--root", str(paths.root), "terms", "lookup", "fan3guai3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    first = out[0]
    assert {"id", "subject", "definition", "terms", "contexts"} <= set(first)
    assert first["id"] == "anti-trafficking"
    zh = next(t for t in first["terms"] if t["lang"] == "zh" and t["text"] == "反拐")
    assert zh["pinyin"] == "fǎn guǎi" and zh["status"] in ("preferred", "admitted")
    assert {"lang", "text", "type", "status"} <= set(next(t for t in first["terms"] if t["lang"] == "en"))
    ctx = first["contexts"][0]
    assert set(ctx) == {"tuid", "zh", "en"}
    assert any(t["text"] in ctx["zh"] for t in first["terms"] if t["lang"] == "zh")


def test_a_terms_language_is_the_short_code_of_the_memorys_language():
    """TMX writes zh-CN, a term (TBX-Basic) zh: Lang.short is the one map, and TBX writes the long form back."""
    from termtm.formats.tbx import LANG_CODES
    from termtm.model import LANGS, Lang

    assert [Lang.parse(code).short for code in ("zh-CN", "zh_Hans", "ZH", "en-GB", "en")] == [
        "zh",
        "zh",
        "zh",
        "en",
        "en",
    ]
    assert LANGS == ("zh", "en") and [Lang.parse(code) for code in LANGS] == [Lang.ZH, Lang.EN]
    assert LANG_CODES == {"zh": "zh-CN", "en": "en"}
