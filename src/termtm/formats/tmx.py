"""TMX 1.4b writer: the memory as CAT tools (OmegaT, Trados, memoQ, Weblate) import it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

import termtm
from termtm.model import Lang, Segment
from termtm.safetext import without_controls as _x

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
O_TMF = "termtm"
"""o-tmf names the format the memory came from: our own store."""


TMX_DATE = "%Y%m%dT%H%M%SZ"
"""TMX's date form (UTC), which the store keeps too: 20261127T121624Z."""


def tmx_now() -> str:
    """The current time as a TMX date."""
    return datetime.now(UTC).strftime(TMX_DATE)


def iso_date(tmx_date: str, sep: str = "T", zone: str = "Z") -> str:
    """20261127T121624Z → 2026-11-27T12:16:24Z (TBX, ISO 8601), or with sep=" ", zone="" for people.

    Anything that is not a TMX date (an empty changedate, say) is returned as it is.
    """
    try:
        when = datetime.strptime(tmx_date, TMX_DATE)
    except ValueError:
        return tmx_date
    return when.strftime(f"%Y-%m-%d{sep}%H:%M:%S{zone}")


@dataclass(frozen=True, slots=True)
class TmxHeader:
    """Header fields of a TMX file; dates are TMX's YYYYMMDDThhmmssZ."""

    creationdate: str
    srclang: str = Lang.ZH.value
    adminlang: str = "en"
    datatype: str = "plaintext"
    segtype: str = "sentence"


def write_tmx(
    segments: Iterable[Segment],
    header: TmxHeader,
    *,
    dates: dict[str, tuple[str, str]] | None = None,
    changeids: dict[str, str] | None = None,
) -> bytes:
    """Serialise segments as TMX 1.4b; `dates` maps tuid to (creationdate, changedate), `changeids` to the editor.

    A unit carries changeid only when a person changed it, so CAT tools show the editor, not the build.
    Its editorial status (draft, reviewed, approved: XLIFF 2.0's ladder) is the x-status prop, where its English
    comes from (printed, translated, back-translation, imported) x-provenance; translator's notes are <note>s.
    Characters XML cannot hold (a control character stored before the store checked for them) are left out, so
    that one bad row never stops an export.
    """
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="termtm",
        creationtoolversion=termtm.__version__,
        segtype=header.segtype,
        **{"o-tmf": O_TMF},
        adminlang=header.adminlang,
        srclang=header.srclang,
        datatype=header.datatype,
        creationdate=header.creationdate,
    )
    body = etree.SubElement(root, "body")
    for seg in segments:
        created, changed = (dates or {}).get(seg.tuid, (header.creationdate, header.creationdate))
        tu = etree.SubElement(body, "tu", tuid=_x(seg.tuid), creationdate=created, changedate=changed)
        if changeid := (changeids or {}).get(seg.tuid):
            tu.set("changeid", _x(changeid))
        for line in filter(None, seg.note.splitlines()):  # TMX 1.4: notes and props come before the tuvs
            etree.SubElement(tu, "note", {XML_LANG: "en"}).text = _x(line)
        props = {
            "document": seg.document,
            "article": seg.article,
            "paragraph": str(seg.paragraph),
            "sentence": str(seg.sentence),
            "kind": seg.kind.value,
            "provenance": seg.provenance.value,
            "status": seg.status.value,
            **seg.props,
        }
        for key, value in props.items():
            if value:
                prop = etree.SubElement(tu, "prop", type=f"x-{key}")
                prop.text = _x(value)
        for lang, text in ((Lang.ZH.value, seg.zh), (Lang.EN.value, seg.en)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = _x(text)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    )
