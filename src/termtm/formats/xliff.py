"""Write XLIFF 1.2 for a CAT tool: one <trans-unit> per segment, with target, alternatives and notes (and 2.0).

The file is valid against the OASIS strict schema (xliff-core-1.2-strict.xsd). Element order inside a
<trans-unit> follows the schema: <source>, <target>, then <note>s and <alt-trans>. The tree is built
with lxml, so every text is escaped by the serialiser, never by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from termtm.model import Lang

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TOOL_ID = "termtm"


@dataclass(frozen=True, slots=True)
class AltTrans:
    """A memory match offered beside the target: its percentage, source and target text."""

    quality: float
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class XliffUnit:
    """One segment: its id, source, target ('' for none), target state and qualifier, matches and notes."""

    id: str
    source: str
    target: str = ""
    state: str = "new"
    qualifier: str | None = None
    alts: tuple[AltTrans, ...] = ()
    notes: tuple[str, ...] = ()


def _quality(score: float) -> str:
    """match-quality as CAT tools write it: '100', '87.5' (no trailing zeros)."""
    return f"{score:g}"


def write_xliff(units: Sequence[XliffUnit], *, original: str, src: Lang, tgt: Lang, version: str) -> bytes:
    """The XLIFF 1.2 document for `units`, UTF-8 with an XML declaration."""
    nsmap = {None: XLIFF_NS}
    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap=nsmap, version="1.2")
    file = etree.SubElement(
        root,
        f"{{{XLIFF_NS}}}file",
        {"original": original, "source-language": src.value, "target-language": tgt.value},
        datatype="plaintext",
        **{"tool-id": TOOL_ID},
    )
    header = etree.SubElement(file, f"{{{XLIFF_NS}}}header")
    etree.SubElement(
        header, f"{{{XLIFF_NS}}}tool", {"tool-id": TOOL_ID, "tool-name": "termtm", "tool-version": version}
    )
    body = etree.SubElement(file, f"{{{XLIFF_NS}}}body")
    for unit in units:
        _unit(body, unit, src, tgt)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(body: etree._Element, unit: XliffUnit, src: Lang, tgt: Lang) -> None:
    """Append one <trans-unit> in schema order: source, target, notes, alt-trans."""
    tu = etree.SubElement(body, f"{{{XLIFF_NS}}}trans-unit", id=unit.id)
    tu.set(f"{{{XML_NS}}}space", "preserve")
    etree.SubElement(tu, f"{{{XLIFF_NS}}}source").text = unit.source
    target = etree.SubElement(tu, f"{{{XLIFF_NS}}}target", state=unit.state)
    if unit.qualifier:
        target.set("state-qualifier", unit.qualifier)
    target.text = unit.target
    for text in unit.notes:
        note = etree.SubElement(tu, f"{{{XLIFF_NS}}}note", {"from": TOOL_ID, "annotates": "source"})
        note.text = text
    for alt in unit.alts:
        at = etree.SubElement(tu, f"{{{XLIFF_NS}}}alt-trans", {"match-quality": _quality(alt.quality)}, origin=TOOL_ID)
        etree.SubElement(at, f"{{{XLIFF_NS}}}source", {f"{{{XML_NS}}}lang": src.value}).text = alt.source
        etree.SubElement(at, f"{{{XLIFF_NS}}}target", {f"{{{XML_NS}}}lang": tgt.value}).text = alt.target


XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF2_STATES = ("initial", "translated", "reviewed", "final")
"""XLIFF 2.0's <segment state> ladder; XliffUnit.state must be one of them for write_xliff2."""


def write_xliff2(units: Sequence[XliffUnit], *, original: str, src: Lang, tgt: Lang) -> bytes:
    """The XLIFF 2.0 document for `units` (core only: notes, one segment each; no matches), UTF-8.

    Unit ids must be NMTOKENs (no spaces), as the store's tuids are.
    """
    nsmap = {None: XLIFF2_NS}
    root = etree.Element(f"{{{XLIFF2_NS}}}xliff", nsmap=nsmap, version="2.0", srcLang=src.value, trgLang=tgt.value)
    file = etree.SubElement(root, f"{{{XLIFF2_NS}}}file", id="f1", original=original)
    for unit in units:
        u = etree.SubElement(file, f"{{{XLIFF2_NS}}}unit", id=unit.id)
        if unit.notes:
            notes = etree.SubElement(u, f"{{{XLIFF2_NS}}}notes")
            for text in unit.notes:
                etree.SubElement(notes, f"{{{XLIFF2_NS}}}note").text = text
        seg = etree.SubElement(u, f"{{{XLIFF2_NS}}}segment", state=unit.state)
        etree.SubElement(seg, f"{{{XLIFF2_NS}}}source", {f"{{{XML_NS}}}space": "preserve"}).text = unit.source
        if unit.target:
            etree.SubElement(seg, f"{{{XLIFF2_NS}}}target", {f"{{{XML_NS}}}space": "preserve"}).text = unit.target
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
