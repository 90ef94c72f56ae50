"""Request limits for the whole app, and JSON errors for API clients.

Lookups are GET, and the sign-in and edit forms post a few fields (each at
most 2,000 characters). A request that announces a body larger than
MAX_CONTENT_LENGTH (1 MB unless configured) is refused with 413 before
routing, except on the endpoints in UPLOADS (incoming documents and
translated files) and the document uploads (POST /documents, /api/v1/documents),
which take up to MAX_UPLOAD (50 MB unless configured); and one whose query string is longer than
MAX_QUERY_STRING with 414. Under /api/ and /tmserver/ errors are
JSON ({"error": …}); elsewhere they are Werkzeug's escaped HTML pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from flask.blueprints import BlueprintSetupState

MAX_BODY = 1024 * 1024
"""Default MAX_CONTENT_LENGTH: only the upload endpoints take files, so a megabyte is generous for the rest."""

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Default MAX_UPLOAD: a bilingual pair of long DOCX files, or a TMX of a hundred thousand units."""

UPLOADS: set[str] = set()
"""Endpoints that take an uploaded file (MAX_UPLOAD applies to them); blueprints add theirs when registered."""

UPLOAD_PATHS = ("/documents", "/api/v1/documents")
"""Where documents are uploaded (POST): there too the body may be up to MAX_UPLOAD."""

MAX_QUERY_STRING = 16 * 1024
"""Longest query string: a 500-character Chinese query is 4.5 KB once percent-encoded."""

JSON_PREFIXES = ("/api/", "/tmserver/")

bp = Blueprint("guard", __name__)


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    """Give MAX_CONTENT_LENGTH a value unless the app (or TERMTM_MAX_CONTENT_LENGTH) set one."""
    if state.app.config.get("MAX_CONTENT_LENGTH") is None:
        state.app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    state.app.config.setdefault("MAX_UPLOAD", MAX_UPLOAD_BYTES)


@bp.before_app_request
def limit_request() -> None:
    """Refuse an oversize body (413) or query string (414) before any view runs."""
    upload = request.endpoint in UPLOADS or (request.method == "POST" and request.path.rstrip("/") in UPLOAD_PATHS)
    limit = current_app.config["MAX_UPLOAD" if upload else "MAX_CONTENT_LENGTH"]
    if upload:
        request.max_content_length = limit  # the form parser's own limit, for this request only
    if request.content_length is not None and request.content_length > limit:
        size = request.content_length
        why = "split the file, or raise MAX_UPLOAD" if upload else "termtm takes no uploads here (/incoming does)"
        abort(413, f"the request body is {size:,} bytes; the limit is {limit:,}: {why}")
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414, f"the query string is {len(request.query_string):,} bytes; the limit is {MAX_QUERY_STRING:,}")


@bp.app_errorhandler(HTTPException)
def json_for_api(err: HTTPException):
    """HTTP errors as {"error": …} JSON for API clients; pages keep the HTML error page."""
    if err.code is None or err.code < 400 or not request.path.startswith(JSON_PREFIXES):
        return err
    return jsonify(error=err.description), err.code
