"""The journal of changes: which segments each recent store version touched, for the indexes' updates.

Revision ID: 0007_changes
Revises: 0006_workbench
Create Date: 2026-12-06

One row per version (its number, and the JSON list of the tuids it added, changed or removed, or NULL when
not listed). A store migrated here starts with an empty journal: its indexes make one full comparison, as
before, and read the journal from the next change on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_changes"
down_revision = "0006_workbench"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create changes unless a store made by create_all of a newer schema has it already."""
    if "changes" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "changes",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tuids", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("changes")
