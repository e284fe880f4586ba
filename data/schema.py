"""Bring any database to the current schema through Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from data.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# What a storage operation can raise when the database itself fails (unreachable server, a locked table,
# a schema it cannot migrate): callers outside data/ catch these without knowing SQLAlchemy or Alembic.
DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, CommandError)
# Any fixed bigint, the same in every app process: the PostgreSQL advisory lock that queues start-up migrations.
MIGRATION_LOCK_KEY = 0x73656E645F726576  # "send_rev"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The schema revision this version of SEND Review migrates to."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def upgrade(db: Database, revision: str = "head") -> None:
    """Apply pending migrations; a no-op when the database is current.

    Several app processes may start at once on one database, so they migrate one after another: on PostgreSQL
    each takes a transaction-level advisory lock, on SQLite db.write() takes the write lock up front (a deferred
    transaction fails with "database is locked" once another process has migrated). The ones that waited find
    the database current and do nothing.
    """
    if revision == "head" and is_current(db):
        return
    with db.write() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if revision == "head" and _at_head(conn):
            return
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def is_current(db: Database) -> bool:
    with db.engine.connect() as conn:
        return _at_head(conn)


def _at_head(conn: Connection) -> bool:
    return MigrationContext.configure(conn).get_current_revision() == head()
