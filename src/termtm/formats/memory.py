"""Read translation memories (TMX, XLIFF 1.2 and 2.0, PO, CSV) whole, or refuse them with every bad unit named.

Each reader turns a file into `RawUnit`s as the file gives them; `read_memory`
then checks every unit (empty or whitespace-only sides, control characters,
length, repeated ids), orients it Chinese side first, and raises one
ParseError listing all the problems, so that nothing is imported from a file
with any. XML goes through `xmlsafe.parse_xml` (no entities, no DTDs); the
toolkit only ever sees XLIFF that has passed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from termtm.corpus.script import is_chinese
from termtm.errors import ParseError, UnknownLanguage, UnsupportedFormat
from termtm.formats.cells import restore
from termtm.formats.inputs import Problems, check_size, csv_rows, decode_text, quoted, row_shape
from termtm.formats.xmlsafe import parse_xml
from termtm.model import Lang
from termtm.safetext import TUID

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PO_ESCAPE = re.compile(r"\\(.)")
_PO_ESCAPES_OK = frozenset('ntr"\\')
LANG_NAMES = {Lang.ZH: "Chinese", Lang.EN: "English"}


@dataclass(frozen=True, slots=True)
class MemoryUnit:
    """One imported translation unit, oriented Chinese → English."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class RawUnit:
    """A unit as its file gives it, before checks and orientation; `where` names it in error messages."""

    where: str
    uid: str
    source: str
    target: str
    sides: tuple[str, str] = ("the source", "the target")
    langs: tuple[Lang | None, Lang | None] = (None, None)


@dataclass(slots=True)
class RawFile:
    """The units of one file, and how many units it holds that are not memory (untranslated, fuzzy)."""

    units: list[RawUnit] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        """Count a unit that is not memory: 'untranslated' or 'fuzzy'."""
        self.skipped[why] = self.skipped.get(why, 0) + 1


@dataclass(frozen=True, slots=True)
class MemoryFile:
    """A memory file read whole: its units, Chinese first, and the counts of units skipped by kind."""

    units: list[MemoryUnit]
    skipped: dict[str, int]


Reader = Callable[[bytes, str, Problems], RawFile]


@dataclass(frozen=True, slots=True)
class MemoryFormat:
    """A memory format: its name, its file extensions and its reader."""

    name: str
    extensions: tuple[str, ...]
    reader: Reader


def format_for(path: Path) -> MemoryFormat:
    """The format for a file name, by extension."""
    ext = path.suffix.lstrip(".").lower()
    for fmt in FORMATS.values():
        if ext in fmt.extensions:
            return fmt
    raise UnsupportedFormat(f"{path.name}: termtm imports .tmx, .xlf/.xliff, .po and .csv files")


def read_memory(data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None) -> list[MemoryUnit]:
    """Parse a memory file completely, Chinese side first, or raise ParseError naming every bad unit."""
    return read_memory_file(data, name, src=src, tgt=tgt).units


def read_memory_file(
    data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, fmt: MemoryFormat | None = None
) -> MemoryFile:
    """Like read_memory, with the counts of untranslated and fuzzy units that were left out.

    The format is `fmt` when the caller has sniffed it (formats.registry), else the one the extension names.
    """
    fmt = fmt or format_for(Path(name))
    check_size(len(data), name)
    problems = Problems(name)
    raw = fmt.reader(data, name, problems)
    units = _checked(raw.units, problems, src, tgt)
    problems.raise_if_any()
    if not units:
        left = ", ".join(f"{n} {why}" for why, n in raw.skipped.items())
        raise ParseError(f"{name} holds no translated units" + (f" ({left})" if left else ""))
    return MemoryFile(units, raw.skipped)


def _checked(raw: list[RawUnit], problems: Problems, src: Lang | None, tgt: Lang | None) -> list[MemoryUnit]:
    """Units that pass every check, oriented; what is wrong with the others goes to `problems`."""
    seen: dict[str, str] = {}
    units = []
    for n, r in enumerate(raw, start=1):
        uid = r.uid or str(n)
        ok = problems.check(r.where, r.sides[0], r.source) & problems.check(r.where, r.sides[1], r.target)
        ok &= problems.check(r.where, f"its id {quoted(uid)}", uid, kind=TUID)
        if uid in seen:
            problems.add(r.where, f"its id repeats {seen[uid]}: ids must be unique")
            ok = False
        seen.setdefault(uid, r.where)
        if not ok:
            continue
        pair = _orient(r, src, tgt)
        if pair is None:
            problems.add(r.where, "cannot tell which side is Chinese: give --src-lang and --tgt-lang")
            continue
        units.append(MemoryUnit(uid, *pair))
    return units


