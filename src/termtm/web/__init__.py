"""Flask application: the translators' lookup UI and the JSON API."""

from __future__ import annotations

from termtm.web.app import create_app

__all__ = ["create_app"]
