"""The memory as a reference: XLIFF 2.0's status ladder and a translator's note on each unit.

Revision ID: 0004_memory
Revises: 0003_sec
Create Date: 2026-12-06

`segments.status` takes draft, reviewed (a second reader has checked the unit against the Chinese) or
approved (an editor has signed it off); a value outside that ladder, which no release wrote, becomes draft.
`segments.note` holds the unit's translator's notes (where its English comes from, an error in the source),
one per line, as the TMX exports them in <note>. An index on status serves the status filter.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_memory"
down_revision = "0003_sec"
branch_labels = None
depends_on = None

LADDER = ("draft", "reviewed", "approved")


def upgrade() -> None:
    """Add what is missing (a store made by create_all of a newer schema has some of it already)."""
    inspector = sa.inspect(op.get_bind())
    if "note" not in {c["name"] for c in inspector.get_columns("segments")}:
        with op.batch_alter_table("segments") as batch:
            batch.add_column(sa.Column("note", sa.Text, nullable=False, server_default=""))
    if "ix_segments_status" not in {i["name"] for i in inspector.get_indexes("segments")}:
        op.create_index("ix_segments_status", "segments", ["status"])
    segments = sa.table("segments", sa.column("status", sa.String))
    op.execute(segments.update().where(segments.c.status.not_in(LADDER)).values(status="draft"))


def downgrade() -> None:
    """Back to two rungs: reviewed units become draft again."""
    segments = sa.table("segments", sa.column("status", sa.String))
    op.execute(segments.update().where(segments.c.status == "reviewed").values(status="draft"))
    op.drop_index("ix_segments_status", table_name="segments")
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("note")
