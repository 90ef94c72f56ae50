"""The editorial checks as a workbench: a sortable, filterable, paged table of findings, each linked to its
segment with an inline fix, "accept" with a reason (stored and audited), exports, and the concepts whose
English rendering varies.

The checks run once per store version (the report is cached in app.extensions); the ignore list (the
project's qa-ignore.yaml and the findings accepted here) is applied on every view, so that an accepted
finding moves to "ignored" at once.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from termtm.app.checking import check_units, ignore_entries, ignore_path, store_units
from termtm.errors import TermTMError
from termtm.formats.tmx import tmx_now
from termtm.qa import CHECKS, Finding, QAContext
from termtm.qa.ignore import IgnoreEntry
from termtm.qa.report import render_csv
from termtm.qa.terms import Renderings, rendering_table
from termtm.store.decisions import accept
from termtm.store.users import Role
from termtm.web import services
from termtm.web.auth import current_user, require, user_name

bp = Blueprint("qa", __name__)

PAGE = 50
"""Findings per page of the table."""
COLUMNS = ("check", "severity", "concept", "article", "status")
"""The columns the table sorts and filters by."""
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Report:
    """Every finding of one store version, where each unit sits, and each concept's renderings."""

    version: int
    findings: list[Finding]
    articles: dict[str, str]
    concepts: list[str]
    charts: list[Renderings]
    units: int


def report() -> Report:
    """The checks over the whole store, run once per store version (the version stamp every change raises)."""
    ext = current_app.extensions
    version = services.store().version()
    cached = ext.get("termtm.qa_report")
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = ext.get("termtm.qa_report")
        if cached is not None and cached.version == version:
            return cached
        store = services.store()
        records = list(store.records())
        units = store_units(records)
        ctx = QAContext(store.termbase())
        # every finding, none ignored here: the ignore list applies on each view, so an accepted one moves at once
        findings = check_units(units, ctx.termbase, context=ctx).findings
        concepts = [_concept_of(f, ctx) for f in findings]
        articles = {r.segment.tuid: f"{r.segment.document} {r.segment.article}".strip() for r in records}
        charts = [r for r in rendering_table(units, ctx) if r.used]
        ext["termtm.qa_report"] = Report(version, findings, articles, concepts, charts, len(units))
        return ext["termtm.qa_report"]


def _concept_of(f: Finding, ctx: QAContext) -> str:
    """The concept a finding is about: the first term the recogniser finds in its Chinese, else its English."""
    for matches in (ctx.zh_matches(f.zh) if f.zh else [], ctx.en_matches(f.en) if f.en else []):
        if matches:
            return matches[0].concept.id
    return ""


def _ignore_entries() -> list[IgnoreEntry]:
    """qa-ignore.yaml (QA_IGNORE, else the project root's, as `termtm check`) and the findings accepted here."""
    return ignore_entries(ignore_path(current_app.extensions["termtm.settings"]), services.store())


def rows() -> tuple[list[dict[str, Any]], Report]:
    """Every finding as a table row, with its status: open, or ignored (and why)."""
    rep = report()
    entries = _ignore_entries()
    out = []
    for f, concept in zip(rep.findings, rep.concepts, strict=True):
        why = next((e.reason for e in entries if e.covers(f)), "")
        out.append(
            {
                "check": f.check,
                "severity": f.severity.value,
                "concept": concept,
                "article": rep.articles.get(f.tuids[0], "") if f.tuids else "",
                "status": "ignored" if why else "open",
                "reason": why,
                "finding": f,
            }
        )
    return out, rep


def _filters() -> dict[str, str]:
    """The table's filters from the query string (empty: all); status defaults to open."""
    args = request.args
    out = {c: args.get(c, "").strip() for c in ("check", "concept", "article")}
    severity = args.get("severity", "info")
    out["severity"] = severity if severity in _SEVERITY_ORDER else "info"
    status = args.get("status", "open")
    out["status"] = status if status in ("open", "ignored", "all") else "open"
    sort = args.get("sort", "")
    out["sort"] = sort if sort in COLUMNS else ""
    out["dir"] = "desc" if args.get("dir") == "desc" else "asc"
    return out


def filtered(all_rows: list[dict[str, Any]], f: dict[str, str]) -> list[dict[str, Any]]:
    """The rows that pass the filters, sorted as asked (by default: the checks' order, then the memory's)."""
    floor = _SEVERITY_ORDER[f["severity"]]
    kept = [
        r
        for r in all_rows
        if _SEVERITY_ORDER[r["severity"]] <= floor
        and (not f["check"] or r["check"] == f["check"])
        and (not f["concept"] or r["concept"] == f["concept"])
        and (not f["article"] or r["article"] == f["article"])
        and (f["status"] == "all" or r["status"] == f["status"])
    ]
    if f["sort"]:
        key = f["sort"]
        kept.sort(key=lambda r: _SEVERITY_ORDER[r[key]] if key == "severity" else r[key], reverse=f["dir"] == "desc")
    return kept


