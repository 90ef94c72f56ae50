"""What every check shares: the term base, one recogniser, and per-unit term matches computed once."""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache

from termtm.corpus.script import has_han, simplify
from termtm.model import TermBase, TermStatus
from termtm.qa.model import Unit
from termtm.terms.recognize import Match, Recognizer

URL = re.compile(r"<?(?:https?://|www\.)[^\s<>）)]+>?|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+")
"""URLs and e-mail addresses. An address is only tried where a run of its characters starts (the lookbehind):
tried at every position, `[\\w.+-]+@` scanned the rest of the run each time, quadratic in a long Chinese text
(Han characters are \\w, and Chinese has no spaces): 0.8 s for 16,000 characters, called ~26 times per unit."""
_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=4096)
def strip_urls(text: str) -> str:
    """Text with URLs and e-mail addresses blanked out (same length), so that their digits and Han are ignored.

    Memoised: every check calls it on the same sides of the same units.
    """
    return URL.sub(lambda m: " " * len(m.group()), text)


def norm_key(text: str) -> str:
    """Comparison key for segment consistency: NFKC (full/half width alike), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def untranslated(unit: Unit) -> bool:
    """True when the English side is empty, equal to the Chinese, or has no Latin letters at all.

    Bilingual checks (terms, numbers, abbreviations) skip such units: the completeness
    check reports them once, instead of every check reporting the same missing text.
    """
    en = unit.en.strip()
    return not en or not unit.zh.strip() or norm_key(en) == norm_key(unit.zh) or not _LATIN.search(strip_urls(en))


class QAContext:
    """The term base and a recogniser over it, with term matches memoised per text."""

    def __init__(self, termbase: TermBase) -> None:
        self.termbase = termbase
        self.recognizer = Recognizer(termbase)
        self._zh: dict[str, list[Match]] = {}
        self._en: dict[str, list[Match]] = {}

    def zh_matches(self, text: str) -> list[Match]:
        """Term matches in Chinese text as written (deprecated forms such as 反拐通訊 stay visible)."""
        if text not in self._zh:
            self._zh[text] = self.recognizer.find_zh(text)
        return self._zh[text]

    def zh_matches_simplified(self, text: str) -> list[Match]:
        """Term matches after Traditional→Simplified, so that a Traditional character does not hide a term.

        OpenCC maps character for character here; when it does not keep the length, offsets would
        not hold, so the text is used as written.
        """
        simple = simplify(text)
        return self.zh_matches(simple if len(simple) == len(text) else text)

    def en_matches(self, text: str) -> list[Match]:
        """Term matches in English text, whole words, plurals folded."""
        if text not in self._en:
            self._en[text] = self.recognizer.find_en(text)
        return self._en[text]

    @cached_property
    def acronyms(self) -> dict[str, set[str]]:
        """Latin abbreviations of the term base (any language, not deprecated) → the concept ids they name."""
        out: dict[str, set[str]] = {}
        for concept, term in self.termbase.terms():
            if term.status is not TermStatus.DEPRECATED and not has_han(term.text):
                for word in re.findall(r"[A-Za-z0-9-]+", term.text):
                    if is_abbreviation(word):
                        out.setdefault(word, set()).add(concept.id)
        return out


_ROMAN = re.compile(r"^[IVX]+$")


def is_abbreviation(word: str) -> bool:
    """A Latin abbreviation: two or more capitals (digits and hyphens allowed), not a Roman numeral."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and word[0].isalpha() and not _ROMAN.match(word)
