"""Write a memory as CSV: a zh,en header, one row per unit, cells a spreadsheet will not run (formats.cells).

The importer (formats.memory) reads the header back and takes the apostrophes off again, so that a
memory written here imports with the same texts.
"""

from __future__ import annotations

from collections.abc import Iterable

from termtm.formats.cells import csv_text
from termtm.model import Segment


def write_memory_csv(segments: Iterable[Segment]) -> bytes:
    """UTF-8 CSV with columns zh, en."""
    return csv_text([["zh", "en"], *([s.zh, s.en] for s in segments)]).encode("utf-8")
