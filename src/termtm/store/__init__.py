"""Storage of the memory over SQLAlchemy: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from termtm.store.repository import SegmentRecord, Store, open_store

__all__ = ["SegmentRecord", "Store", "open_store"]
