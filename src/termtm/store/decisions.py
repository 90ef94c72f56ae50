"""Findings of the editorial checks that an editor accepted in the browser, each with a reason, audited.

They are the database half of the project's ignore list: `termtm check` and /check merge them with
qa-ignore.yaml (termtm.qa.ignore.ignore_list), so that a finding accepted in either place is ignored
in both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from termtm.errors import TermTMError
from termtm.store.repository import Store
from termtm.store.rows import write_audit
from termtm.store.schema import qa_decisions

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Decision:
    """One accepted finding: check id, tuid, the text its span contains (may be empty), why, who and when."""

    check: str
    tuid: str
    text: str
    reason: str
    user: str
    at: str


def accept(store: Store, *, check: str, tuid: str, text: str, reason: str, user: str, when: str) -> Decision:
    """Record that `user` accepts a finding, with the reason, and audit it in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise TermTMError("say why the finding is acceptable: a reason is required")
    if len(reason) > MAX_REASON:
        raise TermTMError(f"the reason is longer than {MAX_REASON} characters: shorten it")
    if not check or not tuid:
        raise TermTMError("a decision needs the finding's check and segment")
    decision = Decision(check, tuid, text, reason, user, when)
    with store.engine.begin() as conn:
        conn.execute(qa_decisions.insert().values(check=check, tuid=tuid, text=text, reason=reason, user=user, at=when))
        new = {"check": check, "text": text, "reason": reason}
        write_audit(conn, when, user, "finding.accept", "finding", tuid, {}, new)
    return decision


def decisions(store: Store) -> list[Decision]:
    """Every accepted finding, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(qa_decisions).order_by(qa_decisions.c.id))
        return [Decision(r.check, r.tuid, r.text, r.reason, r.user, r.at) for r in rows]


def stamp(store: Store) -> int:
    """The number of decisions: it changes when one is added, which is when a cached report must be refiltered."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(qa_decisions)).scalar() or 0)
