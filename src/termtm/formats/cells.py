"""CSV that a spreadsheet will not run as formulas (CSV/formula injection): the one writer of every CSV export.

A cell that starts with = + - @ (or their full-width forms ＝ ＋ － ＠, which spreadsheets fold to them),
a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets (`=cmd|' /C calc'!A0`).
So is every line of a cell: a CSV reader that starts a new row at a bare CR turns the line after it into a
cell of its own. termtm writes an apostrophe before each such line start, which spreadsheets show as text,
quotes every cell holding a CR or LF, and takes the apostrophes off again when it reads its own term CSV back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_STARTS = "".join(re.escape(c) for c in FORMULA_START)
_LINE_FORMULA = re.compile(rf"(?:^|(?<=[\r\n]))(?=[{_STARTS}])")
_LINE_NEUTRALISED = re.compile(rf"(?:^|(?<=[\r\n]))'(?=[{_STARTS}])")
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: an apostrophe before each line that starts like a formula."""
    return _LINE_FORMULA.sub("'", cell)


def restore(cell: str) -> str:
    """Undo `neutralise`: drop the apostrophe before each line that starts like a formula."""
    return _LINE_NEUTRALISED.sub("", cell)


def csv_cell(cell: str) -> str:
    """One neutralised cell, quoted when it holds a comma, a quote, a CR or an LF (the csv module leaves a bare
    CR unquoted when its line terminator is LF, which is how `ok\\r=cmd` became a cell of its own)."""
    cell = neutralise(cell)
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text, LF between rows, every cell through `csv_cell`: what each CSV export writes."""
    return "".join(",".join(csv_cell(cell) for cell in row) + "\n" for row in rows)
