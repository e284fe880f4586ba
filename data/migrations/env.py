"""Alembic environment: runs on the connection handed over by data.schema.upgrade."""

from alembic import context

from data.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from data.db import Database

    connection = Database(config.get_main_option("sqlalchemy.url") or None).engine.connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
