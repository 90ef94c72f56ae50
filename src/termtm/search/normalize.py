"""Text normalisation shared by every lookup: width, case and script are folded, length is kept.

`fold` maps each character to exactly one character, so that an offset found in
folded text is the same offset in the original. KWIC snippets and fuzzy diffs
rely on that to show the user's own text rather than its folded form.
"""

from __future__ import annotations

import re
import unicodedata

from termtm.corpus.script import has_han, t2s

__all__ = ["WORD", "fold", "has_han"]
# English units for fuzzy matching and concordance: runs of letters and digits, or one punctuation mark
# (so that "trafficking" is a word of "anti-trafficking").
WORD = re.compile(r"\w+|[^\w\s]")


def _fold_char(c: str) -> str:
    """Fold one character; keep it when its NFKC or case form is longer than one character (ﬁ, ß, ㈠)."""
    n = unicodedata.normalize("NFKC", c).casefold()
    if len(n) == 1:
        return n
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text: str) -> str:
    """NFKC (full-width → half-width), casefold and Traditional → Simplified, one character for one."""
    n = unicodedata.normalize("NFKC", text).casefold()
    if len(n) != len(text):
        n = "".join(_fold_char(c) for c in text)
    s = t2s().convert(n) if has_han(n) else n
    if len(s) != len(n):
        # OpenCC's phrase tables may change length; per character it never does.
        s = "".join(t2s().convert(c) for c in n)
    return s
