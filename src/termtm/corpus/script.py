"""Which characters are Chinese, and Traditional → Simplified: one definition for every stage.

Cleaning, alignment, the term base, search, checks and the web pages all ask
"is this Han?" and "what is its Simplified form?"; they must agree.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc

HAN_RANGES = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""CJK Unified Ideographs, Extension A and the compatibility ideographs (not the Yijing symbols between)."""

HAN = re.compile(f"[{HAN_RANGES}]")


CHINESE_SHARE = 0.3
"""A text is Chinese when at least this share of its letters are Han characters (imports, aligner, documents)."""


def has_han(text: str) -> bool:
    """True when the text contains a Han character."""
    return HAN.search(text) is not None


def is_han(char: str) -> bool:
    """True for a Han (Chinese) character."""
    return HAN.match(char) is not None


def han_share(text: str) -> float | None:
    """Share of Han characters among the text's letters; None when it has no letters (digits and signs only)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    return sum(1 for c in letters if HAN.match(c)) / len(letters)


def is_chinese(text: str, threshold: float = CHINESE_SHARE) -> bool:
    """True if at least `threshold` of the letters are Han characters: which side of a pair is the Chinese one."""
    share = han_share(text)
    return share is not None and share >= threshold


@cache
def t2s() -> opencc.OpenCC:
    """OpenCC's Traditional → Simplified converter, made once (its dictionaries ship in the wheel)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional to Simplified Chinese, so that 反拐通訊 finds 反拐通讯; text without Han is returned as is."""
    return t2s().convert(text) if has_han(text) else text
