"""Storage of the memory over SQLAlchemy: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from termtm.store.repository import SegmentRecord, Store, beside_store, open_store

__all__ = ["SegmentRecord", "Store", "beside_store", "open_store"]
