"""Accounts of the editorial team: names, hashed passwords and roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, select
from werkzeug.security import check_password_hash, generate_password_hash

from termtm.errors import TermTMError
from termtm.store.checks import check_user_name
from termtm.store.repository import Store
from termtm.store.schema import users

MIN_PASSWORD = 8


class Role(StrEnum):
    """What a user may do: readers look up, editors change segments and terms, admins also manage users."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    def can_edit(self) -> bool:
        """Editors and admins change segments and terms."""
        return self in (Role.EDITOR, Role.ADMIN)

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from its name, with an error that lists the roles."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise TermTMError(f"unknown role {value!r}: use reader, editor or admin") from None


@dataclass(frozen=True, slots=True)
class User:
    """A signed-up user (never carries the password hash out of this module)."""

    name: str
    role: Role
    created: str
    session_version: str = ""
    """Carried by the user's session cookies: a cookie with another version signs no one in."""


class Users:
    """The users table of one store."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def add(self, name: str, password: str, role: Role, when: str) -> User:
        """Create a user; the password is stored only as a salted scrypt hash."""
        name = _check_name(name)
        _check_password(password)
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.name == name)).first():
                raise TermTMError(f"user {name!r} exists: use `termtm user passwd` or `termtm user role`")
            version = _new_version()
            conn.execute(
                users.insert().values(
                    name=name,
                    password_hash=generate_password_hash(password),
                    role=role.value,
                    created=when,
                    session_version=version,
                )
            )
        return User(name, role, when, version)

    def get(self, name: str) -> User | None:
        """A user by name, or None."""
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.name == name)).first()
        return _user(r) if r else None

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password matches, else None (the same answer for an unknown name)."""
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.name == name)).first()
        if r is None:
            check_password_hash(_DUMMY_HASH, password)  # as slow as a real check: names do not leak by timing
            return None
        return _user(r) if check_password_hash(r.password_hash, password) else None

    def all(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password; the user's sessions end."""
        _check_password(password)
        self._update(name, password_hash=generate_password_hash(password), session_version=_new_version())

    def set_role(self, name: str, role: Role) -> None:
        """Change a user's role; the user's sessions end (they sign in again with the new role)."""
        self._update(name, role=role.value, session_version=_new_version())

    def end_sessions(self, name: str) -> None:
        """End every session of the user (signing out ends them all, on every device)."""
        self._update(name, session_version=_new_version())

    def remove(self, name: str) -> None:
        """Delete a user (their audit entries keep their name)."""
        with self.engine.begin() as conn:
            if not conn.execute(users.delete().where(users.c.name == name)).rowcount:
                raise TermTMError(f"no user {name!r}")

    def _update(self, name: str, **values: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(users.update().where(users.c.name == name).values(**values)).rowcount:
                raise TermTMError(f"no user {name!r}: create it with `termtm user add {name}`")


_DUMMY_HASH = generate_password_hash("termtm-no-such-user")


def _new_version() -> str:
    """A fresh session version: random, so that a user removed and created again never gets an old one back."""
    return secrets.token_hex(16)


def _user(r: Row[Any]) -> User:
    return User(r.name, Role(r.role), r.created, r.session_version)


def _check_name(name: str) -> str:
    name = check_user_name(name.strip())
    if len(name) > 100 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise TermTMError("a user name is 1–100 printable characters without spaces")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise TermTMError(f"the password is too short: use at least {MIN_PASSWORD} characters")
