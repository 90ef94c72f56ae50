"""Cheap alignment cues that embeddings miss: lengths, numbers, Latin tokens."""

from __future__ import annotations

import re
import unicodedata

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN = re.compile(r"\b[A-Z][A-Za-z]*[A-Z0-9]+\b")  # COMMIT, SOM5, IMM2, UNIAP, MOU


def text_length(text: str) -> int:
    """Length for the length cue: Han characters count 1, other scripts count their characters."""
    return len(text.strip())


def length_ratio(zh_texts: list[str], en_texts: list[str]) -> float:
    """English characters per Chinese character over whole texts, for the length cue."""
    zh = sum(text_length(t) for t in zh_texts) or 1
    en = sum(text_length(t) for t in en_texts) or 1
    return en / zh


def numbers(text: str) -> set[str]:
    """Digit sequences in a text, with full-width digits folded and thousands separators dropped."""
    text = unicodedata.normalize("NFKC", text)
    return {m.group().replace(",", "") for m in _NUM.finditer(text)}


def latin_tokens(text: str) -> set[str]:
    """Acronyms and code-like tokens (COMMIT, SOM5) that survive translation unchanged."""
    return set(_LATIN.findall(unicodedata.normalize("NFKC", text)))
