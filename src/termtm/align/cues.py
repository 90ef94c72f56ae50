"""Cheap alignment cues that embeddings miss: lengths, numbers, Latin tokens."""

from __future__ import annotations

import math
import re
import unicodedata

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
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


def length_cost(src_len: int, tgt_len: int, ratio: float, sigma: float = 0.33) -> float:
    """Negative log-likelihood (up to a constant) that tgt_len translates src_len at this ratio."""
    x = math.log((tgt_len + 2) / (ratio * src_len + 2))
    return x * x / (2 * sigma * sigma)


def numbers(text: str) -> set[str]:
    """Digit sequences in a text, with full-width digits folded and thousands separators dropped."""
    text = unicodedata.normalize("NFKC", text)
    return {m.group().replace(",", "") for m in _NUM.finditer(text)}


def latin_tokens(text: str) -> set[str]:
    """Acronyms and code-like tokens (COMMIT, SOM5) that survive translation unchanged."""
    return set(_LATIN.findall(unicodedata.normalize("NFKC", text)))


def overlap(a: set[str], b: set[str]) -> float:
    """Dice overlap in [0, 1]; 0 when both are empty, so that absence is no evidence."""
    if not a and not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def is_han(char: str) -> bool:
    """True for a Han (Chinese) character."""
    return bool(_HAN.match(char))


def is_chinese(text: str, threshold: float = 0.3) -> bool:
    """True if at least `threshold` of the letters are Han characters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _HAN.match(c)) / len(letters) >= threshold
