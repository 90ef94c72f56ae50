"""Alembic environment: open_store() hands over a connection already in a transaction."""

from __future__ import annotations

from alembic import context

from termtm.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("termtm migrations run through termtm.store.open_store(), which passes the connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
