"""File formats in and out: TMX, XLIFF, PO, CSV (memory)."""

from __future__ import annotations

from termtm.formats.memory import FORMATS, MemoryFile, MemoryUnit, format_for, read_memory, read_memory_file
from termtm.formats.tmx import write_tmx

__all__ = ["FORMATS", "MemoryFile", "MemoryUnit", "format_for", "read_memory", "read_memory_file", "write_tmx"]
