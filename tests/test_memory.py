"""The bilingual bulletin memory: coverage, provenance, TMX validity, round trip, idempotent build."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, shared
from lxml import etree

from termtm.build import Paths, build
from termtm.corpus.docfile import parse_document
from termtm.model import Lang, ParaKind, Provenance, Status

HAN = re.compile(r"[\u3400-\u9fff]")


def test_english_edition_has_the_same_articles_and_paragraphs():
    zh = parse_document((ROOT / "tmx" / "bulletin-2007-12.zh.txt").read_text(encoding="utf-8"))
    en = parse_document((ROOT / "tmx" / "sources" / "bulletin-2007-12.en.txt").read_text(encoding="utf-8"))
    assert en.lang is Lang.EN
    assert [a.id for a in en.articles] == [a.id for a in zh.articles]
    for za, ea in zip(zh.articles, en.articles, strict=True):
        assert [p.kind for p in ea.paragraphs] == [p.kind for p in za.paragraphs], za.id
        # URLs are kept verbatim, Chinese query strings included.
        assert all(p.text and not HAN.search(re.sub(r"<http[^>]*>", "", p.text)) for p in ea.paragraphs), za.id


def test_han_coverage_of_the_memory_is_at_least_98_percent(built):
    paths, store, _ = built
    doc = parse_document(paths.cleaned.read_text(encoding="utf-8"))
    source = sum(len(HAN.findall(p.text)) for a in doc.articles for p in a.paragraphs)
    covered = sum(len(HAN.findall(r.segment.zh)) for r in store.records("bulletin-2007-12"))
    assert covered / source >= 0.98
    assert covered <= source


def test_every_chinese_segment_has_an_english_side(built):
    _, store, result = built
    records = list(store.records("bulletin-2007-12"))
    assert len(records) == result.segments > 250
    assert all(r.segment.zh.strip() and r.segment.en.strip() for r in records)


def test_printed_titles_are_printed_and_approved_the_rest_translated_and_reviewed(built):
    _, store, _ = built
    segs = {r.segment.tuid: r.segment for r in store.records()}
    title = segs["bulletin-2007-12:a05:p000:s00"]
    assert title.kind is ParaKind.TITLE
    assert title.provenance is Provenance.PRINTED and title.status is Status.APPROVED
    assert title.en.startswith("Speech by Mr Du Hungwei")
    body = segs["bulletin-2007-12:a01:p001:s00"]
    assert body.provenance is Provenance.TRANSLATED and body.status is Status.REVIEWED  # a01 is in reviewed.yaml
    assert body.zh.startswith("2007年12月12-14日") and "12–14 December 2007" in body.en


def test_aligned_segments_pair_numbers(built):
    _, store, _ = built
    for r in store.records():
        if r.segment.provenance is Provenance.PRINTED:
            continue  # printed titles are verbatim, e.g. SPA II's English title omits 2008–2010
        zh_numbers = set(re.findall(r"\d{3,}", r.segment.zh))
        en_numbers = set(re.findall(r"\d{3,}", r.segment.en.replace(",", "")))
        assert zh_numbers <= en_numbers, r.segment.tuid


def test_tmx_header_and_units(built):
    paths, _, result = built
    root = etree.parse(str(paths.tmx)).getroot()
    header = root.find("header")
    assert root.get("version") == "1.4"
    assert {k: header.get(k) for k in ("srclang", "segtype", "o-tmf", "creationtool", "datatype", "adminlang")} == {
        "srclang": "zh-CN",
        "segtype": "sentence",
        "o-tmf": "termtm",
        "creationtool": "termtm",
        "datatype": "plaintext",
        "adminlang": "en",
    }
    tus = root.findall("body/tu")
    assert len(tus) == result.segments
    tu = tus[0]
    assert tu.get("tuid") and tu.get("creationdate") and tu.get("changedate")
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert {"x-document", "x-article", "x-provenance", "x-status"} <= set(props)
    langs = [v.get("{http://www.w3.org/XML/1998/namespace}lang") for v in tu.findall("tuv")]
    assert langs == ["zh-CN", "en"]


def test_tmx_validates_against_the_tmx14_dtd(built):
    dtd = etree.DTD(str(shared("eval", "tmx", "tmx14.dtd")))
    doc = etree.parse(str(built[0].tmx))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()


def test_tmx_round_trips_through_translate_toolkit(built):
    from translate.storage.tmx import tmxfile

    paths, store, _ = built
    tm = tmxfile.parsefile(str(paths.tmx))
    units = [(str(u.source), str(u.target)) for u in tm.units]
    assert units == [(r.segment.zh, r.segment.en) for r in store.records()]


def test_build_reproduces_the_committed_tmx(built):
    assert built[0].tmx.read_bytes() == (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes()


def test_rebuild_is_idempotent(built, embedder, runs):
    paths, store, _ = built
    before = paths.tmx.read_bytes()
    again = build(paths, store, embedder, runs=runs)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert paths.tmx.read_bytes() == before


@pytest.mark.parametrize("term", ["COMMIT", "SOM5", "IMM2", "UNIAP"])
def test_latin_abbreviations_survive_on_the_english_side(built, term):
    _, store, _ = built
    for r in store.records():
        if re.search(rf"\b{term}\b", r.segment.zh):
            assert term in r.segment.en, r.segment.tuid


def test_missing_english_edition_is_a_clear_error(tmp_path):
    import shutil

    from termtm.errors import TermTMError

    shutil.copytree(ROOT / "tmx", tmp_path / "tmx")
    (tmp_path / "tmx" / "sources" / "bulletin-2007-12.en.txt").unlink()
    from termtm.store import open_store

    with pytest.raises(TermTMError, match="missing English edition"):
        build(Paths(tmp_path), open_store(f"sqlite:///{tmp_path}/t.db"), None)
