"""The per-project ignore list (qa-ignore.yaml): findings an editor has judged acceptable, each with a reason.

    ignore:
    - check: deprecated-term
      tuid: bulletin-2007-12:a05:p000:s00
      text: Du Hungwei          # optional: the entry only covers findings whose span contains it
      reason: printed English title, kept verbatim (translation-notes.md)

An entry needs a check id, a tuid or a text (or both), and a reason; without a reason the whole
list is rejected, so that nothing is silenced without an explanation on record.

The findings editors accept in the browser (/check, stored in the database) are the same kind of entry:
`ignore_list` merges them with the file, so that `termtm check` and /check honour one list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from termtm.errors import TermTMError
from termtm.qa.model import Finding

DEFAULT_NAME = "qa-ignore.yaml"


class IgnoreListError(TermTMError):
    """The ignore list is malformed; the message names the entry and what to add."""


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """One accepted finding (or family of findings): check id, tuid and/or text, and why."""

    check: str
    reason: str
    tuid: str = ""
    text: str = ""

    def covers(self, f: Finding) -> bool:
        """True when the finding is of this check and matches the tuid and text given."""
        return (
            f.check == self.check
            and (not self.tuid or self.tuid in f.tuids)
            and (not self.text or self.text in f.zh or self.text in f.en)
        )


def parse_ignore(text: str, name: str, known_checks: Sequence[str]) -> list[IgnoreEntry]:
    """Entries of an ignore list, or IgnoreListError naming the first bad one."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise IgnoreListError(f"{name}: not valid YAML ({err}); fix the syntax") from err
    items = data.get("ignore", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise IgnoreListError(f"{name}: expected a mapping with an `ignore:` list of entries")
    out = []
    for n, item in enumerate(items, start=1):
        where = f"{name} entry {n}"
        if not isinstance(item, dict):
            raise IgnoreListError(f"{where}: expected a mapping with check, tuid or text, and reason")
        check, reason = str(item.get("check", "")).strip(), str(item.get("reason", "") or "").strip()
        tuid, text = str(item.get("tuid", "") or "").strip(), str(item.get("text", "") or "").strip()
        if check not in known_checks:
            raise IgnoreListError(f"{where}: unknown check {check!r}; use one of {', '.join(known_checks)}")
        if not reason:
            raise IgnoreListError(f"{where} ({check} {tuid or text}): every entry needs a `reason:`; add one")
        if not tuid and not text:
            raise IgnoreListError(f"{where} ({check}): give a `tuid:` or a `text:` so that the entry is specific")
        out.append(IgnoreEntry(check, reason, tuid, text))
    return out


def load_ignore(path: Path, known_checks: Sequence[str]) -> list[IgnoreEntry]:
    """The ignore list at `path`; IgnoreListError if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise IgnoreListError(f"cannot read the ignore list {path}: {err.strerror}; check --ignore") from err
    return parse_ignore(text, path.name, known_checks)


def ignore_list(
    path: Path | None, known_checks: Sequence[str], accepted: Iterable[tuple[str, str, str, str]] = ()
) -> list[IgnoreEntry]:
    """The project's one ignore list: the file's entries (when `path` is given and exists), then the findings
    accepted in the browser as (check, tuid, text, reason) tuples, in the order they were accepted."""
    entries = load_ignore(path, known_checks) if path is not None and path.exists() else []
    return entries + [IgnoreEntry(check, reason, tuid, text) for check, tuid, text, reason in accepted]


def apply_ignore(findings: Sequence[Finding], entries: Sequence[IgnoreEntry]) -> tuple[list[Finding], list[Finding]]:
    """(kept, ignored) findings."""
    kept: list[Finding] = []
    ignored: list[Finding] = []
    for f in findings:
        (ignored if any(e.covers(f) for e in entries) else kept).append(f)
    return kept, ignored
