"""Editorial consistency checks (Xbench-class) for the Chinese/English memory, against the term base.

Every check is a pure function over a list of `Unit`s and a `QAContext` (the term base and its
recogniser) that yields `Finding`s; `run_checks` runs a selection, `apply_ignore` drops the findings
that the project's ignore list explains.
"""

from __future__ import annotations

from termtm.qa.checks import CHECKS, Check, UnknownCheck, counts, run_checks, select
from termtm.qa.context import QAContext
from termtm.qa.ignore import IgnoreEntry, IgnoreListError, apply_ignore, load_ignore, parse_ignore
from termtm.qa.model import Finding, Severity, Unit
from termtm.qa.sources import raw_units

__all__ = [
    "CHECKS",
    "Check",
    "Finding",
    "IgnoreEntry",
    "IgnoreListError",
    "QAContext",
    "Severity",
    "Unit",
    "UnknownCheck",
    "apply_ignore",
    "counts",
    "load_ignore",
    "parse_ignore",
    "raw_units",
    "run_checks",
    "select",
]
