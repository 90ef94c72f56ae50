"""The editorial check page: findings grouped by check, with filters, and each concept's English renderings."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, request

from termtm.qa import CHECKS, QAContext, Severity, Unit, apply_ignore, load_ignore, run_checks
from termtm.qa.terms import rendering_table

bp = Blueprint("qa", __name__)


@bp.get("/check")
def check_page():
    """Run every check over the store; ?severity= sets the minimum, ?check= keeps one check."""
    store = current_app.extensions["termtm.store"]
    severity = request.args.get("severity", "info")
    min_sev = Severity(severity) if severity in Severity._value2member_map_ else Severity.INFO
    chosen = request.args.get("check", "")
    units = [Unit(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    ctx = QAContext(store.termbase())
    findings = run_checks(units, ctx, min_severity=min_sev)
    ignore = current_app.config.get("QA_IGNORE")
    kept, ignored = apply_ignore(findings, load_ignore(Path(ignore), list(CHECKS)) if ignore else [])
    groups = {c: [f for f in kept if f.check == c] for c in CHECKS}
    shown = {c: fs for c, fs in groups.items() if fs and (not chosen or c == chosen)}
    charts = [r for r in rendering_table(units, ctx) if r.used]
    return render_template(
        "check.html",
        checks=CHECKS,
        groups=groups,
        shown=shown,
        severity=min_sev.value,
        chosen=chosen,
        ignored=len(ignored),
        charts=charts,
        total=len(units),
    )
