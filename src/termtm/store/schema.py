"""Table definitions; the only module that declares SQL structure."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tuid", String(200), nullable=False),
    Column("zh", Text, nullable=False),
    Column("en", Text, nullable=False),
    Column("document", String(200), nullable=False, default=""),
    Column("article", String(100), nullable=False, default=""),
    Column("paragraph", Integer, nullable=False, default=0),
    Column("sentence", Integer, nullable=False, default=0),
    Column("kind", String(20), nullable=False, default="body"),
    Column("provenance", String(20), nullable=False, default="translated"),
    Column("status", String(20), nullable=False, default="draft"),
    Column("origin", String(300), nullable=False, default=""),
    Column("creationdate", String(16), nullable=False),
    Column("changedate", String(16), nullable=False),
    UniqueConstraint("tuid", name="uq_segments_tuid"),
)
