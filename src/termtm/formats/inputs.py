"""Checks every import shares: size, binary files, text encodings, bad characters, and a list of row errors.

Readers collect what is wrong with each row or unit in a `Problems` list and
raise it once, so that a user sees every bad row of a file in one run and the
store is never touched by a file that has any.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass, field

from termtm.corpus.script import has_han
from termtm.errors import ParseError
from termtm.safetext import MAX_SEGMENT_CHARS, MAX_TERM_CHARS, Field, field_problem, quoted, without_controls

__all__ = ["MAX_SEGMENT_CHARS", "MAX_TERM_CHARS", "Field", "quoted"]

MAX_IMPORT_BYTES = 200 * 1024 * 1024
"""Largest file an import reads (200 MB, a TMX of about a million units); TERMTM_MAX_IMPORT_BYTES overrides it."""

MAX_LISTED = 20
"""How many row errors an error message lists before it only counts the rest."""

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an .xlsx or .docx workbook/document is one: save it as CSV or export TMX)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (.xls/.doc): save it as CSV UTF-8",
    b"\x1f\x8b": "a gzip archive: decompress it first",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def max_import_bytes() -> int:
    """The import size limit: TERMTM_MAX_IMPORT_BYTES if set, else MAX_IMPORT_BYTES."""
    raw = os.environ.get("TERMTM_MAX_IMPORT_BYTES", "").strip()
    if not raw:
        return MAX_IMPORT_BYTES
    if not raw.isdigit() or int(raw) == 0:
        raise ParseError(f"TERMTM_MAX_IMPORT_BYTES={raw!r} is not a positive number of bytes")
    return int(raw)


def check_size(size: int, name: str) -> None:
    """Refuse a file larger than the import limit, before it is read or parsed."""
    limit = max_import_bytes()
    if size > limit:
        raise ParseError(
            f"{name} is {size:,} bytes; the import limit is {limit:,} (TERMTM_MAX_IMPORT_BYTES): "
            "split the file, or raise the limit if the machine has the memory"
        )


def check_not_binary(data: bytes, name: str) -> None:
    """Refuse images, archives and other binary files, whatever their extension says."""
    if not data.strip():
        raise ParseError(f"{name} is empty")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ParseError(f"{name} is {what}, not a text file")
    if looks_binary(data):
        raise ParseError(
            f"{name} is a binary file (NUL bytes in its first kilobyte), or UTF-16 without a byte-order mark: "
            "save it as UTF-8"
        )


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first kilobyte without a byte-order mark: a binary file, or UTF-16 that no reader can tell."""
    return bom_encoding(data) is None and data[:1024].count(0) > 8


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a byte-order mark at the start of `data`, or None."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def decode_text(data: bytes, name: str) -> str:
    """Text of a CSV or PO file: UTF-8 (with or without BOM), or UTF-16/32 with a BOM; else a clear error."""
    check_not_binary(data, name)
    return decode(data, name)


def decode(
    data: bytes,
    name: str,
    declared: str | None = None,
    then: str = "fix it or convert the file to UTF-8, and import again",
) -> str:
    """Text by byte-order mark, else the `declared` charset (an HTML meta), else UTF-8; else a ParseError that says
    where the first bad byte is, what the file looks like instead, and `then`: what to do."""
    codec = bom_encoding(data) or declared or "utf-8"
    try:
        return data.decode(codec)
    except LookupError as err:
        raise ParseError(f"{name} declares the unknown character set {codec!r}: save it as UTF-8") from err
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ParseError(
            f"{name} is not {codec.upper().removesuffix('-SIG')} (line {line}, byte {err.start})"
            f"{encoding_hint(data)}: {then}"
        ) from err


def encoding_hint(data: bytes) -> str:
    """A hint, for an error message, at what a file that is not valid UTF-8 is instead."""
    mixed = data.decode("utf-8", errors="replace")
    broken = mixed.count("\ufffd")
    if sum(1 for ch in mixed if ch > "\x7f") > 2 * broken:
        return "; the rest is UTF-8, so a character there is broken or cut short"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return "; it looks like Latin-1/Windows-1252 (e.g. iconv -f CP1252 -t UTF-8)"
    if has_han(text):
        return "; it looks like GBK/GB18030 Chinese (e.g. iconv -f GB18030 -t UTF-8)"
    return ""


def bad_character(text: str) -> str | None:
    """What makes `text` unfit for the store (a control character, a lone surrogate), described; or None."""
    problem = field_problem(text, Field(len(text), blank_ok=True))
    return problem.removeprefix("contains ").removesuffix(": remove it") if problem else None


def without_bad_characters(text: str) -> str:
    """The text with control characters (but tab and newlines) and lone surrogates taken out."""
    return without_controls(text)


def text_problem(
    text: str, limit: int = MAX_SEGMENT_CHARS, *, blank_ok: bool = False, kind: Field | None = None
) -> str | None:
    """What is wrong with one text field (length, control character, lone surrogate, blank), or None.

    The same check the store makes (safetext.field_problem), so that an import names every bad unit up front.
    """
    return field_problem(text, kind or Field(limit, blank_ok=blank_ok))


@dataclass(slots=True)
class Problems:
    """Everything wrong with one input file, row by row; raised together so that nothing is imported."""

    name: str
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        """Record a problem; `where` names the row or unit, e.g. 'unit 17 (tuid "x")' or 'row 5'."""
        self.items.append(f"{where}: {message}" if where else message)

    def check(
        self,
        where: str,
        side: str,
        text: str,
        limit: int = MAX_SEGMENT_CHARS,
        *,
        blank_ok: bool = False,
        kind: Field | None = None,
    ) -> bool:
        """Record what is wrong with `text` (the `side` or field of a row); True when it is fine."""
        problem = text_problem(text, limit, blank_ok=blank_ok, kind=kind)
        if problem:
            self.add(where, f"{side} {problem}")
        return problem is None

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise one ParseError listing the first MAX_LISTED problems and counting the rest."""
        if not self.items:
            return
        n = len(self.items)
        lines = [f"  {item}" for item in self.items[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  … and {n - MAX_LISTED} more")
        noun = "problem" if n == 1 else "problems"
        raise ParseError(f"{self.name}: {n} {noun}, nothing was imported:\n" + "\n".join(lines))


def csv_rows(text: str, name: str) -> list[list[str]]:
    """All records of a CSV text; the csv module's own errors (an overlong field, …) name the line."""
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as err:
        what = str(err)
        if "field limit" in what:
            limit = csv.field_size_limit()
            what = f"a cell is longer than {limit:,} characters (the segment limit is {MAX_SEGMENT_CHARS:,})"
        raise ParseError(f"{name}: line {reader.line_num}: {what}; nothing was imported") from err
    if not any(rows):
        raise ParseError(f"{name} is empty")
    return rows


def row_shape(row: list[str], width: int, first: str = "the header") -> str | None:
    """What is wrong with the shape of a CSV record against the width of the `first` row, or None."""
    if not row:
        return "blank line: remove it"
    if len(row) != width:
        cells = "1 cell" if len(row) == 1 else f"{len(row)} cells"
        return f"{cells} where {first} has {width}: a missing column, or a comma in an unquoted cell?"
    return None
