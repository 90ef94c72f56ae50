"""CSV cells that a spreadsheet will not run as formulas (CSV/formula injection).

A cell that starts with = + - @, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (`=cmd|' /C calc'!A0`). termtm writes
such a cell with a leading apostrophe, which spreadsheets show as text, and
takes the apostrophe off again when it reads its own term CSV back.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: an apostrophe before a formula-like start."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """Undo `neutralise`: drop the apostrophe before a formula-like start."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell
