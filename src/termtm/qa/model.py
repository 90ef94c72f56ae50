"""Value types of the editorial checks: a unit to check, a finding, a severity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How sure a check is that something is wrong; `rank` orders them for --min-severity."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


@dataclass(frozen=True, slots=True)
class Unit:
    """One bilingual unit to check: a TMX tuid (or file unit id), Chinese, English."""

    tuid: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: which check, how bad, where (tuids and the offending spans), and a fix if known."""

    check: str
    severity: Severity
    tuids: tuple[str, ...]
    zh: str
    en: str
    message: str
    suggestion: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...], str, str]:
        """Identity without the message, so that two runs can be compared (counts in messages may differ)."""
        return (self.check, self.tuids, self.zh, self.en)

    def to_json(self) -> dict[str, object]:
        """The JSON shape of `termtm check --format json`."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "tuids": list(self.tuids),
            "zh": self.zh,
            "en": self.en,
            "message": self.message,
            "suggestion": self.suggestion,
        }
