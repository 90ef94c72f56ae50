"""Find term-base terms in running text: longest match first, whole words only in English.

Chinese has no spaces, so matching walks the text character by character and,
at each position, tries the term lengths that start with that character,
longest first; whitespace and full-width forms are normalised away so that
"UNIAP 中国办公室" and "UNIAP中国办公室" match alike. English is tokenised
into words, so that "IOM" never matches inside "IOMs" or "bloom", and plurals
fold to the singular so that "victims of trafficking" finds the term.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from termtm.corpus.script import has_han
from termtm.model import Concept, Term, TermBase

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a text, with its character span in the original text."""

    start: int
    end: int
    concept: Concept
    term: Term

    @property
    def length(self) -> int:
        return self.end - self.start


def _norm_char(ch: str) -> str:
    """Full-width to half-width and case-folded, one character in, one out (so offsets hold)."""
    n = unicodedata.normalize("NFKC", ch)
    return n.lower() if len(n) == 1 else ch.lower()


def normalize_zh(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, normalised per character, and the original offset of each kept character."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        chars.append(_norm_char(ch))
        offsets.append(i)
    return "".join(chars), offsets


def _fold_word(word: str) -> str:
    """Case-fold, drop a possessive 's, and reduce a regular plural to its singular (SOMs → som)."""
    w = word.replace("’", "'").lower().removesuffix("'s")
    if len(word) > 2 and word.endswith("s") and word[:-1].isupper():
        return w[:-1]  # MOUs, NGOs, SOMs
    if word.isupper():
        return w
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokenize_en(text: str) -> list[tuple[str, int, int]]:
    """Words of an English text as (folded word, start, end)."""
    return [(_fold_word(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


class Recognizer:
    """Term recognition over a term base, for Chinese and English text."""

    def __init__(self, termbase: TermBase | Iterable[Concept]) -> None:
        self._zh: dict[str, list[tuple[Concept, Term]]] = defaultdict(list)
        self._zh_lengths: dict[str, list[int]] = defaultdict(list)
        self._en: dict[tuple[str, ...], list[tuple[Concept, Term]]] = defaultdict(list)
        self._en_lengths: dict[str, list[int]] = defaultdict(list)
        for concept in termbase:
            for term in concept.terms:
                self._add(concept, term)
        for table in (self._zh_lengths, self._en_lengths):
            for k, v in table.items():
                table[k] = sorted(set(v), reverse=True)

    def _add(self, concept: Concept, term: Term) -> None:
        """Index a term under its normalised key; Latin-only Chinese terms are also English keys."""
        if term.lang == "zh" or has_han(term.text):
            key, _ = normalize_zh(term.text)
            if key:
                self._zh[key].append((concept, term))
                self._zh_lengths[key[0]].append(len(key))
        if term.lang == "en" or not has_han(term.text):
            words = tuple(w for w, _, _ in tokenize_en(term.text))
            if words:
                self._en[words].append((concept, term))
                self._en_lengths[words[0]].append(len(words))

    def find_zh(self, text: str) -> list[Match]:
        """Leftmost-longest, non-overlapping Chinese term matches."""
        norm, offsets = normalize_zh(text)
        out: list[Match] = []
        i = 0
        while i < len(norm):
            for n in self._zh_lengths.get(norm[i], ()):
                if i + n > len(norm):
                    continue
                hits = self._zh.get(norm[i : i + n])
                if hits and self._boundary_ok(norm, i, n):
                    out.extend(Match(offsets[i], offsets[i + n - 1] + 1, c, t) for c, t in hits)
                    i += n
                    break
            else:
                i += 1
        return out

    @staticmethod
    def _boundary_ok(norm: str, i: int, n: int) -> bool:
        """A Latin term inside Chinese text must not sit inside a longer Latin word (IMM in IMM2)."""
        first, last = norm[i], norm[i + n - 1]
        before = norm[i - 1] if i else ""
        after = norm[i + n] if i + n < len(norm) else ""
        if first.isascii() and first.isalnum() and before.isascii() and before.isalnum():
            return False
        return not (last.isascii() and last.isalnum() and after.isascii() and after.isalnum())

    def find_en(self, text: str) -> list[Match]:
        """Leftmost-longest, non-overlapping English term matches on whole words."""
        toks = tokenize_en(text)
        words = [w for w, _, _ in toks]
        out: list[Match] = []
        i = 0
        while i < len(toks):
            for n in self._en_lengths.get(words[i], ()):
                if i + n > len(words):
                    continue
                hits = self._en.get(tuple(words[i : i + n]))
                if hits:
                    out.extend(Match(toks[i][1], toks[i + n - 1][2], c, t) for c, t in hits)
                    i += n
                    break
            else:
                i += 1
        return out

    def find(self, text: str, lang: str) -> list[Match]:
        """Matches in a text of the given language ("zh" or "en")."""
        return self.find_zh(text) if lang.startswith("zh") else self.find_en(text)
