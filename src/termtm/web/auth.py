"""Sign-in, roles and CSRF protection.

Readers look up, editors change segments and terms, admins also manage users (from the CLI). Lookups
are open to anonymous visitors unless ANONYMOUS_READ is off; then pages send visitors to the sign-in
form and the API answers 401, accepting HTTP Basic credentials so that scripts and CAT tools can sign in.
Every form that changes something carries a per-session CSRF token, checked before any handler runs.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
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
from termtm.web.guard import JSON_PREFIXES

if TYPE_CHECKING:
    from flask import Response

bp = Blueprint("auth", __name__)

BASIC_PREFIXES = ("/api/", "/tmserver/")
"""Where scripts and CAT tools (amaGama clients under /tmserver/) sign in with HTTP Basic and get 401, not a page."""

_OPEN = {"auth.login", "static"}
"""Endpoints that need no sign-in even when anonymous reading is off."""


def current_user() -> User | None:
    """The signed-in user of this request (session cookie, or Basic credentials on the API), or None."""
    if "user" not in g:
        g.user = _session_user() or _basic_user()
    return g.user


def user_name() -> str:
    """The name of the signed-in user, in a view behind `require` (which sends anyone else to sign in)."""
    user = current_user()
    if user is None:  # a view without `require`: a programming error, not the visitor's
        raise RuntimeError("user_name() needs a signed-in user: put the view behind @require(...)")
    return user.name


def _wallclock() -> float:
    return time.time()


def _session_user() -> User | None:
    """The user a session cookie names, if the cookie is still good.

    It is not when the account was removed, when its session version changed since the cookie was issued
    (signed out, new password, new role, removed and created again), or when it was not used for
    SESSION_IDLE_HOURS (a working day by default). A good cookie's last use is renewed at most once a minute.
    """
    name = session.get("user")
    if not name:
        return None
    user = Users(services.store()).get(name)
    now = _wallclock()
    idle = float(current_app.config["SESSION_IDLE_HOURS"]) * 3600
    if user is None or session.get("sv") != user.session_version or now - float(session.get("seen", 0)) > idle:
        session.clear()  # the cookie signs in no one
        return None
    if now - float(session["seen"]) > 60:
        session["seen"] = now
    return user


def _basic_user() -> User | None:
    creds = request.authorization
    if not request.path.startswith(BASIC_PREFIXES) or creds is None or creds.type != "basic":
        return None
    name = (creds.username or "")[:100]
    if _throttle(name):
        return None
    user = Users(services.store()).verify(name, creds.password or "")
    if user is None:
        _throttle(name, failed=True)
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
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and request.path.startswith("/api/") and request.authorization is None and not session.get("user"):
        return sign_in_please()  # an anonymous API client gets 401, not a CSRF error it cannot act on
    if unsafe and not _api_script():
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "the form has expired or did not come from this site: reload the page and try again")
    if current_app.config["ANONYMOUS_READ"] or request.endpoint in _OPEN or current_user():
        return None
    if request.path.startswith(BASIC_PREFIXES):
        return sign_in_please()
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def sign_in_please() -> tuple[Response, int]:
    """401 with a Basic challenge, for an API client that did not sign in."""
    response = jsonify(error="sign in: send HTTP Basic credentials of a termtm user")
    response.headers["WWW-Authenticate"] = 'Basic realm="termtm"'
    return response, 401


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


def wants_json() -> bool:
    """An API client: a path under /api/ (or /tmserver/), or a request that prefers JSON to HTML."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def require(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only users with `role` (or a higher one) may call the view.

    An anonymous visitor of a page is sent to sign in; an API client, which cannot follow a sign-in form,
    gets 401 with a Basic challenge, and 403 as {"error": …} JSON when its user's role is too low.
    """
    rank = list(Role)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if wants_json():
                    return sign_in_please()
                return redirect(url_for("auth.login", next=request.referrer or request.path))
            if rank.index(user.role) < rank.index(role):
                why = f"{user.name} is a {user.role.value}: this needs the {role.value} role"
                if wants_json():
                    return jsonify(error=why), 403
                abort(403, why)
            return view(*args, **kwargs)

        return wrapped

    return decorate


FREE_FAILURES = 5
"""Wrong passwords from one address for one name before each further try has to wait."""
MAX_DELAY = 60.0
"""The wait doubles with each further wrong password (1 s, 2 s, 4 s, …) up to a minute."""
FORGET_AFTER = 900.0
"""Failures older than a quarter of an hour are forgotten."""
_failures_lock = threading.Lock()
log = logging.getLogger("termtm.auth")


def _clock() -> float:
    return time.monotonic()


def _throttle(name: str, failed: bool = False) -> float:
    """Seconds until this client address may try `name` again (0 if it may now); `failed` records a wrong password.

    Kept per (address, name) together, so that wrong passwords sent from one address never keep the owner of
    the name out from another, and an address guessing several names is slowed down on each. It slows down
    rather than locks out: once the wait is over, the right password signs in. Per process: with N processes
    an address gets N times the tries, still far too few for a password of the required length.
    """
    key = (request.remote_addr or "", name)
    now = _clock()
    with _failures_lock:
        table: dict[tuple[str, str], tuple[int, float]] = current_app.extensions.setdefault("termtm.login_failures", {})
        count, last = table.get(key, (0, now))
        if now - last > FORGET_AFTER:
            count = 0
        if failed:
            count, last = count + 1, now
            table[key] = (count, last)
            if len(table) > 10_000:  # an attacker cycling names or addresses cannot grow it without end
                for old in [k for k, (_, t) in table.items() if now - t > FORGET_AFTER]:
                    del table[old]
            log.warning("failed sign-in for %s from %s (%d)", ascii(name), key[0], count)
        if count < FREE_FAILURES:
            return 0.0
        return max(0.0, last + min(MAX_DELAY, 2.0 ** (count - FREE_FAILURES)) - now)


def _forget(name: str) -> None:
    """A successful sign-in clears the address's failures for the name."""
    with _failures_lock:
        current_app.extensions.get("termtm.login_failures", {}).pop((request.remote_addr or "", name), None)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, back to where the user was going."""
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:100]
        if wait := _throttle(name):
            seconds = math.ceil(wait)
            error = (
                f"Too many wrong passwords for {name} from your address: "
                f"try again in {seconds} second{'s' if seconds != 1 else ''}."
            )
            return render_template("login.html", error=error, next=request.form.get("next", "")), 429
        user = Users(services.store()).verify(name, request.form.get("password", ""))
        if user is None:
            _throttle(name, failed=True)
        else:
            _forget(name)
            session.clear()  # a fresh session (and CSRF token) on sign-in: no session fixation
            session.permanent = True  # the browser keeps it for SESSION_IDLE_HOURS, not past closing only
            session.update(user=user.name, sv=user.session_version, seen=_wallclock())
            flash(f"Signed in as {user.name} ({user.role.value}).")
            return redirect(_safe_next(request.form.get("next", "")))
        error = "Wrong name or password."
    return render_template("login.html", error=error, next=request.args.get("next", "")), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out (a POST with the CSRF token, so that another site cannot sign a user out).

    Every session of the user ends, so that a copy of the cookie (saved, stolen, on another device) no longer works.
    """
    user = current_user()
    if user is not None:
        Users(services.store()).end_sessions(user.name)
    session.clear()
    flash("Signed out.")
    return redirect(url_for("ui.lookup"))


def _safe_next(target: str) -> str:
    """Only a path on this site: an absolute URL in ?next= would make the form an open redirect, a backslash
    (`/\\evil.example`) is one to browsers, and a control character (CR, LF) would break the Location header."""
    parts = urlsplit(target)
    odd = "\\" in target or any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc or odd:
        return url_for("ui.lookup")
    return target
