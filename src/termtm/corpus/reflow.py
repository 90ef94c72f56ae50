"""From hard-wrapped lines (PDF text, OCR output) to paragraphs: pure functions, no I/O.

`join_lines` is how every reader turns the lines of one paragraph into its text:
Chinese joins without a space, English with one, and a word hyphenated across a
line break is joined again.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from termtm.corpus.clean import normalize_spacing

_SOFT_HYPHEN = re.compile(r"(?<=[A-Za-z])[-\u00ad]$")
_COMPOUND = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")


def hyphenated_words(text: str) -> frozenset[str]:
    """Every hyphenated word written whole on one line of `text` (and its two-part pieces), such as "Sub-region".

    A line-end hyphen in one of these words is the author's, so `join_lines` keeps it.
    """
    out: set[str] = set()
    for word in _COMPOUND.findall(text):
        parts = word.split("-")
        out.add(word)
        out.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))
    return frozenset(out)


def join_lines(lines: Iterable[str], lang: str, *, hyphenated: frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph: no space in Chinese, one space in English, hyphenated words re-joined.

    A line that ends in letter + hyphen before a line that starts in lower case
    is a word the typesetter broke ("Traf-" / "ficking"); the hyphen goes. It
    stays when the hyphenated form is in `hyphenated` (compounds seen unbroken
    elsewhere in the same text, such as "Sub-region"), because then the hyphen
    is the author's, not the typesetter's.
    """
    out = ""
    for raw in lines:
        part = " ".join(raw.split())
        if not part:
            continue
        if not out:
            out = part
        elif _SOFT_HYPHEN.search(out) and part[0].islower():
            head = re.search(r"[A-Za-z]+[-\u00ad]$", out)
            tail = re.match(r"[A-Za-z]+", part)
            word = (head.group(0)[:-1] if head else "") + "-" + (tail.group(0) if tail else "")
            out = (out if word in hyphenated else out[:-1]) + part
        elif lang == "zh" and not (out[-1].isascii() and part[0].isascii()):
            out += part
        else:
            out += " " + part
    return normalize_spacing(out) if lang == "zh" else out
