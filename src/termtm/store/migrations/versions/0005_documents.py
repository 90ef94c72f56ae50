"""Documents added by editors: their sentences, their beads awaiting review, and each review operation.

Revision ID: 0005_documents
Revises: 0004_memory
Create Date: 2026-12-06

A document waits in review (state `review`) until an editor commits it into `segments`; `revision` goes up
with every operation, so that a reviewer working on an older view of the alignment is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_documents"
down_revision = "0004_memory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables (those a store made by create_all of a newer schema has are left alone)."""
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "documents" not in tables:
        op.create_table(
            "documents",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("src_lang", sa.String(10), nullable=False),
            sa.Column("tgt_lang", sa.String(10), nullable=False),
            sa.Column("origin", sa.Text, nullable=False, server_default=""),
            sa.Column("added_by", sa.String(100), nullable=False),
            sa.Column("added_at", sa.String(16), nullable=False),
            sa.Column("state", sa.String(20), nullable=False, server_default="review"),
            sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
            sa.Column("changedate", sa.String(16), nullable=False),
            sa.Column("changeid", sa.String(100), nullable=False, server_default=""),
            sa.UniqueConstraint("name", name="uq_documents_name"),
        )
    if "document_sentences" not in tables:
        op.create_table(
            "document_sentences",
            sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("side", sa.String(3), primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("paragraph", sa.Integer, nullable=False, server_default="0"),
            sa.Column("heading", sa.Boolean, nullable=False, server_default=sa.false()),
        )
    if "document_beads" not in tables:
        op.create_table(
            "document_beads",
            sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("src", sa.Text, nullable=False),
            sa.Column("tgt", sa.Text, nullable=False),
            sa.Column("confidence", sa.Float, nullable=True),
            sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
        )
    if "document_operations" not in tables:
        op.create_table(
            "document_operations",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
            sa.Column("revision", sa.Integer, nullable=False),
            sa.Column("at", sa.String(16), nullable=False),
            sa.Column("user", sa.String(100), nullable=False),
            sa.Column("op", sa.String(20), nullable=False),
            sa.Column("params", sa.Text, nullable=False),
            sa.Column("before", sa.Text, nullable=False),
            sa.Column("undone", sa.Boolean, nullable=False, server_default=sa.false()),
        )
        op.create_index("ix_document_operations_document_id", "document_operations", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_document_operations_document_id", table_name="document_operations")
    op.drop_table("document_operations")
    op.drop_table("document_beads")
    op.drop_table("document_sentences")
    op.drop_table("documents")