def _orient(r: RawUnit, src: Lang | None, tgt: Lang | None) -> tuple[str, str] | None:
    """(zh, en) by the languages the file declares, else those given, else by script; None if undecidable."""
    s, t = r.langs[0] or src, r.langs[1] or tgt
    if s is Lang.ZH or t is Lang.EN:
        return r.source, r.target
    if s is Lang.EN or t is Lang.ZH:
        return r.target, r.source
    if is_chinese(r.source) and not is_chinese(r.target):
        return r.source, r.target
    if is_chinese(r.target) and not is_chinese(r.source):
        return r.target, r.source
    return None


def _lang(code: str | None, where: str, what: str, problems: Problems) -> Lang | None:
    """A declared language code as a Lang; a code that is neither Chinese nor English is a problem."""
    if code is None:
        return None
    try:
        return Lang.parse(code)
    except UnknownLanguage:
        problems.add(
            where,
            f"{what} is {quoted(code)}, neither Chinese nor English: termtm keeps a Chinese–English memory; "
            "remove the other languages first",
        )
        return None


def _read_tmx(data: bytes, name: str, problems: Problems) -> RawFile:
    """TMX units by xml:lang: one Chinese and one English <tuv> each, in any order."""
    root = parse_xml(data, name, roots=("tmx",))
    out = RawFile()
    for n, tu in enumerate(root.iter("{*}tu"), start=1):
        uid = tu.get("tuid") or ""
        where = f"unit {n}" + (f" (tuid {quoted(uid)})" if uid else "")
        texts = _tmx_texts(tu, where, problems)
        if texts is not None:
            zh, en = texts[Lang.ZH], texts[Lang.EN]
            out.units.append(RawUnit(where, uid, zh, en, ("the Chinese side", "the English side"), (Lang.ZH, Lang.EN)))
    return out


def _tmx_texts(tu: etree._Element, where: str, problems: Problems) -> dict[Lang, str] | None:
    """The unit's Chinese and English text, or None after recording what is wrong with its <tuv>s."""
    before = len(problems.items)
    texts: dict[Lang, str] = {}
    for tuv in tu.iterchildren("{*}tuv"):
        code = tuv.get(XML_LANG) or tuv.get("lang")
        if not (code or "").strip():
            problems.add(where, "a <tuv> has no xml:lang")
            continue
        lang = _lang(code, where, "the language of a <tuv>", problems)
        if lang in texts:
            problems.add(where, f"two {LANG_NAMES[lang]} <tuv>s")
        elif lang is not None:
            seg = tuv.find("{*}seg")
            texts[lang] = "".join(seg.itertext()) if seg is not None else ""
    if len(problems.items) > before:
        return None
    missing = [LANG_NAMES[lang] for lang in (Lang.ZH, Lang.EN) if lang not in texts]
    if missing:
        problems.add(where, f"no {' and no '.join(missing)} <tuv>")
        return None
    return texts


def _read_xliff(data: bytes, name: str, problems: Problems) -> RawFile:
    """XLIFF 1.2 or 2.0 units with a target; units with no or an empty <target> are counted as untranslated."""
    from translate.storage.xliff import xlifffile
    from translate.storage.xliff2 import Xliff2File

    root = parse_xml(data, name, roots=("xliff",))
    v2 = (root.get("version") or "").startswith("2")
    langs = _xliff_langs(root, v2, problems)
    try:
        store = (Xliff2File if v2 else xlifffile).parsestring(data)
    except Exception as err:  # the toolkit raises many types (ValueError, AssertionError, …) for odd files
        raise ParseError(f"{name}: not readable as XLIFF {root.get('version') or ''}: {err}") from err
    out = RawFile()
    for n, unit in enumerate(store.units, start=1):
        if unit.isheader():
            continue
        # XLIFF 1.2's getid() prefixes the file name with a control character; use the unit's own id.
        uid = unit.getid() if v2 else (unit.xmlelement.get("id") or "")
        target_el = unit.xmlelement.find("{*}target")
        raw_target = "".join(target_el.itertext()) if target_el is not None else ""
        if not raw_target:
            out.skip("untranslated")
            continue
        where = f"unit {n}" + (f" (id {quoted(uid)})" if uid else "")
        out.units.append(RawUnit(where, uid, str(unit.source or ""), str(unit.target or "") or raw_target, langs=langs))
    return out


