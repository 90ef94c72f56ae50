"""What one command holds: its settings, loaded once, and its store, opened on first use and closed at its end.

`main` opens a session around the command it runs; commands reach it through `current()` (as a Flask view
reaches its app), so that the parsed arguments stay arguments and nothing is left open after the command.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import Any

from termtm.config import Settings, load_settings
from termtm.store import Store


class Session:
    """The settings of one command (defaults, termtm.toml under --root or TERMTM_CONFIG, TERMTM_*, then its
    flags) and its store, opened only when the command needs it."""

    def __init__(self, root: str | Path, flags: Mapping[str, Any]) -> None:
        self._root = root
        self._flags = dict(flags)
        self._store: Store | None = None

    @cached_property
    def settings(self) -> Settings:
        """Loaded on first use, so that a command that needs none (align --no-embed) reads no config file."""
        return load_settings(self._root, self._flags)

    @property
    def store(self) -> Store:
        """The command's store, opened once."""
        if self._store is None:
            from termtm.store import open_store

            self._store = open_store(self.settings.database_url)
        return self._store

    def close(self) -> None:
        """Close the store's connections (a pooled connection must not keep the process, or a lock, alive)."""
        if self._store is not None:
            self._store.engine.dispose()


_current: ContextVar[Session] = ContextVar("termtm.cli.session")


@contextmanager
def running(root: str | Path, flags: Mapping[str, Any]) -> Iterator[Session]:
    """A session for the duration of one command; its store is closed when the command ends, however it ends."""
    session = Session(root, flags)
    token = _current.set(session)
    try:
        yield session
    finally:
        _current.reset(token)
        session.close()


def current() -> Session:
    """The running command's session."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("no termtm command is running: commands run through termtm.cli.main") from None
