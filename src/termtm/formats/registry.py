"""Every file format termtm reads and writes, one entry each: how to recognise it, read it and write it.

The CLI's import and export, the web downloads and the build all go through this table, so that a
format is added (or fixed) in one place. An entry reads a whole file into `Contents` (memory units or
concepts, by its kind) and writes an `Export` (what the store holds) as bytes; the readers and writers
themselves live in the modules beside this one.

    name        kind    extensions          reads and writes
    tmx         memory  .tmx (.xml)         TMX 1.4b
    xliff       memory  .xlf .xliff (.xml)  XLIFF 1.2
    xliff2      memory  .xlf .xliff (.xml)  XLIFF 2.0
    po          memory  .po                 gettext PO (msgctxt the tuid)
    memory-csv  memory  .csv                CSV with zh,en (or source,target) columns
    tbx         terms   .tbx (.xml)         TBX v3 (TBX-Basic, DCA style)
    tbx2        terms   .tbx (.xml)         TBX v2 (martif, TBX-Basic)
    term-csv    terms   .csv                CSV, one row per term, with a concept column
    omegat      terms   .txt .tab .utf8     OmegaT glossary (tab-separated)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Protocol

import termtm
from termtm.errors import UnsupportedFormat
from termtm.formats.memcsv import write_memory_csv
from termtm.formats.memory import FORMATS as MEMORY_READERS
from termtm.formats.memory import MemoryFormat, MemoryUnit, read_memory_file
from termtm.formats.omegat import read_omegat_glossary, write_omegat_glossary
from termtm.formats.po import write_po
from termtm.formats.tbx import V2, V3, Context, Dialect, read_tbx_file, write_tbx
from termtm.formats.termcsv import read_terms_csv, write_terms_csv
from termtm.formats.tmx import TmxHeader, write_tmx
from termtm.formats.xliff import XliffUnit, write_xliff, write_xliff2
from termtm.formats.xmlsafe import head_text
from termtm.model import Lang, Segment, Status
from termtm.terms.model import Concept, TermBase

HEAD_BYTES = 4096
"""How much of a file `sniff` looks at."""


class Kind(StrEnum):
    """What a format holds: a translation memory or a term base."""

    MEMORY = "memory"
    TERMS = "terms"


@dataclass(frozen=True, slots=True)
class Contents:
    """A file read whole: its memory units (kind memory) or concepts (kind terms), and what was left out.

    `skipped` counts units that are not memory (untranslated, fuzzy) or language sections in other languages.
    """

    units: list[MemoryUnit] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Export:
    """What an export writes: segments (memory formats) or a term base (term formats), and their dates.

    `when` is the export's TMX date; `dates` maps a tuid to (creationdate, changedate) and `changeids` to its
    editor; `contexts` maps (concept id, lang, term) to the tuids that attest the term, whose texts TBX takes
    from `segments`.
    """

    when: str
    segments: Sequence[Segment] = ()
    dates: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    changeids: Mapping[str, str] = field(default_factory=dict)
    termbase: TermBase = field(default_factory=TermBase)
    contexts: Mapping[tuple[str, str, str], Sequence[str]] = field(default_factory=dict)

    def count(self, kind: Kind) -> int:
        """How many units or concepts the export holds, for the message that says what was written."""
        return len(self.segments) if kind is Kind.MEMORY else len(self.termbase)


class Reader(Protocol):
    """Read a whole file; `src`/`tgt` orient a memory whose file does not say, `prefix` starts concept ids."""

    def __call__(
        self, data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, prefix: str = "imported"
    ) -> Contents: ...


@dataclass(frozen=True, slots=True)
class Format:
    """One file format: its name, kind, title and extensions, and how to recognise, read and write it.

    `sniff(name, head)` says whether a file of that name whose first bytes are `head` is in this format.
    """

    name: str
    kind: Kind
    title: str
    extensions: tuple[str, ...]
    mimetype: str
    sniff: Callable[[str, bytes], bool]
    read: Reader
    write: Callable[[Export], bytes]


# --- recognising a file ---------------------------------------------------------------------------

_XLIFF2 = re.compile(r"<(?:\w+:)?xliff\b[^>]*\bversion\s*=\s*[\"']2")


def _ext(name: str) -> str:
    return PurePath(name).suffix.lstrip(".").lower()


def _head(data: bytes) -> str:
    """The file's first bytes as text (by byte-order mark, else Latin-1: enough to see markup and a header)."""
    return head_text(data[:HEAD_BYTES]).lstrip("\ufeff")


