"""Sessions that can be revoked: a per-user session version.

Revision ID: 0003_sec
Revises: 0002
Create Date: 2026-12-06

A session cookie names the user and carries the user's session version; signing out, a new password, a new
role and removing the user give (or leave) the user another one, so that every cookie issued before no longer
signs anyone in. The version is random rather than counted, so that a user removed and created again never
gets back a version an old cookie carries. Existing users get "" and keep their sessions until their first
change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sec"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.session_version unless a store made by create_all of a newer schema has it already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}
    if "session_version" not in have:
        with op.batch_alter_table("users") as batch:
            batch.add_column(sa.Column("session_version", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