@bp.get("/check")
def check_page():
    """The workbench: counts, filters, a page of findings, and the concepts rendered more than one way."""
    all_rows, rep = rows()
    f = _filters()
    kept = filtered(all_rows, f)
    pages = max(1, -(-len(kept) // PAGE))
    try:
        page = min(max(1, int(request.args.get("page", 1))), pages)
    except ValueError:
        page = 1
    shown = kept[(page - 1) * PAGE : page * PAGE]
    store = services.store()
    user = current_user()
    editor = bool(user and user.role.can_edit())
    firsts = [r["finding"].tuids[0] for r in shown if r["finding"].tuids] if editor else []
    records = {t: store.record(t) for t in firsts}
    varying = [c for c in rep.charts if _varies(c)]
    return render_template(
        "check.html",
        checks=CHECKS,
        rows=shown,
        total=len(kept),
        first=(page - 1) * PAGE + 1,
        page=page,
        pages=pages,
        f=f,
        counts={c: sum(1 for r in all_rows if r["check"] == c and r["status"] == "open") for c in CHECKS},
        ignored=sum(1 for r in all_rows if r["status"] == "ignored"),
        open_total=sum(1 for r in all_rows if r["status"] == "open"),
        concepts=sorted({r["concept"] for r in all_rows if r["concept"]}),
        articles=sorted({r["article"] for r in all_rows if r["article"]}),
        charts=varying,
        steady=len(rep.charts) - len(varying),
        units=rep.units,
        editor=editor,
        records=records,
        link=lambda **kw: url_for("qa.check_page") + "?" + urlencode({**_link_args(f), **kw}),
        here=request.full_path.rstrip("?"),
        export_args=urlencode(_link_args(f)),
    )


def _link_args(f: dict[str, str]) -> dict[str, str]:
    """The current filters and sort, without empty values, for links that keep them."""
    return {k: v for k, v in f.items() if v and not (k == "dir" and v == "asc")}


def _varies(r: Renderings) -> bool:
    """Rendered more than one way (counting a missing rendering as one), so worth an editor's look."""
    return len(r.used) + (1 if r.missing else 0) > 1


@bp.post("/check/accept")
@require(Role.EDITOR)
def accept_finding():
    """Accept a finding with a reason: stored, audited, and from now on ignored here and by `termtm check`."""
    form = request.form
    if form.get("check", "") not in CHECKS:
        abort(400, f"unknown check {form.get('check', '')!r}")
    try:
        accept(
            services.store(),
            check=form.get("check", ""),
            tuid=form.get("tuid", ""),
            text=form.get("text", ""),
            reason=form.get("reason", ""),
            user=user_name(),
            when=tmx_now(),
        )
        flash(f"Accepted the {form.get('check')} finding in {form.get('tuid')}: it is now listed as ignored.")
    except TermTMError as err:
        flash(str(err), "error")
    target = form.get("next", "")
    return redirect(target if target.startswith("/check") and not target.startswith("//") else url_for("qa.check_page"))


EXPORT_FIELDS = ("check", "severity", "status", "concept", "article", "tuids", "zh", "en", "message", "suggestion")


def _export_rows() -> list[list[str]]:
    """The filtered findings (all pages) as rows of EXPORT_FIELDS."""
    out = []
    for r in filtered(rows()[0], _filters()):
        fd = r["finding"]
        where = [r["check"], r["severity"], r["status"], r["concept"], r["article"], " ".join(fd.tuids)]
        out.append([*where, fd.zh, fd.en, fd.message, fd.suggestion])
    return out


@bp.get("/check/export.csv")
def export_csv():
    """The filtered findings as CSV in the shape of `termtm check --format csv`, by the same writer."""
    kept = [r["finding"] for r in filtered(rows()[0], _filters())]
    data = render_csv(kept, {}).encode("utf-8")
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name="termtm-findings.csv")


@bp.get("/check/export.xlsx")
def export_xlsx():
    """The filtered findings as an Excel workbook; every cell is text, so no cell can run as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    book = Workbook()
    sheet = book.active
    sheet.title = "findings"
    for col, name in enumerate(EXPORT_FIELDS, start=1):
        sheet.cell(row=1, column=col, value=name)
    for n, row in enumerate(_export_rows(), start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=n, column=col)
            cell.value = value
            cell.data_type = TYPE_STRING  # openpyxl would otherwise store "=…" as a formula
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return send_file(
        buf,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="termtm-findings.xlsx",
    )