def _root_is(head: str, *names: str) -> bool:
    """Does the markup's first element have one of these local names?"""
    m = re.search(r"<(?![?!])(?:[\w.-]+:)?([\w.-]+)", head)
    return m is not None and m.group(1) in names


def _is_term_csv(head: str) -> bool:
    """A CSV whose header row has a `concept` column."""
    first = head.splitlines()[:1]
    return bool(first) and "concept" in [h.strip().strip('"').lower() for h in first[0].split(",")]


def _sniff_tmx(name: str, data: bytes) -> bool:
    return _ext(name) == "tmx" or (_ext(name) == "xml" and _root_is(_head(data), "tmx"))


def _sniff_xliff(version2: bool) -> Callable[[str, bytes], bool]:
    def sniff(name: str, data: bytes) -> bool:
        head = _head(data)
        ours = _ext(name) in ("xlf", "xliff") or (_ext(name) == "xml" and _root_is(head, "xliff"))
        return ours and bool(_XLIFF2.search(head)) is version2

    return sniff


def _sniff_memory_csv(name: str, data: bytes) -> bool:
    return _ext(name) == "csv" and not _is_term_csv(_head(data))


def _sniff_term_csv(name: str, data: bytes) -> bool:
    return _ext(name) == "csv" and _is_term_csv(_head(data))


def _sniff_tbx(v2: bool) -> Callable[[str, bytes], bool]:
    def sniff(name: str, data: bytes) -> bool:
        head = _head(data)
        martif = "<martif" in head
        if _ext(name) == "tbx":
            return martif is v2
        return _ext(name) == "xml" and _root_is(head, "martif" if v2 else "tbx")

    return sniff


def _sniff_by_extension(*extensions: str) -> Callable[[str, bytes], bool]:
    return lambda name, data: _ext(name) in extensions


# --- reading ---------------------------------------------------------------------------------------


def _memory_reader(fmt: MemoryFormat) -> Reader:
    def read(
        data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, prefix: str = "imported"
    ) -> Contents:
        memory = read_memory_file(data, name, src=src, tgt=tgt, fmt=fmt)
        return Contents(units=memory.units, skipped=memory.skipped)

    return read


def _read_tbx(
    data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, prefix: str = "imported"
) -> Contents:
    read = read_tbx_file(data, name, prefix)
    return Contents(concepts=read.concepts, skipped=read.skipped)


def _read_term_csv(
    data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, prefix: str = "imported"
) -> Contents:
    return Contents(concepts=read_terms_csv(data, name, prefix))


def _read_omegat(
    data: bytes, name: str, *, src: Lang | None = None, tgt: Lang | None = None, prefix: str = "imported"
) -> Contents:
    return Contents(concepts=read_omegat_glossary(data, name, prefix))


# --- writing ---------------------------------------------------------------------------------------

_XLIFF12_STATE = {Status.DRAFT: "translated", Status.REVIEWED: "signed-off", Status.APPROVED: "final"}
_XLIFF2_STATE = {Status.DRAFT: "translated", Status.REVIEWED: "reviewed", Status.APPROVED: "final"}


def _write_tmx(export: Export) -> bytes:
    header = TmxHeader(creationdate=export.when)
    return write_tmx(export.segments, header, dates=dict(export.dates), changeids=dict(export.changeids))


def _xliff_units(export: Export, states: Mapping[Status, str]) -> list[XliffUnit]:
    return [
        XliffUnit(s.tuid, s.zh, s.en, states[s.status], notes=tuple(filter(None, s.note.splitlines())))
        for s in export.segments
    ]


def _write_xliff(export: Export) -> bytes:
    units = _xliff_units(export, _XLIFF12_STATE)
    return write_xliff(units, original="termtm-memory", src=Lang.ZH, tgt=Lang.EN, version=termtm.__version__)


def _write_xliff2(export: Export) -> bytes:
    return write_xliff2(_xliff_units(export, _XLIFF2_STATE), original="termtm-memory", src=Lang.ZH, tgt=Lang.EN)


def _write_po(export: Export) -> bytes:
    return write_po(export.segments)


def _write_memory_csv(export: Export) -> bytes:
    return write_memory_csv(export.segments)


def _tbx_writer(dialect: Dialect) -> Callable[[Export], bytes]:
    def write(export: Export) -> bytes:
        segs = {s.tuid: s for s in export.segments}
        contexts: dict[tuple[str, str, str], list[Context]] = {}
        for key, tuids in export.contexts.items():
            seg = segs.get(tuids[0]) if tuids else None
            if seg is not None:  # the first attesting unit is the term's context sentence
                contexts[key] = [Context(seg.zh if key[1] == "zh" else seg.en, seg.tuid)]
        when = export.when
        return write_tbx(export.termbase, contexts, f"{when[:4]}-{when[4:6]}-{when[6:8]}", dialect=dialect)

    return write


