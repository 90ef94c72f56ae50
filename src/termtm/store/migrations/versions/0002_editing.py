"""Editing: users, an audit trail, who changed a segment or concept, and the store's version stamp.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

`changeid` is empty for rows that builds and imports wrote, and names the user for rows an editor
changed; a rebuild keeps the latter. `counters.version` goes up by one in every transaction that changes
what lookups see, so that each serving process knows when its indexes are stale.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add what is missing (a store made by create_all of a newer schema has some of it already)."""
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    _add_columns(inspector, "segments", [sa.Column("changeid", sa.String(100), nullable=False, server_default="")])
    _add_columns(
        inspector,
        "concepts",
        [
            sa.Column("changedate", sa.String(16), nullable=False, server_default=""),
            sa.Column("changeid", sa.String(100), nullable=False, server_default=""),
        ],
    )
    if "users" not in tables:
        _create_users()
    if "audit" not in tables:
        _create_audit()
    if "counters" not in tables:
        counters = op.create_table(
            "counters",
            sa.Column("key", sa.String(50), primary_key=True),
            sa.Column("value", sa.Integer, nullable=False),
        )
        op.bulk_insert(counters, [{"key": "version", "value": 1}])


def _add_columns(inspector: sa.Inspector, table: str, columns: list[sa.Column]) -> None:
    have = {c["name"] for c in inspector.get_columns(table)}
    missing = [c for c in columns if c.name not in have]
    if missing:
        with op.batch_alter_table(table) as batch:
            for column in missing:
                batch.add_column(column)


def _create_users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created", sa.String(16), nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )


def _create_audit() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(16), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("old", sa.Text, nullable=False),
        sa.Column("new", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_kind_key", "audit", ["kind", "key"])


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_index("ix_audit_kind_key", table_name="audit")
    op.drop_table("audit")
    op.drop_table("users")
    with op.batch_alter_table("concepts") as batch:
        batch.drop_column("changeid")
        batch.drop_column("changedate")
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("changeid")
