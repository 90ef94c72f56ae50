"""The editorial workbench: findings of `termtm check` that editors accepted in the browser, with a reason.

Revision ID: 0006_workbench
Revises: 0005_documents
Create Date: 2026-12-06

One row per accepted finding (check id, tuid, the text the finding's span contains, the reason, who and
when). `termtm check` and /check read these rows together with qa-ignore.yaml, as one ignore list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workbench"
down_revision = "0005_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create qa_decisions unless a store made by create_all of a newer schema has it already."""
    if "qa_decisions" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "qa_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("check", sa.String(40), nullable=False),
        sa.Column("tuid", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("at", sa.String(16), nullable=False),
    )
    op.create_index("ix_qa_decisions_tuid", "qa_decisions", ["tuid"])


def downgrade() -> None:
    op.drop_index("ix_qa_decisions_tuid", table_name="qa_decisions")
    op.drop_table("qa_decisions")
