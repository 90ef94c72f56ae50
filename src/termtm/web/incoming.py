"""Incoming work in the browser and the API: analyse and pre-translate a document, check a translated file.

Any signed-in user (reader, editor or admin) may use these pages: they read the memory and the term
base and change nothing, so the reader role (a translator's account) is enough; anonymous visitors are
sent to sign in even when anonymous lookups are allowed, because the pages take uploads. Nothing
uploaded enters the memory: the results are kept as files under the export folder, named by a random
token and readable only by the user who uploaded them, and a day-old result is deleted.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.datastructures import FileStorage

from termtm.app.analysis import BANDS, Analysis, analyze, band_label, parse_weights
from termtm.app.checking import check_file
from termtm.app.pretranslate import DEFAULT_MIN, pretranslate
from termtm.app.sources import extensions, read_source
from termtm.errors import TermTMError, UnsupportedFormat
from termtm.qa import CHECKS, Finding, Severity, counts
from termtm.qa.report import RENDERERS as CHECK_RENDERERS
from termtm.store.users import Role
from termtm.web import guard, services
from termtm.web.auth import current_user, require, sign_in_please

bp = Blueprint("incoming", __name__)
api = Blueprint("incoming_api", __name__)

KEEP_SECONDS = 24 * 3600
"""How long an uploaded file's results stay downloadable."""
CHECK_EXTENSIONS = ("tmx", "xlf", "xliff", "po", "csv")
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@bp.record_once
def _uploads(state: Any) -> None:
    guard.UPLOADS.update({"incoming.analyze_upload", "incoming.check_upload"})


@api.record_once
def _api_uploads(state: Any) -> None:
    guard.UPLOADS.update({"incoming_api.api_analyze", "incoming_api.api_pretranslate", "incoming_api.api_check"})


class UploadError(TermTMError):
    """An upload that cannot be used: no file, an empty one, a bad parameter."""


def _uploaded() -> tuple[bytes, str]:
    """The bytes and file name of the form's `file` field; a clear error when there is none."""
    f: FileStorage | None = request.files.get("file")
    if f is None or not f.filename:
        raise UploadError("choose a file to upload (the form field is named file)")
    data = f.read()
    name = Path(f.filename).name
    if not data.strip():
        raise UploadError(f"{name} is empty: there is nothing to read")
    return data, name


