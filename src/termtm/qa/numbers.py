"""Numbers, dates and percentages: every figure on one side must be found on the other.

Chinese writes numbers as figures (2007, full-width ２００７), as Chinese numerals (六国, 二十世纪八十年代,
百分之三十) and as dates (2007年12月12-14日); the English edition writes figures, spelled-out small
numbers ("six countries"), ordinals ("Fifth", "6th") and dates ("12–14 December 2007"). Each side is
reduced to a bag of (kind, value) and the two bags are compared:

- every Chinese number must appear in the English, as a figure or a word; the numeral 一 alone is
  exempt, because it is usually the article "a" (一个新的, 一系列);
- every English figure must appear in the Chinese; English number words are not required, since
  English adds them ("a number of", "both");
- a Chinese month must be the English month; an English month is only checked when the Chinese
  names months at all (14日 is "14 December").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from termtm.qa.context import QAContext, strip_urls, untranslated
from termtm.qa.model import Finding, Severity, Unit

N, MONTH, PCT = "n", "month", "pct"

_WIDE = str.maketrans("０１２３４５６７８９％．，", "0123456789%.,")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = "[零〇一二两三四五六七八九十百千万亿]"

NOT_NUMBERS = (
    "十分",
    "十字",
    "四川",
    "百姓",
    "千方百计",
    "千万",
    "万一",
    "一一",
    "数十",
    "数百",
    "数千",
    "数万",
    "几十",
    "几百",
    "两岸",
    "两性",
    "三心二意",
    "五湖四海",
)
"""Words written with numeral characters that are not numbers (十分 "very", 四川 Sichuan, 两性 "gender")."""

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_WORDS |= {
    w: 10 * n
    for n, w in enumerate(["_", "_", "_", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
    if n > 2
}
_WORDS |= {"both": 2, "hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINALS = {
    w: n
    for n, w in enumerate(
        [
            "_",
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ]
    )
    if n
}

_FIG = re.compile(r"(?<![A-Za-z0-9.])\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th|s)?(?![A-Za-z0-9])")
_EN_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b|percent\b)")
_EN_WORD = re.compile(r"[A-Za-z]+")
_ZH_PCT = re.compile(rf"百分之({_CN_RUN}+|\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*%")
_ZH_DECADE = re.compile(rf"({_CN_RUN}+)世纪({_CN_RUN}+)年代")
_ZH_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_ZH_MONTH = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")
_PAIR_OF_COUNTRIES = re.compile(r"(?<=[中越缅老泰柬][中越缅老泰柬])两(?=国)")
_ZH_FIG = re.compile(r"(?<![A-Za-z0-9.])\d+(?:,\d{3})*(?:\.\d+)?(?![A-Za-z0-9])")
_ZH_NUMERAL = re.compile(f"{_CN_RUN}+")


@dataclass(frozen=True, slots=True)
class Num:
    """A number found in a text: its kind (n, month, pct), value, the text it came from, and whether
    the other side must show it."""

    kind: str
    value: float
    text: str
    required: bool = True


def parse_chinese(numeral: str) -> int | None:
    """二十 → 20, 一百七十五 → 175, 两万 → 20000, 二〇〇七 → 2007; None for runs such as 六七 ("six or seven")."""
    if len(numeral) > 1 and all(c in _CN_DIGIT and c != "两" for c in numeral):
        return int("".join(str(_CN_DIGIT[c]) for c in numeral)) if len(numeral) == 4 else None
    total = section = 0
    digit: int | None = None
    for c in numeral:
        if c in _CN_DIGIT:
            if digit is not None:
                return None
            digit = _CN_DIGIT[c]
        elif c in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[c]
            digit = None
        else:
            total += (section + (digit or 0)) * _CN_BIG[c]
            section, digit = 0, None
    return total + section + (digit or 0)


def _value(text: str) -> float:
    """A figure's value: thousands separators dropped, ordinal or decade suffix ignored."""
    return float(re.sub(r"[a-z]+$", "", text).replace(",", ""))


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def zh_numbers(text: str) -> list[Num]:
    """Numbers of a Chinese text, most specific forms first (decades, years, percentages, months)."""
    text = strip_urls(text).translate(_WIDE)
    for word in NOT_NUMBERS:
        text = text.replace(word, " " * len(word))
    text = _PAIR_OF_COUNTRIES.sub(" ", text)  # 中越两国 is "China and Viet Nam", not "two countries"
    out: list[Num] = []
    for m in list(_ZH_DECADE.finditer(text)):
        century, decade = parse_chinese(m.group(1)), parse_chinese(m.group(2))
        if century and decade is not None:
            out.append(Num(N, (century - 1) * 100 + decade, m.group()))
            text = _mask(text, m.start(), m.end())
    for m in list(_ZH_YEAR.finditer(text)):
        out.append(Num(N, float(parse_chinese(m.group(1)) or 0), m.group()))
        text = _mask(text, m.start(), m.end())
    for m in list(_ZH_PCT.finditer(text)):
        raw = m.group(1) or m.group(2)
        value = float(raw) if raw[0].isdigit() else parse_chinese(raw)
        if value is not None:
            out.append(Num(PCT, float(value), m.group()))
        text = _mask(text, m.start(), m.end())
    for m in list(_ZH_MONTH.finditer(text)):
        raw = m.group(1)
        value = int(raw) if raw.isdigit() else parse_chinese(raw)
        if value and 1 <= value <= 12:
            out.append(Num(MONTH, float(value), m.group()))
            text = _mask(text, m.start(1), m.end(1))
    for m in _ZH_FIG.finditer(text):
        out.append(Num(N, _value(m.group()), m.group()))
    for m in _ZH_NUMERAL.finditer(text):
        value = parse_chinese(m.group())
        if value is not None:
            out.append(Num(N, float(value), m.group(), required=value != 1))
    return out


