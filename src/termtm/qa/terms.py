"""Terminology checks: key terms rendered, deprecated terms, term variants, Latin abbreviations."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from termtm.corpus.script import simplify
from termtm.model import Concept, Term, TermStatus
from termtm.qa.context import QAContext, is_abbreviation, strip_urls, untranslated
from termtm.qa.model import Finding, Severity, Unit
from termtm.terms.recognize import Match, normalize_zh, tokenize_en

SHORT_TYPES = frozenset({"acronym", "abbreviation", "symbol"})
"""Term types that legitimately alternate with the full form (MPS after its first mention), so they
are not counted as inconsistent renderings."""

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def _concepts(matches: list[Match]) -> dict[str, tuple[Concept, Match]]:
    """First match per concept id, in text order."""
    out: dict[str, tuple[Concept, Match]] = {}
    for m in matches:
        out.setdefault(m.concept.id, (m.concept, m))
    return out


STEM_SHARE = 0.55
"""Two words of four letters or more count as one word form when they share a prefix this long (relative
to the term's word): rescue/rescuing, repatriation/repatriate, assistance/assisting, crime/criminal.
A key-term finding is a warning, so a loose match that keeps editors' attention on real gaps is preferred."""


def _same_word(term_word: str, word: str) -> bool:
    """Exact, or one inflection or derivation apart (a shared prefix of STEM_SHARE of the term word)."""
    if term_word == word:
        return True
    if len(term_word) < 4 or len(word) < 4:
        return False
    need = max(4, math.ceil(STEM_SHARE * len(term_word)))
    return term_word[:need] == word[:need]


def _has_rendering(concept: Concept, en: str, ctx: QAContext) -> bool:
    """True when the English holds an allowed term of the concept.

    The recogniser's longest match may hide a nested term (the Ministry inside a longer name), and
    English inflects where Chinese does not, so an allowed term also counts when its words occur in
    the English words, each word up to an inflection.
    """
    if any(m.concept.id == concept.id and m.term.status is not TermStatus.DEPRECATED for m in ctx.en_matches(en)):
        return True
    words = [w for w, _, _ in tokenize_en(en)]
    for term in concept.allowed("en"):
        key = [w for w, _, _ in tokenize_en(term.text)]
        n = len(key)
        for i in range(len(words) - n + 1):
            if n and all(_same_word(k, w) for k, w in zip(key, words[i : i + n], strict=True)):
                return True
    return False


def _misspelt(concept: Concept, en: str, ctx: QAContext) -> bool:
    """True when the English renders the concept by a deprecated term: deprecated-term reports that."""
    return any(m.concept.id == concept.id and m.term.status is TermStatus.DEPRECATED for m in ctx.en_matches(en))


def key_term(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """A term-base term in the Chinese whose English side holds none of the concept's allowed renderings."""
    for u in units:
        if untranslated(u):
            continue
        zh = strip_urls(u.zh)
        for concept, m in _concepts(ctx.zh_matches_simplified(zh)).values():
            allowed = concept.allowed("en")
            if not allowed or _has_rendering(concept, u.en, ctx) or _misspelt(concept, u.en, ctx):
                continue
            preferred = concept.preferred("en")
            yield Finding(
                "key-term",
                Severity.WARNING,
                (u.tuid,),
                u.zh[m.start : m.end],
                "",
                f"term “{u.zh[m.start : m.end]}” ({concept.id}) has none of its renderings in the English: "
                + " / ".join(t.text for t in allowed),
                preferred.text if preferred else "",
            )


def _deprecated(matches: list[Match], text: str) -> Iterator[tuple[Match, Term | None]]:
    """Deprecated matches whose span no allowed term also claims, with the preferred term to suggest."""
    spans: dict[tuple[int, int], list[Match]] = {}
    for m in matches:
        spans.setdefault((m.start, m.end), []).append(m)
    for hits in spans.values():
        if all(h.term.status is TermStatus.DEPRECATED for h in hits):
            m = hits[0]
            yield m, m.concept.preferred(m.term.lang)


def deprecated_term(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Deprecated or forbidden terms (OCR variants such as 渭公河, COMMII, Du Hungwei) on either side."""
    for u in units:
        zh, en = strip_urls(u.zh), strip_urls(u.en)
        for lang, text, matches in (("zh", u.zh, ctx.zh_matches(zh)), ("en", u.en, ctx.en_matches(en))):
            for m, preferred in _deprecated(matches, text):
                span = text[m.start : m.end]
                note = f" ({m.term.note})" if m.term.note else ""
                yield Finding(
                    "deprecated-term",
                    Severity.ERROR,
                    (u.tuid,),
                    span if lang == "zh" else "",
                    span if lang == "en" else "",
                    f"deprecated term “{span}” of {m.concept.id}{note}",
                    preferred.text if preferred else "",
                )


@dataclass(slots=True)
class Renderings:
    """How one concept's Chinese is rendered in English across the memory: term text → tuids."""

    concept: Concept
    used: dict[str, list[str]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    short: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.used.values())


def rendering_table(units: Sequence[Unit], ctx: QAContext) -> list[Renderings]:
    """For every concept found in the Chinese, which English terms render it and where (term-base order)."""
    table: dict[str, Renderings] = {}
    for u in units:
        if untranslated(u):
            continue
        en_hits = ctx.en_matches(u.en)
        for concept, _ in _concepts(ctx.zh_matches_simplified(strip_urls(u.zh))).values():
            row = table.setdefault(concept.id, Renderings(concept))
            hits = [m for m in en_hits if m.concept.id == concept.id]
            if not hits:
                row.missing.append(u.tuid)
            for text in dict.fromkeys(m.term.text for m in hits):
                row.used.setdefault(text, []).append(u.tuid)
            for m in hits:
                row.status[m.term.text] = m.term.status.value
                if m.term.type in SHORT_TYPES:
                    row.short.add(m.term.text)
    order = {c.id: n for n, c in enumerate(ctx.termbase)}
    return sorted(table.values(), key=lambda r: order.get(r.concept.id, len(order)))


def term_variants(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Concepts rendered by more than one full English form; the report points at the units that do not
    use the reference rendering: the preferred term when the memory uses it, else the most common one."""
    for row in rendering_table(units, ctx):
        full = {t: v for t, v in row.used.items() if t not in row.short and row.status[t] != TermStatus.DEPRECATED}
        if len(full) < 2:
            continue
        preferred = row.concept.preferred("en")
        pref = preferred.text if preferred else ""
        ranked = sorted(full.items(), key=lambda kv: (kv[0] != pref, -len(kv[1]), kv[0]))
        reference = set(ranked[0][1])
        others = tuple(dict.fromkeys(t for _, tuids in ranked[1:] for t in tuids if t not in reference))
        if not others:
            continue
        zh = row.concept.preferred("zh")
        yield Finding(
            "term-variants",
            Severity.INFO,
            others,
            zh.text if zh else "",
            " | ".join(t for t, _ in ranked),
            f"{row.concept.id} is rendered {len(full)} ways: " + ", ".join(f"{t} ({len(v)})" for t, v in ranked),
            ranked[0][0],
        )


_SHOUTED = re.compile(r"\b[A-Z]{2,}(?:[\s,]+[A-Z]{2,}){2,}\b")


def _abbreviations(text: str) -> dict[str, str]:
    """Latin abbreviations in a text, plural folded (MOUs → MOU), mapped to their form in the text.

    A run of three or more capitalised words is a title set in capitals (JOINT DECLARATION OF …), not
    abbreviations, and is skipped.
    """
    out: dict[str, str] = {}
    text = _SHOUTED.sub(" ", strip_urls(text))
    for word in _LATIN_WORD.findall(text):
        base = word[:-1] if word.endswith("s") and is_abbreviation(word[:-1]) else word
        if is_abbreviation(base):
            out.setdefault(base, word)
    return out


def abbreviation(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Latin abbreviations (COMMIT, SOM5, …) on one side only.

    An English acronym is accepted when it names a concept found in the Chinese (MPS for 公安部):
    translators add acronyms that the Chinese spells out. Deprecated forms (COMMII) are left to the
    deprecated-term check.
    """
    deprecated = {t.text for _, t in ctx.termbase.terms() if t.status is TermStatus.DEPRECATED}
    for u in units:
        if untranslated(u):
            continue
        zh, en = _abbreviations(u.zh), _abbreviations(u.en)
        for a, form in zh.items():
            if a not in en and form not in deprecated:
                yield Finding(
                    "abbreviation",
                    Severity.WARNING,
                    (u.tuid,),
                    form,
                    "",
                    f"“{form}” is in the Chinese but not in the English",
                    f"add “{a}” to the English",
                )
        for a, form in en.items():
            if a in zh or form in deprecated or _explained(a, u.zh, ctx):
                continue
            yield Finding(
                "abbreviation",
                Severity.WARNING,
                (u.tuid,),
                "",
                form,
                f"“{form}” is in the English but neither in the Chinese nor an acronym of a term there",
                f"remove “{form}” or add it to the Chinese",
            )


def _explained(acronym: str, zh: str, ctx: QAContext) -> bool:
    """True when the Chinese names a concept the acronym stands for (MPS for 公安部), even inside a longer term."""
    concepts = ctx.acronyms.get(acronym, set())
    if not concepts:
        return False
    if concepts & {m.concept.id for m in ctx.zh_matches_simplified(zh)}:
        return True
    plain = normalize_zh(simplify(zh))[0]
    for cid in concepts:
        concept = ctx.termbase.get(cid)
        if concept and any(normalize_zh(t.text)[0] in plain for t in concept.allowed("zh")):
            return True
    return False
