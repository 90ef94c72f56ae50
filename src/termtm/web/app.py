"""The app factory; services live in app.extensions, not on a Flask subclass."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

import termtm
from termtm.config import load_config
from termtm.store import beside_store, open_store

_VAR = Path("var")


def secret_key(path: Path) -> str:
    """The key that signs session cookies, made once and kept beside the store (mode 0600).

    Every process serving one SQLite store reads the same file; processes on several hosts (PostgreSQL)
    must be given one SECRET_KEY in termtm.toml or TERMTM_SECRET_KEY instead.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # whole file or nothing; the first process to start wins, the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def _assets() -> Path:
    """Templates and static files: `web/` in a checkout, `termtm/assets` when installed."""
    checkout = Path(__file__).resolve().parents[3] / "web"
    if (checkout / "templates").is_dir():
        return checkout
    return Path(termtm.__file__).parent / "assets"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then termtm.toml (or TERMTM_CONFIG), then TERMTM_* variables, then `overrides`."""
    assets = _assets()
    app = Flask(__name__, template_folder=str(assets / "templates"), static_folder=str(assets / "static"))
    app.config.from_mapping(
        DATABASE_URL="sqlite:///var/termtm.db",
        MAX_QUERY=500,
        MAX_K=100,
        ANONYMOUS_READ=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.config.update(load_config(Path.cwd()))
    app.config.from_prefixed_env("TERMTM")
    app.config.update(overrides or {})
    app.json.ensure_ascii = False  # Chinese stays readable in API responses
    store = open_store(app.config["DATABASE_URL"])
    app.extensions["termtm.store"] = store
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(
            beside_store(app.config["DATABASE_URL"], ".secret", _VAR / "termtm.secret")
        )

    from termtm.web import admin, api, auth, documents, edit, guard, qa, services, tmserver, ui

    app.register_blueprint(guard.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(edit.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(documents.bp)
    app.register_blueprint(documents.api, url_prefix="/api/v1/documents")
    app.register_blueprint(qa.bp)
    app.register_blueprint(tmserver.bp)
    app.before_request(services.refresh)  # after the guards: a refused request costs no index work

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"current_user": auth.current_user, "csrf_token": auth.csrf_token}

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
