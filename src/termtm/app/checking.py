"""Editorial checks of a translated file or of units: the use case behind `termtm check` and the web's check page.

The CLI and the web both come here, so a file checked in the browser and on the command line gets the
same findings. Nothing read here enters the memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from termtm.model import Lang, TermBase
from termtm.qa import QAContext, Severity, Unit, apply_ignore, counts, run_checks
from termtm.qa.checks import Check
from termtm.qa.ignore import IgnoreEntry
from termtm.qa.model import Finding
from termtm.qa.sources import file_units


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Findings kept after the ignore list, their counts, and how many units were checked."""

    findings: list[Finding]
    counts: dict[str, object]
    units: int


def check_units(
    units: Sequence[Unit],
    termbase: TermBase,
    *,
    checks: Sequence[Check] | None = None,
    min_severity: Severity = Severity.INFO,
    ignore: Sequence[IgnoreEntry] = (),
) -> CheckReport:
    """Run the checks over `units` against `termbase`, drop what the ignore list explains, count the rest."""
    findings = run_checks(units, QAContext(termbase), checks, min_severity=min_severity)
    kept, ignored = apply_ignore(findings, ignore)
    return CheckReport(kept, counts(kept, ignored=len(ignored)), len(units))


def check_file(
    data: bytes,
    name: str,
    termbase: TermBase,
    *,
    src: Lang | None = None,
    tgt: Lang | None = None,
    min_severity: Severity = Severity.INFO,
    ignore: Sequence[IgnoreEntry] = (),
) -> CheckReport:
    """Check a TMX, XLIFF, PO or CSV file's translated units; ParseError when the file cannot be read."""
    return check_units(file_units(data, name, src, tgt), termbase, min_severity=min_severity, ignore=ignore)
