"""Read translation memories (TMX, XLIFF, PO, CSV) through translate-toolkit.

Each format is a small declaration; `read_memory` turns any of them into
`MemoryUnit`s with the Chinese side first, whatever the file's direction.
XML inputs pass `check_xml` first, so entity tricks never reach a parser.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from termtm.align.cues import is_chinese
from termtm.errors import ParseError, UnsupportedFormat
from termtm.formats.xmlsafe import check_xml
from termtm.model import Lang

_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


@dataclass(frozen=True, slots=True)
class MemoryUnit:
    """One imported translation unit, oriented Chinese → English."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class MemoryFormat:
    """A memory format: its extensions, whether it is XML, and its toolkit store class."""

    name: str
    extensions: tuple[str, ...]
    xml: bool
    store: Callable[[], type]


def _tmx() -> type:
    from translate.storage.tmx import tmxfile

    return tmxfile


def _xliff() -> type:
    from translate.storage.xliff import xlifffile

    return xlifffile


def _po() -> type:
    from translate.storage.po import pofile

    return pofile


FORMATS: dict[str, MemoryFormat] = {
    "tmx": MemoryFormat("tmx", ("tmx",), True, _tmx),
    "xliff": MemoryFormat("xliff", ("xlf", "xliff"), True, _xliff),
    "po": MemoryFormat("po", ("po",), False, _po),
    "csv": MemoryFormat("csv", ("csv",), False, lambda: type(None)),
}


def format_for(path: Path) -> MemoryFormat:
    """The format for a file name, by extension."""
    ext = path.suffix.lstrip(".").lower()
    for fmt in FORMATS.values():
        if ext in fmt.extensions:
            return fmt
    raise UnsupportedFormat(f"{path.name}: termtm imports .tmx, .xlf/.xliff, .po and .csv files")


def read_memory(data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None) -> list[MemoryUnit]:
    """Parse a memory file completely, or raise ParseError naming the first bad unit."""
    fmt = format_for(Path(name))
    if fmt.xml:
        check_xml(data, name)
    try:
        text_check = data.decode("utf-8") if not fmt.xml else None
    except UnicodeDecodeError as err:
        raise ParseError(f"{name} is not UTF-8 (byte {err.start}): convert it to UTF-8 and import again") from err
    pairs = _read_csv(text_check or "", name) if fmt.name == "csv" else _read_toolkit(fmt, data, name, src, tgt)
    if fmt.name == "tmx":  # TMX units come out (zh, en) by their xml:lang; no guessing by script
        src, tgt = Lang.ZH, Lang.EN
    units = []
    for n, (uid, source, target) in enumerate(pairs, start=1):
        label = f"{name} unit {uid or n}"
        for side in (source, target):
            if _CONTROL & set(side):
                raise ParseError(f"{label}: contains control characters; remove them")
        if not source.strip() or not target.strip():
            raise ParseError(f"{label}: empty source or target; fill it or remove the unit")
        zh, en = _orient(source, target, src, tgt, label)
        units.append(MemoryUnit(uid or str(n), zh, en))
    if not units:
        raise ParseError(f"{name} holds no translated units")
    return units


def _orient(source: str, target: str, src: Lang | None, tgt: Lang | None, label: str) -> tuple[str, str]:
    """Return (zh, en) given declared languages, or by script when none are declared."""
    if src is Lang.ZH or tgt is Lang.EN:
        return source, target
    if src is Lang.EN or tgt is Lang.ZH:
        return target, source
    if is_chinese(source) and not is_chinese(target):
        return source, target
    if is_chinese(target) and not is_chinese(source):
        return target, source
    raise ParseError(f"{label}: cannot tell which side is Chinese; give --src-lang and --tgt-lang")


def _read_toolkit(
    fmt: MemoryFormat, data: bytes, name: str, src: Lang | None, tgt: Lang | None
) -> list[tuple[str, str, str]]:
    """Units of a toolkit store as (id, source, target); languages are taken from the file if given."""
    cls = fmt.store()
    try:
        store = cls.parsestring(data)
    except Exception as err:  # the toolkit raises many types (lxml, ValueError, …) for malformed input
        raise ParseError(f"{name} could not be parsed as {fmt.name.upper()}: {err}") from err
    if fmt.name == "tmx":
        return _read_tmx_units(store, name)
    out = []
    for unit in store.units:
        # Untranslated units and fuzzy PO entries are not memory. XLIFF units count when they
        # have a target: the toolkit calls every unapproved XLIFF unit fuzzy.
        if unit.isheader() or not unit.target or (fmt.name == "po" and unit.isfuzzy()):
            continue
        # XLIFF's getid() prefixes the file name with a control character; use the unit's own id.
        element = getattr(unit, "xmlelement", None)
        uid = (element.get("id") if element is not None else None) or unit.getid() or ""
        out.append((uid, str(unit.source), str(unit.target)))
    return out


def _read_tmx_units(store: object, name: str) -> list[tuple[str, str, str]]:
    """TMX units by language code, so that the file's direction does not matter."""
    out = []
    for n, unit in enumerate(store.units, start=1):  # type: ignore[attr-defined]
        texts: dict[Lang, str] = {}
        for tuv in unit.xmlelement.iter("{*}tuv", "tuv"):
            code = tuv.get("{http://www.w3.org/XML/1998/namespace}lang") or tuv.get("lang") or ""
            seg = tuv.find("seg")
            if seg is None:
                seg = tuv.find("{*}seg")
            try:
                lang = Lang.parse(code)
            except Exception as err:  # UnknownLanguage: report with the unit number
                raise ParseError(f"{name} unit {n}: {err}") from err
            texts[lang] = "".join(seg.itertext()) if seg is not None else ""
        uid = unit.xmlelement.get("tuid") or str(n)
        if Lang.ZH in texts and Lang.EN in texts:
            out.append((uid, texts[Lang.ZH], texts[Lang.EN]))
    return out


def _read_csv(text: str, name: str) -> list[tuple[str, str, str]]:
    """CSV with a header row naming zh/en (or source/target) columns, or two bare columns."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ParseError(f"{name} is empty")
    head = [h.strip().lower() for h in rows[0]]
    cols = _csv_columns(head)
    body = rows[1:] if cols else rows
    zi, ei = cols or (0, 1)
    out = []
    for n, row in enumerate(body, start=2 if cols else 1):
        if len(row) <= max(zi, ei):
            raise ParseError(f"{name} row {n}: expected at least {max(zi, ei) + 1} columns")
        out.append((f"row{n}", row[zi], row[ei]))
    return out


def _csv_columns(head: list[str]) -> tuple[int, int] | None:
    for a, b in (("zh", "en"), ("zh-cn", "en"), ("source", "target"), ("chinese", "english")):
        if a in head and b in head:
            return head.index(a), head.index(b)
    return None
