"""The app factory; services live in app.extensions, not on a Flask subclass."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider

import termtm
from termtm.config import KEYS, Settings, load_settings
from termtm.store import beside_store, open_store


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


def _settings(overrides: Mapping[str, Any]) -> Settings:
    """The deployment's settings, as the CLI loads them: termtm.toml under ROOT (an override, else the current
    directory) or TERMTM_CONFIG, then TERMTM_* variables, then the overrides that name a setting."""
    flags = {key.lower(): value for key, value in overrides.items() if key.lower() in KEYS}
    return load_settings(overrides.get("ROOT") or Path.cwd(), flags)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then termtm.toml (or TERMTM_CONFIG), then TERMTM_* variables, then `overrides`.

    `overrides` may name ROOT, the project root whose termtm.toml and var/ apply (default: the current directory).
    """
    assets = _assets()
    app = Flask(__name__, template_folder=str(assets / "templates"), static_folder=str(assets / "static"))
    app.config.from_mapping(
        MAX_QUERY=500,
        MAX_K=100,
        ANONYMOUS_READ=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_IDLE_HOURS=8,
    )
    settings = _settings(overrides or {})
    app.config.update(settings.flask_config())
    app.config.from_prefixed_env("TERMTM")
    app.config.update(overrides or {})
    app.config.update(DATABASE_URL=settings.database_url, INDEX_DIR=str(settings.index_dir))
    app.extensions["termtm.settings"] = settings
    if isinstance(app.json, DefaultJSONProvider):
        app.json.ensure_ascii = False  # Chinese stays readable in API responses
    # a session ends after SESSION_IDLE_HOURS without use (auth checks it too: a copied cookie has no expiry)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_IDLE_HOURS"]))
    store = open_store(app.config["DATABASE_URL"])
    app.extensions["termtm.store"] = store
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(
            beside_store(app.config["DATABASE_URL"], ".secret", settings.root / "var" / "termtm.secret")
        )

    from termtm.web import admin, api, apidocs, auth, documents, edit, guard, incoming, qa, services, tmserver, ui

    app.register_blueprint(guard.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(edit.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(apidocs.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(documents.api, url_prefix="/api/v1/documents")
    app.register_blueprint(qa.bp)
    app.register_blueprint(tmserver.bp)
    app.register_blueprint(incoming.bp)
    app.register_blueprint(incoming.api, url_prefix="/api/v1")
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
    def _relative_location(response):  # Werkzeug's /a//b → /a/b redirect names whatever host the Host header named
        if response.location and (parts := urlsplit(response.location)).netloc:
            response.location = parts.path + (f"?{parts.query}" if parts.query else "")
        return response

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
