"""termtm: a Chinese/English terminology and translation-memory service."""

from __future__ import annotations

__version__ = "0.1.0"