def _write_term_csv(export: Export) -> bytes:
    return write_terms_csv(export.termbase, export.contexts)


def _write_omegat(export: Export) -> bytes:
    return write_omegat_glossary(export.termbase)


FORMATS: tuple[Format, ...] = (
    Format(
        "tmx",
        Kind.MEMORY,
        "TMX",
        ("tmx",),
        "application/x-tmx+xml",
        _sniff_tmx,
        _memory_reader(MEMORY_READERS["tmx"]),
        _write_tmx,
    ),
    Format(
        "xliff",
        Kind.MEMORY,
        "XLIFF 1.2",
        ("xlf", "xliff"),
        "application/xliff+xml",
        _sniff_xliff(version2=False),
        _memory_reader(MEMORY_READERS["xliff"]),
        _write_xliff,
    ),
    Format(
        "xliff2",
        Kind.MEMORY,
        "XLIFF 2.0",
        ("xlf", "xliff"),
        "application/xliff+xml",
        _sniff_xliff(version2=True),
        _memory_reader(MEMORY_READERS["xliff"]),
        _write_xliff2,
    ),
    Format(
        "po",
        Kind.MEMORY,
        "PO",
        ("po",),
        "text/x-gettext-translation",
        _sniff_by_extension("po"),
        _memory_reader(MEMORY_READERS["po"]),
        _write_po,
    ),
    Format(
        "memory-csv",
        Kind.MEMORY,
        "memory CSV",
        ("csv",),
        "text/csv",
        _sniff_memory_csv,
        _memory_reader(MEMORY_READERS["csv"]),
        _write_memory_csv,
    ),
    Format(
        "tbx",
        Kind.TERMS,
        "TBX v3",
        ("tbx",),
        "application/x-tbx+xml",
        _sniff_tbx(v2=False),
        _read_tbx,
        _tbx_writer(V3),
    ),
    Format(
        "tbx2",
        Kind.TERMS,
        "TBX v2",
        ("tbx",),
        "application/x-tbx+xml",
        _sniff_tbx(v2=True),
        _read_tbx,
        _tbx_writer(V2),
    ),
    Format(
        "term-csv",
        Kind.TERMS,
        "term CSV",
        ("csv",),
        "text/csv",
        _sniff_term_csv,
        _read_term_csv,
        _write_term_csv,
    ),
    Format(
        "omegat",
        Kind.TERMS,
        "OmegaT glossary",
        ("txt", "tab", "utf8"),
        "text/plain",
        _sniff_by_extension("txt", "tab", "utf8"),
        _read_omegat,
        _write_omegat,
    ),
)
_BY_NAME = {f.name: f for f in FORMATS}


def names(kind: Kind | None = None) -> list[str]:
    """The entries' names, in table order (of one kind when given)."""
    return [f.name for f in FORMATS if kind in (None, f.kind)]


def by_name(name: str) -> Format:
    """The entry called `name` (tmx, xliff, …), or an error that lists the names."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnsupportedFormat(f"unknown format {name!r}: use one of {', '.join(_BY_NAME)}") from None


def supported(kind: Kind | None = None) -> str:
    """The formats termtm reads, for an error message: 'TMX (.tmx), XLIFF 1.2 (.xlf, .xliff), …'."""
    return ", ".join(
        f"{f.title} (" + ", ".join(f".{e}" for e in f.extensions) + ")" for f in FORMATS if kind in (None, f.kind)
    )


def sniff(name: str, head: bytes, kind: Kind | None = None) -> Format:
    """The entry for a file named `name` whose first bytes are `head` (of `kind` when the caller knows it).

    The extension and the first bytes decide; when `kind` is given and nothing matches, the entry of that
    kind that takes the extension is returned, so that its reader says what is wrong with the file.
    """
    candidates = [f for f in FORMATS if kind in (None, f.kind)]
    for f in candidates:
        if f.sniff(name, head):
            return f
    if kind is not None:
        ext = _ext(name)
        for f in candidates:
            if ext in f.extensions or (ext == "xml" and "tbx" in f.extensions):
                return f
    what = {None: "a format", Kind.MEMORY: "a memory format", Kind.TERMS: "a term base format"}[kind]
    csv = "" if kind is Kind.MEMORY else " (a term CSV has a concept column)"
    raise UnsupportedFormat(
        f"{PurePath(name).name} is not in {what} termtm reads: {supported(kind)}{csv}; "
        "save or export it as one of them (the extension says which)"
    )
