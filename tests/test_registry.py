"""Every format of the registry round-trips the bulletin: written from the store, sniffed back to the same entry,
read, and compared with what was written; a file in no format gets an error that lists the formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared
from lxml import etree

from termtm.cli import EXPORT_FORMATS, main
from termtm.errors import UnsupportedFormat
from termtm.exports import memory_export, terms_export
from termtm.formats.registry import FORMATS, Export, Format, Kind, by_name, names, sniff
from termtm.store import Store
from termtm.terms.model import Concept, TermBase

WHEN = "20261206T040000Z"
CARRY_IDS = {"tmx", "xliff", "xliff2"}
"""Memory formats that keep the tuid as the unit's id (PO joins msgctxt and msgid; CSV numbers its rows)."""


@pytest.fixture(scope="module")
def store(built) -> Store:
    return built[1]


@pytest.fixture(scope="module")
def exports(store: Store) -> dict[Kind, Export]:
    """The bulletin's memory and term base as every export writes them."""
    return {Kind.MEMORY: memory_export(store, WHEN), Kind.TERMS: terms_export(store, WHEN)}


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_every_format_round_trips_the_bulletin(fmt: Format, exports: dict[Kind, Export]) -> None:
    export = exports[fmt.kind]
    data = fmt.write(export)
    name = f"bulletin.{fmt.extensions[0]}"
    assert [f.name for f in FORMATS if f.sniff(name, data)] == [fmt.name]  # one entry, and the right one
    assert sniff(name, data) is fmt
    read = fmt.read(data, name, prefix="x")
    if fmt.kind is Kind.MEMORY:
        assert len(export.segments) == 294 and not read.concepts
        assert [(u.zh, u.en) for u in read.units] == [(s.zh, s.en) for s in export.segments]
        if fmt.name in CARRY_IDS:
            assert [u.id for u in read.units] == [s.tuid for s in export.segments]
    else:
        assert len(export.termbase) > 400 and not read.units
        assert _carried(fmt, read.concepts) == _expected(fmt, export.termbase)


def _expected(fmt: Format, termbase: TermBase) -> list[tuple[str, ...]]:
    """Each concept as the format carries it: its terms, or for an OmegaT glossary the allowed Chinese terms
    beside the preferred English one (deprecated terms are not proposed to a translator)."""
    if fmt.name == "omegat":
        return [
            (en.text, *(t.text for t in c.allowed("zh")))
            for c in termbase
            if (en := c.preferred("en")) and c.allowed("zh")
        ]
    return [_terms(c) for c in termbase]


def _carried(fmt: Format, concepts: list[Concept]) -> list[tuple[str, ...]]:
    if fmt.name == "omegat":
        return [tuple(t.text for t in c.terms) for c in concepts]
    return [_terms(c) for c in concepts]


def _terms(c: Concept) -> tuple[str, ...]:
    """A concept's terms with their language, status, type and pinyin, in a fixed order (TBX puts English first)."""
    terms = sorted(c.terms, key=lambda t: (t.lang, t.text))
    return tuple(f"{t.lang}|{t.text}|{t.status.value}|{t.type}|{t.pinyin}" for t in terms)


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("tmx", ("tmx", "tmx14.dtd")),
        ("xliff", ("xliff", "xliff-core-1.2-strict.xsd")),
        ("tbx", ("tbx", "TBXcoreStructV03.rng")),
        ("tbx2", ("tbx", "TBXcoreStructV02.dtd")),
    ],
)
def test_the_exports_are_valid_against_the_published_schemas(
    name: str, schema: tuple[str, str], exports: dict[Kind, Export]
) -> None:
    fmt = by_name(name)
    doc = etree.fromstring(fmt.write(exports[fmt.kind]))
    path = str(shared("eval", *schema))
    validator: etree._Validator
    if path.endswith(".dtd"):
        validator = etree.DTD(path)
    elif path.endswith(".xsd"):
        validator = etree.XMLSchema(etree.parse(path))
    else:
        validator = etree.RelaxNG(etree.parse(path))
    assert validator.validate(doc), validator.error_log.last_error


def test_a_term_csv_keeps_the_concept_ids(exports: dict[Kind, Export]) -> None:
    fmt = by_name("term-csv")
    again = fmt.read(fmt.write(exports[Kind.TERMS]), "terms.csv", prefix="")
    assert [c.id for c in again.concepts] == [c.id for c in exports[Kind.TERMS].termbase]


def test_a_file_in_no_format_gets_the_list_of_formats(tmp_path: Path, db_url: str, capsys) -> None:
    with pytest.raises(UnsupportedFormat) as err:
        sniff("minutes.docx", b"PK\x03\x04 a workbook")
    message = str(err.value)
    assert message.startswith("minutes.docx is not in a format termtm reads: TMX (.tmx), XLIFF 1.2 (.xlf, .xliff)")
    for title in ("PO (.po)", "memory CSV (.csv)", "TBX v2 (.tbx)", "OmegaT glossary (.txt, .tab, .utf8)"):
        assert title in message
    assert message.endswith(
        "(a term CSV has a concept column); save or export it as one of them (the extension says which)"
    )

    docx = tmp_path / "minutes.docx"
    docx.write_bytes(b"PK\x03\x04 a workbook")
    assert main(["--db", db_url, "import", str(docx)]) == 2
    assert "termtm: error: minutes.docx is not in a format termtm reads: TMX (.tmx)" in capsys.readouterr().err


def test_a_memory_given_as_a_term_base_is_refused_with_the_term_formats(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match=r"not in a term base format termtm reads: TBX v3 \(\.tbx\)") as err:
        sniff("memory.tmx", b"<tmx version='1.4'/>", Kind.TERMS)
    assert "TMX" not in str(err.value)


def test_an_xml_file_is_sniffed_by_its_root_element() -> None:
    assert sniff("m.xml", b'<?xml version="1.0"?>\n<tmx version="1.4">').name == "tmx"
    assert sniff("m.xml", b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0">').name == "xliff2"
    assert sniff("t.xml", b"<martif type='TBX'>").name == "tbx2"
    assert sniff("t.xml", b"\xef\xbb\xbf<tbx type='TBX-Basic'>").name == "tbx"
    with pytest.raises(UnsupportedFormat):
        sniff("page.xml", b"<html><body/></html>")


def test_unknown_format_names_list_the_known_ones() -> None:
    with pytest.raises(UnsupportedFormat, match="unknown format 'xls': use one of tmx, xliff, xliff2, po, memory-csv"):
        by_name("xls")


def test_the_cli_and_the_downloads_offer_every_format() -> None:
    from termtm.web.services import DOWNLOADS

    assert set(EXPORT_FORMATS) == {*names(), "csv"}
    assert set(DOWNLOADS) == set(EXPORT_FORMATS) - {"term-csv"}
