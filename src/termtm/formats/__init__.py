"""File formats in and out: TMX, XLIFF, PO, CSV (memory)."""

from __future__ import annotations

from termtm.formats.memory import FORMATS, MemoryUnit, format_for, read_memory
from termtm.formats.tmx import write_tmx

__all__ = ["FORMATS", "MemoryUnit", "format_for", "read_memory", "write_tmx"]
