"""TEMPORARY fallback (plain text only) until branch docs-in's readers are merged; deleted at that merge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from termtm.errors import TermTMError
from termtm.formats.inputs import check_size


@dataclass(frozen=True)
class Paragraph:
    text: str
    heading: bool = False


def read_document(path: Path, lang: str, *, data: bytes | None = None, filename: str | None = None) -> list[Paragraph]:
    name = filename or path.name
    if data is None:
        check_size(path.stat().st_size, name)
        data = path.read_bytes()
    check_size(len(data), name)
    if not data.strip():
        raise TermTMError(f"{name} is empty: give a document with text")
    text = data.decode("utf-8-sig")
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]
