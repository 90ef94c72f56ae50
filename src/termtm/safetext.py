"""The one check of every text and id that enters the store, and the escaping of what the CLI prints.

Importers, edit forms, the user commands and the store itself call `field_problem` (through `check_field`
or `formats.inputs.Problems`), so that a control character is refused the same way wherever it comes from:
the store's exports (TMX, TBX: XML) and the pages can then hold every stored value. Ids (tuids, concept ids,
document and user names) are stricter than texts: no tab or newline, no bidi or zero-width controls (an id is
shown in titles and links, where U+202E would reverse what follows), and where an id is one segment of a URL
(concept ids, document and user names) no `/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from termtm.errors import TermTMError

MAX_SEGMENT_CHARS = 20_000
"""Longest side of a translation unit: a long paragraph is a few thousand characters; more is not one segment."""

MAX_TERM_CHARS = 1_000
"""Longest term, definition or note line accepted from a term base."""

MAX_ID_CHARS = 200
"""Longest id: the store's id columns hold 200 characters."""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates; U+FFFE/U+FFFF.
None of these can be written to XML 1.0 (or, DEL and C1, should be), so none may enter the store."""
_ID_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""In an id, tab, newline and carriage return are controls too."""
_FORMAT = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Bidi and zero-width format controls: invisible, and able to reorder the text shown after them."""
_SHOWN_ESCAPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]"
)
"""What `escape_controls` shows as \\uXXXX: every control but tab and newline, and the format controls."""
_LONE_CR = re.compile("\r(?!\n)")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Characters an error message shows as escapes: controls, surrogates, zero-width and bidi controls."""


@dataclass(frozen=True, slots=True)
class Field:
    """A kind of stored value: how long it may be, whether it may be blank, and whether it is an id."""

    limit: int
    blank_ok: bool = False
    is_id: bool = False
    slash_ok: bool = True
    newline_ok: bool = True


TEXT = Field(MAX_SEGMENT_CHARS)
"""A segment's side."""
TERM = Field(MAX_TERM_CHARS)
"""A term."""
NOTE = Field(MAX_SEGMENT_CHARS, blank_ok=True)
"""A definition, note, subject, pinyin, or any other optional text."""
TUID = Field(MAX_ID_CHARS, is_id=True)
"""A segment id: the segment page's URL takes it as a path, so `/` is allowed; a PO msgid (the id of an entry
without msgctxt) may span lines, so tab and newlines are too."""
NAME = Field(MAX_ID_CHARS, is_id=True, slash_ok=False, newline_ok=False)
"""A concept id, document, collection or user name: one segment of a URL."""


def field_problem(value: str, kind: Field = TEXT) -> str | None:
    """What is wrong with one value about to enter the store (length, control character, blank), or None.

    The answer completes a sentence that starts with the field's name: "the English side " + "is empty".
    """
    if len(value) > kind.limit:
        how = "shorten it" if kind.is_id else "split it"
        return f"is {len(value):,} characters long; the limit is {kind.limit:,}: {how}"
    bad = (_CONTROL if kind.newline_ok else _ID_CONTROL).search(value)
    if bad:
        return f"contains {_describe(bad.group(), bad.start())}: remove it"
    fmt = _FORMAT.search(value) if kind.is_id else None
    if fmt:
        return f"contains the bidi control U+{ord(fmt.group()):04X} at character {fmt.start() + 1}: remove it"
    if not kind.slash_ok and "/" in value:
        return "contains /, which cannot be part of a link: use another character"
    if not value.strip() and not kind.blank_ok:
        return "is only whitespace" if value else "is empty"
    return None


def check_field(what: str, value: str, kind: Field = TEXT) -> str:
    """`value` if it may enter the store, else a TermTMError that names the field (`what`)."""
    problem = field_problem(value, kind)
    if problem:
        raise TermTMError(f"{what} {problem}")
    return value


def _describe(ch: str, pos: int) -> str:
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X} at character {pos + 1} (broken UTF-16)"
    if code in (0xFFFE, 0xFFFF):
        return f"the non-character U+{code:04X} at character {pos + 1}"
    return f"the control character U+{code:04X} at character {pos + 1}"


def without_controls(text: str) -> str:
    """The text without the characters a stored text may not hold (for values stored before the checks)."""
    return _CONTROL.sub("", text)


def escape_controls(text: str) -> str:
    """Text safe to print to a terminal: controls (but tab, newline and CR before a newline) and bidi
    controls shown as \\uXXXX, so that a hostile file cannot retitle, clear or reorder the terminal."""
    escaped = _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04X}", text)
    return _LONE_CR.sub("\\\\u000D", escaped)


def quoted(value: str, width: int = 40) -> str:
    """An id or text for an error message: quoted, shortened, invisible characters shown as escapes."""
    short = value if len(value) <= width else value[: width - 1] + "…"
    return '"' + _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04X}", short) + '"'