def _min_score() -> float:
    raw = request.values.get("min", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_MIN
    except ValueError:
        raise UploadError("min must be a match percentage from 0 to 100") from None
    if not 0 <= value <= 100:
        raise UploadError("min must be a match percentage from 0 to 100")
    return value


def _analysed(data: bytes, name: str, weights: str, min_score: float) -> tuple[Analysis, bytes]:
    """The analysis of an uploaded document and its pre-translated XLIFF (one lookup per segment for both)."""
    doc = read_source(data, name)
    searcher = services.searcher()
    analysis = analyze(doc, searcher, weights=parse_weights(weights) if weights else None, min_score=min_score)
    done = pretranslate(doc, searcher, services.term_index().termbase, min_score=min_score, analysis=analysis)
    return analysis, done.xliff


# ---- results kept for their owner ----------------------------------------------------------------------


def _folder() -> Path:
    base = current_app.config.get("EXPORT_DIR") or services.index_dir().parent / "exports"
    folder = Path(base) / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(record: dict[str, Any], attachment: bytes | None = None) -> str:
    """Keep a result (and its XLIFF) under a fresh token; results older than a day are deleted first."""
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    user = current_user()
    record = {**record, "user": user.name if user else ""}
    if attachment is not None:
        (folder / f"{token}.xlf").write_bytes(attachment)
    (folder / f"{token}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return token


def _load(token: str, kind: str) -> dict[str, Any]:
    """A kept result of this user, or 404 (an unknown, expired or someone else's token look alike)."""
    if not token or set(token) - _TOKEN_CHARS:
        abort(404, "no such result")
    path = _folder() / f"{token}.json"
    user = current_user()
    if not path.exists():
        abort(404, "no such result: results are kept for a day; upload the file again")
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("kind") != kind or user is None or record.get("user") != user.name:
        abort(404, "no such result")
    return record


def _findings(record: dict[str, Any]) -> list[Finding]:
    return [
        Finding(f["check"], Severity(f["severity"]), tuple(f["tuids"]), f["zh"], f["en"], f["message"], f["suggestion"])
        for f in record["findings"]
    ]


def _filtered(findings: list[Finding]) -> tuple[list[Finding], str, str]:
    """Findings at or above ?severity= and of ?check= (all when absent), with the two filters."""
    severity = request.args.get("severity", "info")
    min_sev = Severity(severity) if severity in Severity._value2member_map_ else Severity.INFO
    chosen = request.args.get("check", "")
    chosen = chosen if chosen in CHECKS else ""
    kept = [f for f in findings if f.severity.rank >= min_sev.rank and (not chosen or f.check == chosen)]
    return kept, min_sev.value, chosen


# ---- pages -----------------------------------------------------------------------------------------------


def _form(error: str | None = None, status: int = 200, which: str = ""):
    page = render_template(
        "incoming.html",
        error=error,
        which=which,
        doc_types=", ".join(f".{e}" for e in extensions()),
        check_types=", ".join(f".{e}" for e in CHECK_EXTENSIONS),
        default_min=DEFAULT_MIN,
        max_upload=current_app.config["MAX_UPLOAD"],
    )
    return page, status


@bp.get("/incoming")
@require(Role.READER)
def upload_page():
    """The two upload forms: a document to analyse and pre-translate, a translated file to check."""
    return _form()


@bp.post("/incoming/analyze")
@require(Role.READER)
def analyze_upload():
    """Analyse and pre-translate an uploaded document, keep the result, show it (POST, then redirect)."""
    try:
        data, name = _uploaded()
        analysis, xliff = _analysed(data, name, request.form.get("weights", ""), _min_score())
    except TermTMError as err:
        return _form(str(err), 400, "analyze")
    segments = [
        {"index": s.index + 1, "text": s.text, "band": s.band, "best": s.best, "size": s.size}
        for s in analysis.segments
    ]
    record = {"kind": "analysis", "name": name, "analysis": analysis.to_json(), "segments": segments}
    record["languages"] = [analysis.src.value, analysis.tgt.value]
    token = _save(record, xliff)
    return redirect(url_for("incoming.analysis_page", token=token), code=303)


@bp.get("/incoming/analysis/<token>")
@require(Role.READER)
def analysis_page(token: str):
    """The analysis as a table and a bar chart, the segments with their bands, and the XLIFF download."""
    record = _load(token, "analysis")
    data = record["analysis"]
    total = data["total"]["size"] or 1
    rows = [
        {"band": b, "label": band_label(b), **data["bands"][b], "share": 100 * data["bands"][b]["size"] / total}
        for b in BANDS
    ]
    return render_template("incoming_analysis.html", record=record, data=data, rows=rows, token=token)


@bp.get("/incoming/analysis/<token>/xliff")
@require(Role.READER)
def analysis_xliff(token: str):
    """The pre-translated XLIFF 1.2 of an analysed document."""
    record = _load(token, "analysis")
    data = (_folder() / f"{token}.xlf").read_bytes()
    name = f"{Path(record['name']).stem}.xlf"
    return send_file(io.BytesIO(data), mimetype="application/x-xliff+xml", as_attachment=True, download_name=name)


@bp.post("/incoming/check")
@require(Role.READER)
def check_upload():
    """Check an uploaded TMX, XLIFF, PO or CSV against the term base; keep the findings, show them."""
    try:
        data, name = _uploaded()
        report = check_file(data, name, services.term_index().termbase)
    except TermTMError as err:
        return _form(str(err), 400, "check")
    record = {
        "kind": "check",
        "name": name,
        "units": report.units,
        "findings": [f.to_json() for f in report.findings],
        "counts": report.counts,
    }
    return redirect(url_for("incoming.check_page", token=_save(record)), code=303)


@bp.get("/incoming/check/<token>")
@require(Role.READER)
def check_page(token: str):
    """Findings grouped by check, filtered by ?severity= and ?check=, with CSV and HTML downloads."""
    record = _load(token, "check")
    findings = _findings(record)
    kept, severity, chosen = _filtered(findings)
    groups = {c: [f for f in kept if f.check == c] for c in CHECKS}
    totals = {c: sum(1 for f in findings if f.check == c) for c in CHECKS}
    return render_template(
        "incoming_check.html",
        record=record,
        checks=CHECKS,
        groups={c: fs for c, fs in groups.items() if fs},
        totals=totals,
        shown=len(kept),
        severity=severity,
        chosen=chosen,
        token=token,
    )


@bp.get("/incoming/check/<token>/report.<fmt>")
@require(Role.READER)
def check_download(token: str, fmt: str):
    """The findings (with the page's filters) as CSV or a standalone HTML page."""
    if fmt not in ("csv", "html"):
        abort(404, "the report is downloadable as .csv or .html")
    record = _load(token, "check")
    kept, _, _ = _filtered(_findings(record))
    body = CHECK_RENDERERS[fmt](kept, counts(kept))
    mimetype = "text/csv" if fmt == "csv" else "text/html"
    name = f"{Path(record['name']).stem}-check.{fmt}"
    return send_file(io.BytesIO(body.encode("utf-8")), mimetype=mimetype, as_attachment=True, download_name=name)


# ---- API -------------------------------------------------------------------------------------------------


@api.before_request
def _signed_in():
    """The incoming endpoints need a signed-in user (HTTP Basic or the session), whatever ANONYMOUS_READ says."""
    return sign_in_please() if current_user() is None else None


@api.errorhandler(TermTMError)
def _api_error(err: TermTMError):
    """400 for a bad file or parameter; 415 for a file of a kind termtm does not read."""
    return jsonify(error=str(err)), 415 if isinstance(err, UnsupportedFormat) else 400


@api.post("/analyze")
def api_analyze():
    """The analysis of an uploaded document, in the shape of `termtm analyze --json` (?weights= a price grid)."""
    data, name = _uploaded()
    weights = request.values.get("weights", "")
    doc = read_source(data, name)
    result = analyze(doc, services.searcher(), weights=parse_weights(weights) if weights else None)
    return jsonify(result.to_json())


@api.post("/pretranslate")
def api_pretranslate():
    """The pre-translated XLIFF 1.2 of an uploaded document (?min= sets the lowest match used as a target)."""
    data, name = _uploaded()
    minimum = _min_score()
    doc = read_source(data, name)
    done = pretranslate(doc, services.searcher(), services.term_index().termbase, min_score=minimum)
    return send_file(
        io.BytesIO(done.xliff),
        mimetype="application/x-xliff+xml",
        as_attachment=True,
        download_name=f"{Path(name).stem}.xlf",
    )


@api.post("/check")
def api_check():
    """The editorial checks of an uploaded TMX, XLIFF, PO or CSV, in the shape of `termtm check --format json`."""
    data, name = _uploaded()
    report = check_file(data, name, services.term_index().termbase)
    return jsonify(findings=[f.to_json() for f in report.findings], counts=report.counts)
