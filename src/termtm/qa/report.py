"""Render findings as text, JSON, CSV or a standalone HTML page (the CLI's --format)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from termtm.formats.cells import csv_text
from termtm.qa.checks import CHECKS
from termtm.qa.model import Finding

FIELDS = ("check", "severity", "tuids", "zh", "en", "message", "suggestion")


def render_json(findings: Sequence[Finding], counts: dict[str, object]) -> str:
    """{"findings": [...], "counts": {...}}, Chinese kept readable."""
    return json.dumps({"findings": [f.to_json() for f in findings], "counts": counts}, ensure_ascii=False, indent=1)


def render_csv(findings: Sequence[Finding], counts: dict[str, object]) -> str:
    """One row per finding; tuids joined with spaces; formula-like cells neutralised for spreadsheets."""
    rows = [[f.check, f.severity.value, " ".join(f.tuids), f.zh, f.en, f.message, f.suggestion] for f in findings]
    return csv_text([list(FIELDS), *rows])


def render_text(findings: Sequence[Finding], counts: dict[str, object]) -> str:
    """A readable report: one block per finding, then counts per check and severity."""
    lines = []
    for f in findings:
        more = " …" if len(f.tuids) > 5 else ""
        lines.append(f"{f.severity.value.upper():7} {f.check:17} {' '.join(f.tuids[:5])}{more}")
        lines.append(f"        {f.message}")
        if f.zh:
            lines.append(f"        zh: {f.zh}")
        if f.en:
            lines.append(f"        en: {f.en}")
        if f.suggestion:
            lines.append(f"        fix: {f.suggestion}")
    lines.append(summary(counts))
    return "\n".join(lines) + "\n"


def summary(counts: dict[str, object]) -> str:
    """Counts per check (registry order) and per severity, as a small table."""
    by_check = counts.get("checks", {})
    sev = counts.get("severity", {})
    assert isinstance(by_check, dict) and isinstance(sev, dict)
    rows = [f"{c:17} {by_check.get(c, 0):5}" for c in CHECKS]
    rows.append(
        f"{'total':17} {counts.get('total', 0):5}   (error {sev.get('error', 0)}, warning {sev.get('warning', 0)}, "
        f"info {sev.get('info', 0)}; ignored {counts.get('ignored', 0)})"
    )
    return "\n".join(rows)


def render_html(findings: Sequence[Finding], counts: dict[str, object]) -> str:
    """A self-contained HTML table (no scripts, no external assets), for attaching to a review."""
    esc = html.escape
    rows = "\n".join(
        f"<tr class='{f.severity.value}'><td>{esc(f.check)}</td><td>{f.severity.value}</td>"
        f"<td>{'<br>'.join(esc(t) for t in f.tuids)}</td><td lang='zh-Hans'>{esc(f.zh)}</td><td>{esc(f.en)}</td>"
        f"<td>{esc(f.message)}</td><td>{esc(f.suggestion)}</td></tr>"
        for f in findings
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>termtm check</title><style>"
        "body{font-family:sans-serif}td{border-top:1px solid #ccc;vertical-align:top;padding:2px 6px}"
        ".error td:nth-child(2){color:#b00}.warning td:nth-child(2){color:#a60}</style></head><body>"
        f"<h1>termtm check</h1><pre>{esc(summary(counts))}</pre><table><tr>"
        + "".join(f"<th>{h}</th>" for h in FIELDS)
        + f"</tr>{rows}</table></body></html>\n"
    )


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}
