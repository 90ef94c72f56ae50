"""Editorial checks of a translated file or of units: the use case behind `termtm check` and the web's check page.

The CLI and the web both come here, so a file checked in the browser and on the command line gets the
same findings, and the store's findings are ignored by the same list (the project's qa-ignore.yaml and
the findings editors accepted on /check). Nothing read here enters the memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from termtm.config import Settings
from termtm.errors import TermTMError
from termtm.model import Lang, TermBase
from termtm.qa import CHECKS, QAContext, Severity, Unit, apply_ignore, counts, load_ignore, run_checks, select
from termtm.qa.checks import Check
from termtm.qa.ignore import DEFAULT_NAME, IgnoreEntry, ignore_list
from termtm.qa.model import Finding
from termtm.qa.sources import file_units, raw_units
from termtm.store import SegmentRecord, Store
from termtm.store.decisions import decisions


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Findings kept after the ignore list, their counts, how many units were checked, and what was ignored."""

    findings: list[Finding]
    counts: dict[str, object]
    units: int
    ignored: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """Does an error remain once the ignore list has spoken? (`termtm check` then exits 1.)"""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def exit_code(self) -> int:
        """`termtm check`'s exit status: 1 when an error remains, else 0 (warnings and notes do not fail it)."""
        return 1 if self.has_errors else 0


def check_units(
    units: Sequence[Unit],
    termbase: TermBase,
    *,
    checks: Sequence[Check] | None = None,
    min_severity: Severity = Severity.INFO,
    ignore: Sequence[IgnoreEntry] = (),
    context: QAContext | None = None,
) -> CheckReport:
    """Run the checks over `units` against `termbase`, drop what the ignore list explains, count the rest.

    `context` is the term base's recogniser when the caller keeps one (the check page reuses it to name each
    finding's concept); it must be of `termbase`.
    """
    findings = run_checks(units, context or QAContext(termbase), checks, min_severity=min_severity)
    kept, ignored = apply_ignore(findings, ignore)
    return CheckReport(kept, counts(kept, ignored=len(ignored)), len(units), ignored)


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


def store_units(records: Iterable[SegmentRecord]) -> list[Unit]:
    """Stored segments (`store.records()`) as units to check, in memory order."""
    return [Unit(r.segment.tuid, r.segment.zh, r.segment.en) for r in records]


def ignore_path(settings: Settings, named: Path | None = None) -> Path:
    """The ignore list: `named` (--ignore), else qa_ignore (termtm.toml, TERMTM_QA_IGNORE), else the project
    root's qa-ignore.yaml."""
    if named is not None:
        return named
    configured = settings.get("qa_ignore")
    return Path(configured) if configured else settings.root / DEFAULT_NAME


def ignore_entries(path: Path, store: Store | None) -> list[IgnoreEntry]:
    """The one ignore list: the file's entries (when it exists), then the findings editors accepted in the
    browser, stored in `store` (none when `store` is None: a file or the raw text has no accepted findings)."""
    accepted = [] if store is None else [(d.check, d.tuid, d.text, d.reason) for d in decisions(store)]
    return ignore_list(path, list(CHECKS), accepted)


def check(
    settings: Settings,
    store: Store,
    *,
    file: Path | None = None,
    raw: bool = False,
    checks: Sequence[str] | None = None,
    min_severity: Severity = Severity.INFO,
    ignore: Path | None = None,
    src: Lang | None = None,
    tgt: Lang | None = None,
) -> CheckReport:
    """`termtm check`: the store's units, a memory FILE's, or (`raw`) the raw OCR bulletin's Chinese lines,
    checked against the store's term base (glossary/ when the store has none yet), the ignore list applied.

    `checks` are check ids (all when None; with `raw`, only those that work on Chinese alone). An `ignore`
    list named explicitly must exist and be valid; the default one may be absent.
    """
    units = _units(settings, store, file, raw, src, tgt)
    chosen = select(checks, monolingual=raw)
    if ignore is not None:
        load_ignore(ignore, list(CHECKS))  # a list named on the command line must exist and be valid
    entries = ignore_entries(ignore_path(settings, ignore), None if file or raw else store)
    return check_units(units, _termbase(settings, store), checks=chosen, min_severity=min_severity, ignore=entries)


def _units(
    settings: Settings, store: Store, file: Path | None, raw: bool, src: Lang | None, tgt: Lang | None
) -> list[Unit]:
    """Units of FILE, of the raw OCR bulletin, or of the store."""
    from termtm.build import Paths

    if raw:
        if file:
            raise TermTMError("give either FILE or --raw, not both")
        path = Paths(settings.root).raw
        if not path.exists():
            raise TermTMError(f"{path} is missing: run from the project root or pass --root")
        return raw_units(path.read_text(encoding="utf-8"))
    if file:
        if not file.exists():
            raise TermTMError(f"{file}: no such file")
        return file_units(file.read_bytes(), file.name, src, tgt)
    units = store_units(store.records())
    if not units:
        raise TermTMError("the store is empty: run `termtm build` first, or give a FILE")
    return units


def _termbase(settings: Settings, store: Store) -> TermBase:
    """The store's term base, or glossary/ when the store has none (checking a file before any build)."""
    from termtm.build import Paths

    termbase = store.termbase()
    if len(termbase):
        return termbase
    glossary = Paths(settings.root).glossary
    if glossary.is_dir():
        from termtm.terms import load_glossary

        return load_glossary(glossary)
    raise TermTMError("no term base: run `termtm build`, or run from a project root that has glossary/")
