"""Alembic environment: always run with a connection handed over by ``migrate.py``."""

from __future__ import annotations

from alembic import context

from dprkwatch.service.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise RuntimeError("run migrations with `dprkwatch db upgrade`, not the alembic command")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
