"""Sentence segmentation for Chinese and English paragraphs.

Chinese ends a sentence at 。！？；(and their half-width forms, which OCR
produces), but never inside 《…》, brackets or quotes; a closing quote or
bracket right after the stop stays with the sentence. English ends one at
. ! ? ; before a space and a capital, digit or quote, except after common
abbreviations (Mr., No., e.g.). Paragraphs that are list items stay one unit
each, because the document model already holds them apart.
"""

from __future__ import annotations

import re

_ZH_STOPS = "。！？；!?;"
_OPEN = "《（(“‘「『【〔["
_CLOSE = "》）)”’」』】〕]"
_PAIR = dict(zip(_CLOSE, _OPEN, strict=True))
_TRAILERS = "”’」』）)》】"
_QUOTE_CLOSE = "”’」』"

_EN_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "no",
    "nos",
    "vol",
    "art",
    "arts",
    "para",
    "paras",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "st",
    "jr",
    "sr",
    "co",
    "inc",
    "ltd",
    "u.n",
    "u.s",
    "fig",
}
_LIST_MARK = re.compile(r"\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|[•\-–]")
_EN_BOUNDARY = re.compile(r"(?<=[.!?;])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9•\-–])")


def split_zh(text: str) -> list[str]:
    """Split a Chinese paragraph into sentences, keeping the punctuation."""
    sentences: list[str] = []
    depth: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN and not (ch == "“" and depth and depth[-1] == "“"):
            depth.append(ch)
        elif (ch in _CLOSE and depth and depth[-1] == _PAIR[ch]) or (ch == "”" and depth and depth[-1] == "“"):
            depth.pop()
            if not depth and ch in _QUOTE_CLOSE and text[i - 1] in _ZH_STOPS:
                # “加强合作。”会议结束。: a quoted sentence ends with its closing quote.
                sentences.append(text[start : i + 1])
                start = i + 1
        elif ch in _ZH_STOPS and not depth and not _inside_ascii(text, i):
            j = i + 1
            while j < n and (text[j] in _ZH_STOPS or text[j] in _TRAILERS):
                j += 1
            sentences.append(text[start:j])
            start = i = j
            continue
        i += 1
    sentences.append(text[start:])
    # Unbalanced OCR brackets must not swallow a whole paragraph: if a bracket
    # never closed, fall back to splitting at every stop.
    if depth and len(sentences) == 1 and any(c in text[:-1] for c in "。！？"):
        sentences = re.split(r"(?<=[。！？])", text)
    return [s.strip() for s in sentences if s.strip()]


def _inside_ascii(text: str, i: int) -> bool:
    """A half-width stop between ASCII letters or digits (a URL's '?') ends no sentence."""
    return text[i] in "!?;" and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum()


def split_en(text: str) -> list[str]:
    """Split an English paragraph into sentences, not after abbreviations."""
    sentences: list[str] = []
    start = 0
    for m in _EN_BOUNDARY.finditer(text):
        end = m.start(1) + len(m.group(1))
        head = text[start:end]
        word = head.rstrip("\"'”’)]").rstrip(".!?;").rsplit(None, 1)[-1].lower() if head.strip() else ""
        if head.rstrip("\"'”’)]").endswith(".") and (word.rstrip(".") in _EN_ABBREV or re.fullmatch(r"[a-z]", word)):
            continue
        if _LIST_MARK.fullmatch(head.strip()):
            continue  # "1. To promote …": the marker belongs to the item
        sentences.append(head)
        start = m.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]
