"""The check registry and the runner: which checks exist, in which order, and how to run a selection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from termtm.errors import TermTMError
from termtm.qa import numbers, segments, terms, typography
from termtm.qa.context import QAContext
from termtm.qa.model import Finding, Severity, Unit

CheckFn = Callable[[Sequence[Unit], QAContext], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: id, function, one-line description, and whether it works on Chinese alone."""

    id: str
    fn: CheckFn
    description: str
    monolingual: bool = False


CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check("same-source", segments.same_source, "same source, different targets"),
        Check("same-target", segments.same_target, "same target, different sources"),
        Check("key-term", terms.key_term, "term-base term in the Chinese without an allowed English rendering"),
        Check("deprecated-term", terms.deprecated_term, "deprecated or forbidden terms, OCR variants", True),
        Check("term-variants", terms.term_variants, "one concept rendered in several ways (report)"),
        Check("abbreviation", terms.abbreviation, "Latin abbreviations on one side only"),
        Check("numbers", numbers.numbers, "numbers, dates and percentages that differ"),
        Check("completeness", segments.completeness, "empty, untranslated, or target identical to source"),
        Check("traditional", typography.traditional, "Traditional characters in Simplified Chinese", True),
        Check("punctuation-width", typography.punctuation_width, "punctuation of the wrong width", True),
        Check("brackets", typography.brackets, "unbalanced brackets and quotes", True),
        Check("repeated-word", typography.repeated_word, "a word repeated", True),
        Check("double-space", typography.double_space, "double spaces", True),
    )
}
"""Every check, in report order."""


class UnknownCheck(TermTMError):
    """A check id given on the command line or in the ignore list is not registered."""


def select(ids: Iterable[str] | None, *, monolingual: bool = False) -> list[Check]:
    """Checks by id (all when None); with monolingual, only those that work on Chinese alone."""
    chosen = list(CHECKS.values()) if ids is None else []
    for i in ids or ():
        if i not in CHECKS:
            raise UnknownCheck(f"unknown check {i!r}: choose from {', '.join(CHECKS)}")
        chosen.append(CHECKS[i])
    return [c for c in chosen if c.monolingual or not monolingual]


def run_checks(
    units: Sequence[Unit],
    ctx: QAContext,
    checks: Sequence[Check] | None = None,
    *,
    min_severity: Severity = Severity.INFO,
) -> list[Finding]:
    """Findings of the chosen checks, in registry order then unit order, at or above `min_severity`."""
    out: list[Finding] = []
    for check in checks if checks is not None else CHECKS.values():
        out.extend(f for f in check.fn(units, ctx) if f.severity.rank >= min_severity.rank)
    return out


def counts(findings: Sequence[Finding], *, ignored: int = 0) -> dict[str, object]:
    """Counts per check and per severity, for the report and the JSON output."""
    by_check = Counter(f.check for f in findings)
    by_sev = Counter(f.severity.value for f in findings)
    return {
        "total": len(findings),
        "ignored": ignored,
        "severity": {s.value: by_sev.get(s.value, 0) for s in Severity},
        "checks": {c: by_check[c] for c in CHECKS if by_check.get(c)},
    }
