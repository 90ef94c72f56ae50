"""Sizes of text as CAT tools count them for quotes: Chinese characters, or English words.

Trados and memoQ count a Chinese source by its characters: each Han character is one unit, a run of
Latin letters or digits inside it ("UNIAP", "2007") is one unit, and punctuation and spaces are not
counted. An English source is counted in words: runs of letters and digits, with the hyphens,
apostrophes and separators inside them ("anti-trafficking", "don't", "1,000.5") keeping a word whole.
"""

from __future__ import annotations

import re
from typing import Literal

from termtm.corpus.script import HAN_RANGES
from termtm.model import Lang

SizeUnit = Literal["chars", "words"]

_HAN = f"[{HAN_RANGES}]"
_ALNUM = r"[^\W_]"
_NOT_HAN = r"(?:(?!" + _HAN + r")" + _ALNUM + r")"
_ZH_UNIT = re.compile(rf"{_HAN}|{_NOT_HAN}+(?:[-'’.,/]{_NOT_HAN}+)*")
_EN_WORD = re.compile(rf"{_ALNUM}+(?:[-'’.,/]{_ALNUM}+)*")


def size_unit(lang: Lang) -> SizeUnit:
    """The unit a source language is counted in: characters for Chinese, words for English."""
    return "chars" if lang is Lang.ZH else "words"


def size(text: str, lang: Lang) -> int:
    """The size of a text in its language's unit (see the module docstring for what counts)."""
    return len((_ZH_UNIT if lang is Lang.ZH else _EN_WORD).findall(text))