def _xliff_langs(root: etree._Element, v2: bool, problems: Problems) -> tuple[Lang | None, Lang | None]:
    """The source and target languages the file declares, when every <file> agrees; unknown codes are problems."""
    if v2:
        declared = [("", root.get("srcLang"), root.get("trgLang"))]
    else:
        declared = [
            (f"<file original={quoted(f.get('original') or '')}>", f.get("source-language"), f.get("target-language"))
            for f in root.iter("{*}file")
        ]
    pairs = set()
    for where, s, t in declared:
        pair = (
            _lang(s, where, "the source language", problems),
            _lang(t, where, "the target language", problems),
        )
        if pair[0] is not None and pair[0] is pair[1]:
            problems.add(where, f"source and target are both {LANG_NAMES[pair[0]]}")
        pairs.add(pair)
    return pairs.pop() if len(pairs) == 1 else (None, None)


def _read_po(data: bytes, name: str, problems: Problems) -> RawFile:
    """PO entries with a translation; untranslated and fuzzy entries are counted, not imported."""
    from translate.storage.po import pofile

    text = decode_text(data, name)
    _po_escapes(text, problems)
    try:
        store = pofile.parsestring(text.encode("utf-8"))
    except Exception as err:  # the toolkit's PO parser raises ValueError and others on malformed files
        raise ParseError(f"{name}: not a readable PO file: {err}") from err
    target = _lang(store.gettargetlanguage() or None, "", "the header's Language", problems)
    out = RawFile()
    for n, unit in enumerate(store.units, start=1):
        if unit.isheader() or unit.isobsolete():
            continue
        if unit.isfuzzy() or not str(unit.target or ""):
            out.skip("fuzzy" if unit.isfuzzy() else "untranslated")
            continue
        uid = (unit.getid() or "").replace("\x04", "|")  # msgctxt and msgid are joined by EOT
        where = f"entry {n} (msgid {quoted(str(unit.source))})"
        out.units.append(RawUnit(where, uid, str(unit.source), str(unit.target), ("msgid", "msgstr"), (None, target)))
    return out


def _po_escapes(text: str, problems: Problems) -> None:
    r"""Record escapes other than \n \t \r \" \\ in PO strings: the toolkit would read `\a` as a bare `a`."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith(("msg", '"')):
            continue
        for m in _PO_ESCAPE.finditer(line):
            if m.group(1) not in _PO_ESCAPES_OK:
                problems.add(f"line {n}", f"the escape \\{m.group(1)} is not one termtm reads (a control character?)")


def _read_csv(data: bytes, name: str, problems: Problems) -> RawFile:
    """CSV with a header naming zh/en (or source/target) columns, or two bare columns; every row must fit."""
    rows = _csv_header(decode_text(data, name), name)
    header = _csv_columns([h.strip().lower() for h in rows[0]])
    if header is None and _looks_like_header(rows):
        raise ParseError(
            f"{name}: row 1 looks like a header, but names no zh and en (or source and target) columns: name them"
        )
    zi, ei, langs = header or (0, 1, (None, None))
    sides = (f"column {quoted(rows[0][zi])}", f"column {quoted(rows[0][ei])}") if header else ("column 1", "column 2")
    width = len(rows[0])
    out = RawFile()
    for n, row in enumerate(rows[1:] if header else rows, start=2 if header else 1):
        shape = row_shape(row, width, "the header" if header else "row 1")
        if shape:
            problems.add(f"row {n}", shape)
        else:
            # cells termtm wrote with a leading apostrophe (formats.cells) read back as they were
            out.units.append(RawUnit(f"row {n}", f"row{n}", restore(row[zi]), restore(row[ei]), sides, langs))
    return out


def _csv_header(text: str, name: str) -> list[list[str]]:
    """The records of a memory CSV, with at least two columns in the first."""
    rows = csv_rows(text, name)
    if len(rows[0]) < 2:
        raise ParseError(f"{name}: row 1 has {len(rows[0])} column; a memory CSV needs two (zh,en or source,target)")
    return rows


def _csv_columns(head: list[str]) -> tuple[int, int, tuple[Lang | None, Lang | None]] | None:
    """Column indexes of the two sides named in a header row, and their languages when the names give them."""
    for a, b, langs in (
        ("zh", "en", (Lang.ZH, Lang.EN)),
        ("zh-cn", "en", (Lang.ZH, Lang.EN)),
        ("chinese", "english", (Lang.ZH, Lang.EN)),
        ("source", "target", (None, None)),
    ):
        if a in head and b in head:
            return head.index(a), head.index(b), langs
    return None


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row without Chinese above rows with Chinese is a header, not a unit."""
    return not any(is_chinese(cell) for cell in rows[0]) and any(is_chinese(cell) for row in rows[1:4] for cell in row)


FORMATS: dict[str, MemoryFormat] = {
    "tmx": MemoryFormat("tmx", ("tmx",), _read_tmx),
    "xliff": MemoryFormat("xliff", ("xlf", "xliff"), _read_xliff),
    "po": MemoryFormat("po", ("po",), _read_po),
    "csv": MemoryFormat("csv", ("csv",), _read_csv),
}
