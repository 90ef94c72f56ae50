"""Table definitions: the SQL structure the code queries.

The database gets it from the Alembic revisions in termtm/store/migrations/versions, which
open_store() applies: a change here needs a new revision there.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
    Column("origin", Text, nullable=False, default=""),
    Column("creationdate", String(16), nullable=False),
    Column("changedate", String(16), nullable=False),
    Column("changeid", String(100), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("tuid", name="uq_segments_tuid"),
    Index("ix_segments_status", "status"),
)

MEMORY_ORDER = (segments.c.document, segments.c.article, segments.c.paragraph, segments.c.sentence, segments.c.id)
"""Memory order: how every reader of the whole memory sorts segments (records, the indexes' rows), so that
the mapped indexes list units as the store does."""

concepts = Table(
    "concepts",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("collection", String(200), nullable=False, default="glossary"),
    Column("position", Integer, nullable=False, default=0),
    Column("subject", Text, nullable=False, default=""),
    Column("definition", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("origin", Text, nullable=False, default=""),
    Column("changedate", String(16), nullable=False, default=""),
    Column("changeid", String(100), nullable=False, default=""),
)

terms = Table(
    "terms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("concept_id", String(200), ForeignKey("concepts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False, default=0),
    Column("lang", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(40), nullable=False, default="fullForm"),
    Column("status", String(20), nullable=False, default="preferred"),
    Column("pos", String(20), nullable=False, default="noun"),
    Column("pinyin", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
)

term_contexts = Table(
    "term_contexts",
    metadata,
    Column("term_id", Integer, ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True),
    Column("tuid", String(200), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created", String(16), nullable=False),
    Column("session_version", String(32), nullable=False, default=""),
    UniqueConstraint("name", name="uq_users_name"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(16), nullable=False),
    Column("user", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("key", String(200), nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Index("ix_audit_kind_key", "kind", "key"),
)

counters = Table(
    "counters",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Integer, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("tuids", Text, nullable=True),
)
"""The journal of the store's recent versions: for each, the tuids of the segments that the change made
them added, changed or removed (a JSON list; [] for a change of no segment, a term say; NULL when they were
too many to list). The derived indexes read the segments named since their stamp, not the whole memory."""

qa_decisions = Table(
    "qa_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("check", String(40), nullable=False),
    Column("tuid", String(200), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("reason", Text, nullable=False),
    Column("user", String(100), nullable=False),
    Column("at", String(16), nullable=False),
    Index("ix_qa_decisions_tuid", "tuid"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("src_lang", String(10), nullable=False),
    Column("tgt_lang", String(10), nullable=False),
    Column("origin", Text, nullable=False, default=""),
    Column("added_by", String(100), nullable=False),
    Column("added_at", String(16), nullable=False),
    Column("state", String(20), nullable=False, default="review"),
    Column("revision", Integer, nullable=False, default=1),
    Column("changedate", String(16), nullable=False),
    Column("changeid", String(100), nullable=False, default=""),
    UniqueConstraint("name", name="uq_documents_name"),
)

document_sentences = Table(
    "document_sentences",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("side", String(3), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("paragraph", Integer, nullable=False, default=0),
    Column("heading", Boolean, nullable=False, default=False),
)

document_beads = Table(
    "document_beads",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("src", Text, nullable=False),
    Column("tgt", Text, nullable=False),
    Column("confidence", Float, nullable=True),
    Column("reviewed", Boolean, nullable=False, default=False),
)

document_operations = Table(
    "document_operations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("at", String(16), nullable=False),
    Column("user", String(100), nullable=False),
    Column("op", String(20), nullable=False),
    Column("params", Text, nullable=False),
    Column("before", Text, nullable=False),
    Column("undone", Boolean, nullable=False, default=False),
)