def en_numbers(text: str) -> list[Num]:
    """Numbers of an English text: figures (required), percentages, months, number words and ordinals."""
    text = strip_urls(text).translate(_WIDE)
    out: list[Num] = []
    for m in list(_EN_PCT.finditer(text)):
        out.append(Num(PCT, float(m.group(1)), m.group()))
        text = _mask(text, m.start(), m.end())
    for m in _FIG.finditer(text):
        word = m.group()
        if word.endswith("s") and not re.fullmatch(r"\d{4}s", word):
            continue
        out.append(Num(N, _value(word), word))
    for m in _EN_WORD.finditer(text):
        w = m.group().lower()
        if w in _MONTHS:
            out.append(Num(MONTH, float(_MONTHS.index(w) + 1), m.group()))
        elif w in _WORDS or w in _ORDINALS:
            out.append(Num(N, float(_WORDS.get(w, _ORDINALS.get(w, 0))), m.group(), required=False))
    return _compounds(out)


def _compounds(nums: list[Num]) -> list[Num]:
    """Add twenty-eight → 28 and one hundred → 100 beside their parts, so either reading can match."""
    words = [x for x in nums if not x.required and x.kind == N]
    extra = [
        Num(N, a.value + b.value, f"{a.text}-{b.text}", required=False)
        for a, b in itertools.pairwise(words)
        if a.value >= 20 and a.value % 10 == 0 and b.value < 10
    ]
    extra += [
        Num(N, a.value * b.value, f"{a.text} {b.text}", required=False)
        for a, b in itertools.pairwise(words)
        if b.value in (100, 1000, 1_000_000) and a.value < 100
    ]
    return nums + extra


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def compare(zh: list[Num], en: list[Num]) -> tuple[list[Num], list[Num]]:
    """(Chinese numbers missing in the English, English numbers missing in the Chinese)."""
    en_vals = {(x.kind, x.value) for x in en}
    zh_vals = {(x.kind, x.value) for x in zh}
    zh_any = {x.value for x in zh}
    zh_months = {x.value for x in zh if x.kind == MONTH}
    missing_en = [x for x in zh if x.required and (x.kind, x.value) not in en_vals]
    missing_zh = [
        x
        for x in en
        if x.required
        and (
            (x.kind == N and x.value not in zh_any)
            or (x.kind == PCT and (PCT, x.value) not in zh_vals)
            or (x.kind == MONTH and zh_months and x.value not in zh_months and (N, x.value) not in zh_vals)
        )
    ]
    return missing_en, missing_zh


def numbers(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Figures, dates and percentages that differ between the two sides of a unit."""
    for u in units:
        if untranslated(u):
            continue
        missing_en, missing_zh = compare(zh_numbers(u.zh), en_numbers(u.en))
        if not missing_en and not missing_zh:
            continue
        parts = []
        if missing_en:
            parts.append("in the Chinese but not the English: " + ", ".join(_fmt(x.value) for x in missing_en))
        if missing_zh:
            parts.append("in the English but not the Chinese: " + ", ".join(_fmt(x.value) for x in missing_zh))
        yield Finding(
            "numbers",
            Severity.ERROR,
            (u.tuid,),
            " ".join(dict.fromkeys(x.text for x in missing_en)),
            " ".join(dict.fromkeys(x.text for x in missing_zh)),
            "numbers differ: " + "; ".join(parts),
            "make the figures, dates and percentages agree",
        )
