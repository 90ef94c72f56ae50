"""Units to check, from the raw OCR bulletin (Chinese only, one unit per line)."""

from __future__ import annotations

from termtm.qa.model import Unit

RAW_PREFIX = "ocr"


def raw_units(text: str) -> list[Unit]:
    """Every non-blank line of a raw text as a Chinese-only unit `ocr:LINE` (1-based, as an editor counts)."""
    return [
        Unit(f"{RAW_PREFIX}:{n}", line.rstrip("\r"), "")
        for n, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
