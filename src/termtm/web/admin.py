"""What admins do in the browser: the editorial team's accounts (the same operations as `termtm user`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from termtm.errors import TermTMError
from termtm.formats.tmx import tmx_now
from termtm.store.users import Role, Users
from termtm.web import services
from termtm.web.auth import require, user_name

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require(Role.ADMIN)
def users():
    """Every account with its role, and forms to add one, change a role or remove one."""
    return render_template("users.html", users=Users(services.store()).all(), roles=list(Role))


@bp.post("/users")
@require(Role.ADMIN)
def change():
    """Add an account, change a role, or remove an account; an admin cannot demote or remove themselves."""
    accounts = Users(services.store())
    action, name = request.form.get("action", ""), request.form.get("name", "").strip()
    try:
        if action == "add":
            role = Role.parse(request.form.get("role", "reader"))
            accounts.add(name, request.form.get("password", ""), role, tmx_now())
            flash(f"Added {name} ({role.value}).")
        elif name == user_name():
            raise TermTMError("you cannot change your own account here: another admin, or `termtm user`, can")
        elif action == "role":
            role = Role.parse(request.form.get("role", ""))
            accounts.set_role(name, role)
            flash(f"{name} is now {role.value}.")
        elif action == "remove":
            accounts.remove(name)
            flash(f"Removed {name}.")
        else:
            raise TermTMError(f"unknown action {action!r}")
    except TermTMError as err:
        flash(str(err), "error")
    return redirect(url_for("admin.users"))
