"""Sign-in, roles and CSRF protection.

Readers look up, editors change segments and terms, admins also manage users (from the CLI). Lookups
are open to anonymous visitors unless ANONYMOUS_READ is off; then pages send visitors to the sign-in
form and the API answers 401, accepting HTTP Basic credentials so that scripts and CAT tools can sign in.
Every form that changes something carries a per-session CSRF token, checked before any handler runs.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from termtm.store.users import Role, User, Users
from termtm.web import services

bp = Blueprint("auth", __name__)

_OPEN = {"auth.login", "static"}
"""Endpoints that need no sign-in even when anonymous reading is off."""


def current_user() -> User | None:
    """The signed-in user of this request (session cookie, or Basic credentials on the API), or None."""
    if "user" not in g:
        g.user = _session_user() or _basic_user()
    return g.user


def _session_user() -> User | None:
    name = session.get("user")
    user = Users(services.store()).get(name) if name else None
    if name and user is None:
        session.clear()  # the account was removed: the cookie signs in no one
    return user


def _basic_user() -> User | None:
    creds = request.authorization
    if not request.path.startswith("/api/") or creds is None or creds.type != "basic":
        return None
    name = (creds.username or "")[:100]
    if _locked_out(name):
        return None
    user = Users(services.store()).verify(name, creds.password or "")
    if user is None:
        _locked_out(name, failed=True)
    return user


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.before_app_request
def _guard():
    """Refuse a change without the session's CSRF token, and an anonymous read when reading needs sign-in."""
    if request.routing_exception is not None:
        return None  # no such page, or not for this method: the 404 or 405 says so
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _api_script():
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "the form has expired or did not come from this site: reload the page and try again")
    if current_app.config["ANONYMOUS_READ"] or request.endpoint in _OPEN or current_user():
        return None
    if request.path.startswith("/api/"):
        response = jsonify(error="sign in: send HTTP Basic credentials of a termtm user")
        response.headers["WWW-Authenticate"] = 'Basic realm="termtm"'
        return response, 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _api_script() -> bool:
    """An API request from a script: HTTP Basic credentials and an X-Requested-With header.

    It needs no CSRF token, since it has no session to steal: a form on another site can make a browser
    send cached Basic credentials, but not a custom header (and no CORS answer lets a script there send one).
    """
    creds = request.authorization
    return (
        request.path.startswith("/api/")
        and creds is not None
        and creds.type == "basic"
        and bool(request.headers.get("X-Requested-With"))
    )


def require(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only users with `role` (or a higher one) may call the view; anonymous visitors are sent to sign in."""
    rank = list(Role)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.referrer or request.path))
            if rank.index(user.role) < rank.index(role):
                abort(403, f"{user.name} is a {user.role.value}: this needs the {role.value} role")
            return view(*args, **kwargs)

        return wrapped

    return decorate


MAX_FAILURES, FAILURE_WINDOW = 5, 300.0
"""Five wrong passwords for one name within five minutes lock that name out for the rest of the window."""
_failures_lock = threading.Lock()


def _locked_out(name: str, failed: bool = False) -> float:
    """Seconds until `name` may try again (0 if it may now); `failed` records one more wrong password.

    Kept per process: with N processes an attacker gets at most N×5 guesses per window, still too few for
    a password of the required length.
    """
    now = time.monotonic()
    with _failures_lock:
        failures = current_app.extensions.setdefault("termtm.login_failures", {})
        recent = [t for t in failures.get(name, []) if now - t < FAILURE_WINDOW]
        if failed:
            recent.append(now)
        failures[name] = recent
        return FAILURE_WINDOW - (now - recent[0]) if len(recent) >= MAX_FAILURES else 0.0


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, back to where the user was going."""
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:100]
        if wait := _locked_out(name):
            error = f"Too many wrong passwords for {name}: try again in {int(wait) // 60 + 1} minutes."
            return render_template("login.html", error=error, next=request.form.get("next", "")), 429
        user = Users(services.store()).verify(name, request.form.get("password", ""))
        if user is None:
            _locked_out(name, failed=True)
        else:
            session.clear()  # a fresh session (and CSRF token) on sign-in: no session fixation
            session["user"] = user.name
            flash(f"Signed in as {user.name} ({user.role.value}).")
            return redirect(_safe_next(request.form.get("next", "")))
        error = "Wrong name or password."
    return render_template("login.html", error=error, next=request.args.get("next", "")), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out (a POST with the CSRF token, so that another site cannot sign a user out)."""
    session.clear()
    flash("Signed out.")
    return redirect(url_for("ui.lookup"))


def _safe_next(target: str) -> str:
    """Only a path on this site: an absolute URL in ?next= would make the form an open redirect."""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return url_for("ui.lookup")
    return target
