"""Frozen value types shared by every stage; no I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from termtm.errors import TermTMError, UnknownLanguage


class Lang(StrEnum):
    """The two languages of the memory, as TMX writes them (zh-CN, en).

    The term base (Term.lang, as TBX-Basic writes it), the document readers and the semantic index name a
    language by its short code, "zh" or "en": `Lang.short` is the one way from a Lang to that code, and
    `Lang.parse` the way back from either.
    """

    ZH = "zh-CN"
    EN = "en"

    @classmethod
    def parse(cls, code: str) -> Lang:
        """Map the codes that tools send (zh, zh_CN, zh-Hans, en_US, …) to a Lang."""
        norm = code.strip().replace("_", "-").lower()
        base = norm.split("-")[0]
        if base == "zh":
            return cls.ZH
        if base == "en":
            return cls.EN
        raise UnknownLanguage(f"unknown language code {code!r}: use zh-CN or en")

    @property
    def short(self) -> str:
        """The short code of the language, "zh" or "en": what Term.lang and the semantic index hold."""
        return self.value.split("-")[0]


class ParaKind(StrEnum):
    """What a paragraph is inside an article."""

    TITLE = "title"
    HEADING = "heading"
    BODY = "body"
    BYLINE = "byline"


class Provenance(StrEnum):
    """Where the English side of a segment comes from.

    BACK_TRANSLATION: the document was written in English, the bulletin prints a Chinese translation of it,
    and our English renders that Chinese: it is not the official wording (the unit's note names the original).
    """

    PRINTED = "printed"
    TRANSLATED = "translated"
    BACK_TRANSLATION = "back-translation"
    IMPORTED = "imported"
    ALIGNED = "aligned"  # a bilingual document an editor added, aligned by termtm and reviewed


class Status(StrEnum):
    """Editorial state of a segment's translation: XLIFF 2.0's ladder, each rung a further check.

    draft: translated; reviewed: a second reader has checked it against the Chinese; approved: an editor
    has signed it off (only an editor, in the UI or with `termtm segment status`, sets it).
    """

    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"

    @classmethod
    def parse(cls, value: str) -> Status:
        """A status from user input, with an error that lists the ladder."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise TermTMError(f"unknown status {value!r}: use draft, reviewed or approved") from None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph (or title, heading, byline) of an article."""

    kind: ParaKind
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a bulletin, in one language."""

    id: str
    section: str = ""
    subsection: str = ""
    speaker: str = ""
    paragraphs: tuple[Paragraph, ...] = ()

    @property
    def title(self) -> str:
        """The article's title, or an empty string."""
        return next((p.text for p in self.paragraphs if p.kind is ParaKind.TITLE), "")


@dataclass(frozen=True, slots=True)
class Document:
    """A bulletin in one language: an ordered list of articles."""

    id: str
    lang: Lang
    title: str = ""
    articles: tuple[Article, ...] = ()

    def article(self, article_id: str) -> Article:
        """The article with this id; KeyError if absent."""
        for art in self.articles:
            if art.id == article_id:
                return art
        raise KeyError(article_id)


@dataclass(frozen=True, slots=True)
class Segment:
    """An aligned Chinese/English unit of the memory, with its position."""

    tuid: str
    zh: str
    en: str
    document: str = ""
    article: str = ""
    paragraph: int = 0
    sentence: int = 0
    kind: ParaKind = ParaKind.BODY
    provenance: Provenance = Provenance.TRANSLATED
    status: Status = Status.DRAFT
    note: str = ""
    """Translator's notes on the unit (source of the English, errors in the source), one per line."""
    props: dict[str, str] = field(default_factory=dict, compare=False)


# The term base: concepts hold terms in both languages (TBX-Basic's model).


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

LANGS = tuple(lang.short for lang in Lang)
"""The languages a term may have: the memory's own, by short code ("zh", "en")."""


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
