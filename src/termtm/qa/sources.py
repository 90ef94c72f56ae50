"""Units to check: from the raw OCR bulletin (Chinese only, one unit per line), or from a memory file."""

from __future__ import annotations

from termtm.model import Lang
from termtm.qa.model import Unit

RAW_PREFIX = "ocr"


def raw_units(text: str) -> list[Unit]:
    """Every non-blank line of a raw text as a Chinese-only unit `ocr:LINE` (1-based, as an editor counts)."""
    return [
        Unit(f"{RAW_PREFIX}:{n}", line.rstrip("\r"), "")
        for n, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


def file_units(data: bytes, name: str, src: Lang | None = None, tgt: Lang | None = None) -> list[Unit]:
    """Units of a TMX, XLIFF, PO or CSV memory file, Chinese side first, as `termtm check FILE` reads them."""
    from termtm.formats import read_memory

    if name.lower().endswith(".tmx") and not (src or tgt):
        # TMX names each side's language (xml:lang) and the reader returns Chinese first; without this,
        # a unit whose Chinese is mostly a URL cannot be oriented by script.
        src, tgt = Lang.ZH, Lang.EN
    return [Unit(u.id, u.zh, u.en) for u in read_memory(data, name, src=src, tgt=tgt)]
