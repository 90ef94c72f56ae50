"""Concept-oriented term base value types: a concept holds terms in both languages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class TermStatus(StrEnum):
    """Administrative status, as TBX-Basic names it (without the -admn-sts suffix)."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    DEPRECATED = "deprecated"


TERM_TYPES = frozenset(
    {"fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase", "transcribedForm", "symbol", "commonName"}
)
"""TBX-Basic termType values the term base accepts."""

PARTS_OF_SPEECH = frozenset({"noun", "verb", "adjective", "adverb", "properNoun", "other"})
"""TBX-Basic partOfSpeech values."""

LANGS = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Term:
    """One designation of a concept in one language."""

    lang: str
    text: str
    type: str = "fullForm"
    status: TermStatus = TermStatus.PREFERRED
    pos: str = "noun"
    pinyin: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept: its terms in Chinese and English, with definition, subject and note."""

    id: str
    subject: str
    terms: tuple[Term, ...]
    definition: str = ""
    note: str = ""
    collection: str = "glossary"
    origin: str = ""
    changedate: str = field(default="", compare=False)
    """When an editor last changed the concept (TMX-style date), empty for glossary and imports."""
    changeid: str = field(default="", compare=False)
    """Who last changed it: a user name, empty for glossary and imports (a rebuild keeps edited concepts)."""

    def terms_in(self, lang: str) -> tuple[Term, ...]:
        """Terms of one language, preferred first (the source order)."""
        return tuple(t for t in self.terms if t.lang == lang)

    def preferred(self, lang: str) -> Term | None:
        """The preferred term of a language, or the first non-deprecated one."""
        terms = self.terms_in(lang)
        for t in terms:
            if t.status is TermStatus.PREFERRED:
                return t
        return next((t for t in terms if t.status is not TermStatus.DEPRECATED), None)

    def allowed(self, lang: str) -> tuple[Term, ...]:
        """Terms an editor may use: preferred and admitted."""
        return tuple(t for t in self.terms_in(lang) if t.status is not TermStatus.DEPRECATED)


@dataclass(slots=True)
class TermBase:
    """An ordered collection of concepts, indexed by id."""

    concepts: list[Concept] = field(default_factory=list)
    _by_id: dict[str, Concept] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.concepts}

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, concept_id: str) -> Concept | None:
        """A concept by id, or None."""
        return self._by_id.get(concept_id)

    def terms(self, lang: str | None = None) -> Iterable[tuple[Concept, Term]]:
        """Every (concept, term) pair, optionally of one language."""
        for c in self.concepts:
            for t in c.terms:
                if lang is None or t.lang == lang:
                    yield c, t
