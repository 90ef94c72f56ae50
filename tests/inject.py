"""A seeded injector of known errors, to measure the checks' recall and precision on real data.

`inject(units, ctx, per_check=10, seed=7)` copies the memory and plants `per_check` errors of every
check type, each in a different unit, and returns the copy with the list of `Injection(tuid, check)`.
A finding of the injected copy is a true positive when it names an injected tuid with that
injection's check id. Precision is computed over the findings that are new in the injected copy
(not present, by `Finding.key`, on the clean memory), so that the memory's own findings neither help
nor hurt.

Each error is realistic and of one type only, so that the measurement is fair:

| check | how it is planted |
|---|---|
| same-source | a copy of a unit whose English says "as well as" for its first "and" (new tuid `…#src`) |
| same-target | a copy of a unit whose Chinese lost its final 。 or ； (new tuid `…#tgt`) |
| key-term | the English rendering of a term found in the Chinese replaced by "the body concerned" |
| deprecated-term | an allowed term replaced by a deprecated term of its concept (渭公河, Vietnam), either side |
| term-variants | a concept rendered twice or more by its preferred term, once by an allowed term not yet used |
| abbreviation | a Latin abbreviation added to the English, or a "(XYZ)" dropped from it |
| numbers | an English figure + 1, a number word or a month name changed |
| completeness | the English emptied or replaced by the Chinese |
| traditional | one Simplified character replaced by its Traditional form (OpenCC s2t) |
| punctuation-width | a Chinese ， written as ASCII ",", or an English ", " as full-width "，" |
| brackets | a closing bracket or quote deleted |
| repeated-word | a word (or two Han characters outside any term) written twice |
| double-space | one space doubled |

Units that carry no finding on the clean memory are used first; copies (same-source, same-target)
are only made of such units, so that the copy does not repeat the original's findings.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from termtm.corpus.script import HAN
from termtm.model import TermStatus
from termtm.qa.checks import CHECKS, run_checks
from termtm.qa.context import QAContext, is_abbreviation, norm_key, strip_urls
from termtm.qa.model import Unit
from termtm.qa.numbers import en_numbers
from termtm.qa.terms import SHORT_TYPES, rendering_table

PER_CHECK = 10
SEED = 7


@dataclass(frozen=True, slots=True)
class Injection:
    """One planted error: the unit (tuid) and the check that should report it, with what was done."""

    tuid: str
    check: str
    note: str


Planter = Callable[[Unit, QAContext, random.Random], tuple[Unit, str] | None]


def _sub_at(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _same_source(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    taken = {i for t in ctx.en_matches(u.en) for i in range(t.start, t.end)}
    spots = [m for m in re.finditer(" and ", u.en) if not {m.start(), m.end() - 1} & taken]
    m = next((m for m in spots if not u.en[m.end() :].startswith("as ")), None)
    if m is None:
        return None
    return Unit(f"{u.tuid}#src", u.zh, _sub_at(u.en, m.start(), m.end(), " as well as ")), "copy, another translation"


def _same_target(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    if not u.zh.endswith(("。", "；")):
        return None
    return Unit(f"{u.tuid}#tgt", u.zh[:-1], u.en), "copy with a different source"


def _plain(text: str) -> bool:
    """A term text without figures, number words or abbreviations, so that removing it plants one error only."""
    return not en_numbers(text) and not re.search(r"[A-Z]{2}", text)


def _key_term(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    zh_ids = {m.concept.id for m in ctx.zh_matches_simplified(strip_urls(u.zh))}
    matches = ctx.en_matches(u.en)
    spans = Counter((m.start, m.end) for m in matches)
    hits = [
        m
        for m in matches
        if m.concept.id in zh_ids
        and spans[(m.start, m.end)] == 1
        and m.term.status is not TermStatus.DEPRECATED
        and m.term.type not in SHORT_TYPES
        and _plain(m.term.text)
    ]
    rng.shuffle(hits)
    for m in hits:
        filler = "body concerned" if u.en[: m.start].lower().endswith("the ") else "the body concerned"
        en = _sub_at(u.en, m.start, m.end, filler)
        if not any(t.text.lower() in en.lower() for t in m.concept.allowed("en")):
            return replace(u, en=en), f"dropped “{m.term.text}” ({m.concept.id})"
    return None


def _deprecated(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    sides = [("zh", ctx.zh_matches(strip_urls(u.zh))), ("en", ctx.en_matches(strip_urls(u.en)))]
    rng.shuffle(sides)
    for lang, matches in sides:
        for m in matches:
            bad = [t for t in m.concept.terms_in(lang) if t.status is TermStatus.DEPRECATED]
            if m.term.status is not TermStatus.DEPRECATED and bad:
                t = rng.choice(bad)
                text = _sub_at(getattr(u, lang), m.start, m.end, t.text)
                return replace(u, **{lang: text}), f"{m.term.text} → {t.text}"
    return None


def _variant_planter(units: Sequence[Unit], ctx: QAContext) -> Planter:
    """Concepts always rendered by one full English term, with an allowed alternative to plant."""
    alternatives: dict[str, tuple[str, list[str]]] = {}
    room: dict[str, int] = {}
    for row in rendering_table(units, ctx):
        preferred = row.concept.preferred("en")
        if not preferred or len(row.used.get(preferred.text, ())) < 2:
            continue
        pref = preferred.text.lower()
        others = [
            t.text
            for t in row.concept.allowed("en")
            if t.type not in SHORT_TYPES
            and t.text not in row.used
            and not re.search(r"\d|[A-Z]{2}", t.text)
            and t.text.lower() not in pref
            and pref not in t.text.lower()
        ]
        if others:
            alternatives[row.concept.id] = (preferred.text, others)
            room[row.concept.id] = len(row.used[preferred.text]) - 1  # the preferred term stays the reference

    def plant(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
        zh_ids = {m.concept.id for m in ctx.zh_matches_simplified(strip_urls(u.zh))}
        for m in ctx.en_matches(u.en):
            cid = m.concept.id
            if cid in zh_ids and room.get(cid, 0) > 0 and m.term.text == alternatives[cid][0]:
                new = rng.choice(alternatives[cid][1])
                room[cid] -= 1
                return replace(u, en=_sub_at(u.en, m.start, m.end, new)), f"{m.term.text} → {new} ({cid})"
        return None

    return plant


def _abbreviation(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    found = re.search(r" \(([A-Z][A-Z0-9-]+)\)", u.en)
    if found and found.group(1) in u.zh and rng.random() < 0.5:
        a = found.group(1)
        en = u.en[: found.start()] + u.en[found.end() :]
        concepts = [ctx.termbase.get(c) for c in ctx.acronyms.get(a, ())]
        still = all(any(t.text.lower() in en.lower() for t in c.allowed("en")) for c in concepts if c)
        if still and a not in en:
            return replace(u, en=en), f"dropped ({a}) from the English"
    zh_latin = set(re.findall(r"[A-Za-z][A-Za-z0-9-]*", u.zh))
    zh_ids = {m.concept.id for m in ctx.zh_matches_simplified(u.zh)}
    pool = sorted(
        a
        for a, ids in ctx.acronyms.items()
        if a.isalpha() and is_abbreviation(a) and a not in zh_latin and a not in u.en and not ids & zh_ids
    )
    if not pool or not u.en.rstrip().endswith((".", ";")):
        return None
    a = rng.choice(pool)
    body = u.en.rstrip()
    return replace(u, en=f"{body[:-1]} ({a}){body[-1]}"), f"added ({a}) to the English"


_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _numbers(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    en = strip_urls(u.en)
    figures = [m for m in re.finditer(r"(?<![\w.])\d+(?![\w])", en) if str(int(m.group()) + 1) not in u.zh + u.en]
    if figures:
        m = rng.choice(figures)
        return replace(u, en=_sub_at(u.en, m.start(), m.end(), str(int(m.group()) + 1))), f"{m.group()} → +1"
    for pattern, names in (
        (r"\b(" + "|".join(_MONTHS) + r")\b", _MONTHS),
        (r"\b(" + "|".join(_WORDS) + r")\b", _WORDS),
    ):
        taken = {i for t in ctx.en_matches(u.en) for i in range(t.start, t.end)}
        m = next((m for m in re.finditer(pattern, en) if m.start() not in taken), None)
        if m:
            new = names[(names.index(m.group()) + 1) % len(names)]
            return replace(u, en=_sub_at(u.en, m.start(), m.end(), new)), f"{m.group()} → {new}"
    return None


def _completeness(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    if rng.random() < 0.5:
        return replace(u, en=""), "English emptied"
    return replace(u, en=u.zh), "English replaced by the Chinese"


def _traditional(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    import opencc  # a declared dependency; only the injector needs s2t

    trad = opencc.OpenCC("s2t").convert(u.zh)
    if len(trad) != len(u.zh):
        return None
    diffs = [i for i, (a, b) in enumerate(zip(u.zh, trad, strict=True)) if a != b]
    if not diffs:
        return None
    i = rng.choice(diffs)
    return replace(u, zh=_sub_at(u.zh, i, i + 1, trad[i])), f"{u.zh[i]} → {trad[i]}"


def _punctuation(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    commas = [m.start() for m in re.finditer(r"(?<=[\u4e00-\u9fff])，(?=[\u4e00-\u9fff])", u.zh)]
    if commas and rng.random() < 0.5:
        i = rng.choice(commas)
        return replace(u, zh=_sub_at(u.zh, i, i + 1, ",")), "， → , in the Chinese"
    if ", " in u.en:
        i = rng.choice([m.start() for m in re.finditer(", ", u.en)])
        return replace(u, en=_sub_at(u.en, i, i + 2, "，")), ", → ， in the English"
    return None


def _brackets(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    sides = [("zh", "》）)”"), ("en", ")”")]
    openers = {"》": "《", "）": "（(", ")": "（(", "”": "“"}
    rng.shuffle(sides)
    for lang, closers in sides:
        text = getattr(u, lang)
        # only a closer that has an opener, so that a list marker such as "2)" is never the one deleted
        spots = [i for i, c in enumerate(text) if c in closers and any(o in text[:i] for o in openers[c])]
        if spots:
            i = rng.choice(spots)
            return replace(u, **{lang: _sub_at(text, i, i + 1, "")}), f"deleted {text[i]} ({lang})"
    return None


def _repeated(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    if rng.random() < 0.3:
        taken = {i for m in ctx.zh_matches(u.zh) for i in range(m.start - 1, m.end + 1)}
        spots = [i for i in range(len(u.zh) - 1) if HAN.match(u.zh[i : i + 2] * 1) and not {i, i + 1} & taken]
        spots = [i for i in spots if HAN.fullmatch(u.zh[i]) and HAN.fullmatch(u.zh[i + 1])]
        if spots:
            i = rng.choice(spots)
            return replace(u, zh=u.zh[: i + 2] + u.zh[i : i + 2] + u.zh[i + 2 :]), f"repeated {u.zh[i : i + 2]}"
    words = [m for m in re.finditer(r"\b[a-z]{3,}\b", u.en)]
    if not words:
        return None
    m = rng.choice(words)
    return replace(u, en=_sub_at(u.en, m.start(), m.end(), f"{m.group()} {m.group()}")), f"repeated {m.group()}"


def _double_space(u: Unit, ctx: QAContext, rng: random.Random) -> tuple[Unit, str] | None:
    spaces = [m.start() for m in re.finditer(r"(?<=\S) (?=\S)", u.en)]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return replace(u, en=_sub_at(u.en, i, i + 1, "  ")), "doubled a space"


COPIES = frozenset({"same-source", "same-target"})
"""Planters that add a copy of a unit instead of changing it."""


def _planters(units: Sequence[Unit], ctx: QAContext) -> dict[str, Planter]:
    planters: dict[str, Planter] = {
        "same-source": _same_source,
        "same-target": _same_target,
        "key-term": _key_term,
        "deprecated-term": _deprecated,
        "term-variants": _variant_planter(units, ctx),
        "abbreviation": _abbreviation,
        "numbers": _numbers,
        "completeness": _completeness,
        "traditional": _traditional,
        "punctuation-width": _punctuation,
        "brackets": _brackets,
        "repeated-word": _repeated,
        "double-space": _double_space,
    }
    assert set(planters) == set(CHECKS), "every check needs a planter"
    return planters


def inject(
    units: Sequence[Unit], ctx: QAContext, *, per_check: int = PER_CHECK, seed: int = SEED
) -> tuple[list[Unit], list[Injection]]:
    """A copy of `units` with up to `per_check` planted errors of every check, each in its own unit."""
    rng = random.Random(seed)
    busy = {t for f in run_checks(units, ctx) for t in f.tuids}
    # A unit whose Chinese or English repeats elsewhere would turn any change into a same-source or
    # same-target finding as well; leave such units alone.
    seen = Counter(norm_key(u.zh) for u in units) + Counter(norm_key(u.en) for u in units)
    units_ok = [u for u in units if seen[norm_key(u.zh)] == 1 and seen[norm_key(u.en)] == 1]
    clean = [u for u in units_ok if u.tuid not in busy]
    rest = [u for u in units_ok if u.tuid in busy]
    rng.shuffle(clean)
    rng.shuffle(rest)
    out = {u.tuid: u for u in units}
    added: list[Unit] = []
    injections: list[Injection] = []
    used: set[str] = set()
    for check, plant in _planters(units, ctx).items():
        pool = clean if check in COPIES else clean + rest
        n = 0
        for u in pool:
            if n == per_check:
                break
            if u.tuid in used:
                continue
            planted = plant(u, ctx, rng)
            if planted is None:
                continue
            new, note = planted
            used.add(u.tuid)
            if check in COPIES:
                added.append(new)
            else:
                out[u.tuid] = new
            injections.append(Injection(new.tuid, check, note))
            n += 1
    return [*out.values(), *added], injections


@dataclass(frozen=True, slots=True)
class Score:
    """Recall over injections and precision over new findings, with the misses and false alarms."""

    recall: float
    precision: float
    missed: list[Injection]
    false: list[object]


def score(clean_findings: Sequence, injected_findings: Sequence, injections: Sequence[Injection]) -> Score:
    """Recall and precision of a run on the injected copy, against the clean run (see the module doc)."""
    before = {f.key for f in clean_findings}
    new = [f for f in injected_findings if f.key not in before]
    planted = {(i.tuid, i.check) for i in injections}
    hit = [f for f in new if any((t, f.check) in planted for t in f.tuids)]
    found = {(t, f.check) for f in new for t in f.tuids}
    missed = [i for i in injections if (i.tuid, i.check) not in found]
    recall = 1 - len(missed) / len(injections) if injections else 1.0
    precision = len(hit) / len(new) if new else 1.0
    return Score(recall, precision, missed, [f for f in new if f not in hit])
