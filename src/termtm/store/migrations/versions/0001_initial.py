"""The schema as it was before migrations: segments, concepts, terms, term_contexts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

A store created by the old `metadata.create_all` has these tables but no alembic_version: this
revision adopts it. It creates only the tables that are missing (as create_all did) and refuses,
changing nothing, a table that lacks one of its columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from termtm.errors import TermTMError

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[sa.Table]:
    md = sa.MetaData()
    return [
        sa.Table(
            "segments",
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("tuid", sa.String(200), nullable=False),
            sa.Column("zh", sa.Text, nullable=False),
            sa.Column("en", sa.Text, nullable=False),
            sa.Column("document", sa.String(200), nullable=False),
            sa.Column("article", sa.String(100), nullable=False),
            sa.Column("paragraph", sa.Integer, nullable=False),
            sa.Column("sentence", sa.Integer, nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("provenance", sa.String(20), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("origin", sa.Text, nullable=False),
            sa.Column("creationdate", sa.String(16), nullable=False),
            sa.Column("changedate", sa.String(16), nullable=False),
            sa.UniqueConstraint("tuid", name="uq_segments_tuid"),
        ),
        sa.Table(
            "concepts",
            md,
            sa.Column("id", sa.String(200), primary_key=True),
            sa.Column("collection", sa.String(200), nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("subject", sa.Text, nullable=False),
            sa.Column("definition", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("origin", sa.Text, nullable=False),
        ),
        sa.Table(
            "terms",
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("concept_id", sa.String(200), sa.ForeignKey("concepts.id", ondelete="CASCADE"), nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("lang", sa.String(10), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("type", sa.String(40), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("pos", sa.String(20), nullable=False),
            sa.Column("pinyin", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Index("ix_terms_concept_id", "concept_id"),
        ),
        sa.Table(
            "term_contexts",
            md,
            sa.Column("term_id", sa.Integer, sa.ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("tuid", sa.String(200), primary_key=True),
            sa.Column("position", sa.Integer, nullable=False),
        ),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    tables = _tables()
    for table in tables:
        if table.name in existing:
            have = {c["name"] for c in sa.inspect(bind).get_columns(table.name)}
            missing = [c.name for c in table.columns if c.name not in have]
            if missing:
                raise TermTMError(
                    f"table {table.name!r} predates this version of termtm (no {', '.join(missing)}): "
                    "move the database aside and run `termtm build`"
                )
    for table in tables:
        if table.name not in existing:
            table.create(bind)


def downgrade() -> None:
    for name in ("term_contexts", "terms", "concepts", "segments"):
        op.drop_table(name)
