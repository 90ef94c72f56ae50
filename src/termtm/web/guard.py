"""Request limits for the whole app, and JSON errors for API clients.

No page or endpoint takes an upload: lookups are GET, and the sign-in and
edit forms post a few fields (each at most 2,000 characters). A request that
announces a body larger than MAX_CONTENT_LENGTH (1 MB unless configured) is
refused with 413 before routing, and one whose query string is longer than
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
"""Default MAX_CONTENT_LENGTH: no endpoint takes an upload, so a megabyte is generous."""

MAX_QUERY_STRING = 16 * 1024
"""Longest query string: a 500-character Chinese query is 4.5 KB once percent-encoded."""

JSON_PREFIXES = ("/api/", "/tmserver/")

bp = Blueprint("guard", __name__)


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    """Give MAX_CONTENT_LENGTH a value unless the app (or TERMTM_MAX_CONTENT_LENGTH) set one."""
    if state.app.config.get("MAX_CONTENT_LENGTH") is None:
        state.app.config["MAX_CONTENT_LENGTH"] = MAX_BODY


@bp.before_app_request
def limit_request() -> None:
    """Refuse an oversize body (413) or query string (414) before any view runs."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        size = request.content_length
        abort(413, f"the request body is {size:,} bytes; the limit is {limit:,}: termtm takes no uploads")
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414, f"the query string is {len(request.query_string):,} bytes; the limit is {MAX_QUERY_STRING:,}")


@bp.app_errorhandler(HTTPException)
def json_for_api(err: HTTPException):
    """HTTP errors as {"error": …} JSON for API clients; pages keep the HTML error page."""
    if err.code is None or err.code < 400 or not request.path.startswith(JSON_PREFIXES):
        return err
    return jsonify(error=err.description), err.code
