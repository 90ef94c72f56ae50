"""The app factory; services live in app.extensions, not on a Flask subclass."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

import termtm
from termtm.store import open_store


def _assets() -> Path:
    """Templates and static files: `web/` in a checkout, `termtm/assets` when installed."""
    checkout = Path(__file__).resolve().parents[3] / "web"
    if (checkout / "templates").is_dir():
        return checkout
    return Path(termtm.__file__).parent / "assets"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; TERMTM_* environment variables override the defaults."""
    assets = _assets()
    app = Flask(__name__, template_folder=str(assets / "templates"), static_folder=str(assets / "static"))
    app.config.from_mapping(DATABASE_URL="sqlite:///var/termtm.db", MAX_QUERY=500, MAX_K=100)
    app.config.from_prefixed_env("TERMTM")
    app.config.update(overrides or {})
    app.json.ensure_ascii = False  # Chinese stays readable in API responses
    app.extensions["termtm.store"] = open_store(app.config["DATABASE_URL"])

    from termtm.web import api, guard, qa, tmserver, ui

    app.register_blueprint(guard.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(qa.bp)
    app.register_blueprint(tmserver.bp)

    @app.errorhandler(404)
    def _not_found(err):  # an unknown /api/ URL still answers JSON, as API clients expect
        if request.path.startswith("/api/"):
            return jsonify(error=f"no endpoint {request.path}: see /api/v1/openapi.json"), 404
        return err

    @app.after_request
    def _security_headers(response):  # the pages use no inline script; check.html has inline styles
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app
