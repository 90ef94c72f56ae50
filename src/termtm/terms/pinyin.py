"""Pinyin for Chinese terms, and the keys that let a pinyin query find them.

Translators type pinyin in many ways: with tone marks (fǎn guǎi), tone numbers
(fan3guai3), plain letters with or without spaces (fan guai, fanguai), or just
initials (fg). Each term gets one key per style; a query is normalised to the
style it was typed in and compared with that key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

from termtm.corpus.script import has_han

_TONE_DIGIT = re.compile(r"[1-5]")

PHRASE_FIXES: dict[str, str] = {
    "框架": "kuàng jià",  # pypinyin: kuāng
    "缅甸": "miǎn diàn",  # pypinyin: diān
    "行为": "xíng wéi",  # pypinyin: wèi
    "犯罪行为": "fàn zuì xíng wéi",  # pypinyin splits 罪行 / 为
    "长效": "cháng xiào",  # pypinyin: zhǎng
    "为中心": "wéi zhōng xīn",  # 以…为中心; pypinyin: wèi
    "为本": "wéi běn",  # 以…为本; pypinyin: wèi
}
"""Readings pypinyin gets wrong in this domain, reviewed; applied to every term that contains them."""


@cache
def _load_fixes() -> None:
    """Teach pypinyin the reviewed readings once per process."""
    load_phrases_dict({k: [[s] for s in v.split()] for k, v in PHRASE_FIXES.items()})


def to_pinyin(text: str) -> str:
    """Tone-marked pinyin, one space-separated syllable per Han character; Latin runs kept, punctuation dropped."""
    _load_fixes()
    out: list[str] = []
    # pypinyin hands unknown runs to `errors` and accepts a list back (its type stub says str only)
    for piece in lazy_pinyin(
        text,
        style=Style.TONE,
        errors=lambda s: [s],  # type: ignore[arg-type,return-value]  # stub says str only
    ):
        for word in re.findall(r"[^\W_]+", piece):
            out.append(word)
    return " ".join(out)


_DIAERESIS = "\u0308"


def _fold(syllable: str) -> str:
    """Strip tone marks; ü (also ǚ, ǘ, …) becomes v, as typed on a keyboard."""
    s = unicodedata.normalize("NFD", syllable.lower()).replace("u" + _DIAERESIS, "v")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def _numbered(syllable: str) -> str:
    """fǎn → fan3; syllables without a mark (neutral tone, Latin) stay as they are."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    for ch, t in (("\u0304", "1"), ("\u0301", "2"), ("\u030c", "3"), ("\u0300", "4")):
        if ch in decomposed:
            tone = t
    return _fold(syllable) + tone


def pinyin_keys(pinyin: str) -> dict[str, str]:
    """The search keys of a tone-marked pinyin string, by style."""
    syllables = pinyin.split()
    return {
        "marked": unicodedata.normalize("NFC", "".join(syllables).lower()),
        "numbered": "".join(_numbered(s) for s in syllables),
        "plain": "".join(_fold(s) for s in syllables),
        "initials": "".join(_fold(s)[0] for s in syllables if s),
    }


def query_key(query: str) -> tuple[str, str] | None:
    """Normalise a pinyin query to (style, key), or None if it cannot be pinyin."""
    q = unicodedata.normalize("NFC", query.strip().lower().replace("u:", "ü"))
    if not q or has_han(q):
        return None
    if _TONE_DIGIT.search(q):
        return "numbered", "".join(_fold(w) for w in re.findall(r"[^\W_]+", q))
    if any(unicodedata.combining(c) and c != _DIAERESIS for c in unicodedata.normalize("NFD", q)):
        return "marked", re.sub(r"[\W_]+", "", q)
    return "plain", _fold(re.sub(r"[\W_]+", "", q))
