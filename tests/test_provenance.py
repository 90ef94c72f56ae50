"""Provenance that tells the truth: back-translated articles and translator's notes, in the store, TMX and UI."""

from __future__ import annotations

import pytest
from conftest import ROOT
from lxml import etree

from termtm.corpus.notes import apply_unit_notes, load_unit_notes
from termtm.errors import TermTMError
from termtm.model import ParaKind, Provenance, Segment, Status
from termtm.web import create_app

ARTICLES = [f"a{n:02d}" for n in range(12)]
BACK = {"a04", "a06", "a07", "a09"}
A06_NOTE = (
    "English original: Joint Declaration of the Coordinated Mekong Ministerial Initiative against Trafficking, "
    "Beijing, 14 December 2007; this English is a back-translation of the bulletin's Chinese, not the official text."
)


def test_a_note_must_find_exactly_one_unit() -> None:
    segs = [
        Segment("t", "杜航伟的发言", "Speech by Mr Du Hungwei", article="a05", kind=ParaKind.TITLE,
                provenance=Provenance.PRINTED, status=Status.APPROVED),
        Segment("b", "杜航伟说", "Du Hangwei said", article="a05"),
    ]  # fmt: skip
    one = load_unit_notes("notes:\n- {article: a05, kind: title, zh: 杜航伟, note: Du Hangwei}", ARTICLES)
    assert [s.note for s in apply_unit_notes(segs, one)] == ["Du Hangwei", ""]
    two = load_unit_notes("notes:\n- {article: a05, zh: 杜航伟, note: x}", ARTICLES)
    with pytest.raises(TermTMError, match="matches 2 units"):
        apply_unit_notes(segs, two)
    none = load_unit_notes("notes:\n- {article: a05, zh: 孟建柱, note: x}", ARTICLES)
    with pytest.raises(TermTMError, match="matches no unit"):
        apply_unit_notes(segs, none)
    with pytest.raises(TermTMError, match="no article 'a42'"):
        load_unit_notes("notes:\n- {article: a42, zh: 杜, note: x}", ARTICLES)


def test_every_unit_of_the_back_translated_articles_says_so(built) -> None:
    _, store, _ = built
    units = [r.segment for r in store.records("bulletin-2007-12") if r.segment.article in BACK]
    assert len(units) == 159  # 158 before the repairs: SPA II gained two gap units, a06 item 2 lost its stray 。
    for s in units:
        assert s.note.startswith("English original: "), s.tuid
        if s.kind is ParaKind.TITLE:
            assert s.provenance is Provenance.PRINTED and "prints this title in English" in s.note
        else:
            assert s.provenance is Provenance.BACK_TRANSLATION and "back-translation" in s.note
    a06 = next(s for s in units if s.article == "a06" and s.kind is ParaKind.BODY)
    assert a06.note == A06_NOTE
    others = [r.segment for r in store.records("bulletin-2007-12") if r.segment.article not in BACK]
    assert all(s.provenance is not Provenance.BACK_TRANSLATION for s in others)


def test_known_errors_carry_their_notes(built) -> None:
    _, store, _ = built
    noted = {r.segment.tuid: r.segment for r in store.records() if r.segment.article not in BACK and r.segment.note}
    by_text = {n.split(":")[0]: s for s in noted.values() for n in s.note.splitlines()}
    assert len(noted) == 5 and set(by_text) == {"Printed-title error", "Source error", "Source error, probable",
                                                   "Source repair, doubtful"}  # fmt: skip
    titles = [s for s in noted.values() if s.kind is ParaKind.TITLE]
    assert sorted(s.article for s in titles) == ["a05", "a08"]
    assert "Du Hangwei (杜航伟)" in next(s.note for s in titles if s.article == "a05")
    assert "Women and Children (2008–2012)" in next(s.note for s in titles if s.article == "a08")
    spa1 = next(s for s in noted.values() if s.article == "a03")
    assert spa1.zh.startswith("2004年10月") and "adopted in 2005" in spa1.note
    daily = next(s for s in noted.values() if "台湾中央日报" in s.zh)
    assert "中央社" in daily.note and "Central Daily News" in daily.en


def test_the_tmx_exports_the_notes_before_the_props(built) -> None:
    root = etree.parse(str(built[0].tmx)).getroot()
    tus = root.findall("body/tu")
    with_notes = [tu for tu in tus if tu.find("note") is not None]
    assert len(with_notes) == 164  # 159 units of a04, a06, a07, a09 and five notes on other units
    tu = next(tu for tu in tus if tu.get("tuid") == "bulletin-2007-12:a06:p001:s00")
    assert [c.tag for c in tu][:2] == ["note", "prop"] and tu.findtext("note") == A06_NOTE
    assert tu.findtext("prop[@type='x-provenance']") == "back-translation"


def test_the_segment_page_and_the_api_show_the_label_and_the_notes(built, built_url, tmp_path) -> None:
    client = create_app({"DATABASE_URL": built_url, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    tuid = "bulletin-2007-12:a06:p001:s00"
    page = client.get(f"/segment/{tuid}").text
    assert "<strong>Back-translation:</strong>" in page and "Translator's notes</h2>" in page
    assert "Beijing, 14 December 2007; this English is a back-translation" in page
    assert client.get(f"/api/v1/segments/{tuid}").json["notes"] == [A06_NOTE]
    title = client.get("/segment/bulletin-2007-12:a05:p000:s00").text
    assert "<strong>Back-translation:</strong>" not in title and "Du Hangwei (杜航伟)" in title


def test_the_committed_notes_file_documents_its_keys() -> None:
    text = (ROOT / "tmx" / "sources" / "unit-notes.yaml").read_text(encoding="utf-8")
    notes = load_unit_notes(text, ARTICLES)
    assert set(notes.originals) == BACK and len(notes.notes) == 5
    assert text.startswith("# Translator's notes on units of the bulletin memory")
