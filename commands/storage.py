"""Backup, restore and migration of the whole database: for the server operator and administrators only.

A backup holds every account's password hash, so ``--as`` must name an administrator. A database
error (unreachable server, a table locked by a running app) ends with a one-line message, never a
traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commands import acting, command
from commands.progress import progress_line
from data import schema
from data.access import NotAllowed, NotFound
from data.backup import restore_backup, write_backup
from data.db import Database
from framework.problems import InvalidInput, Problem


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="where to write the backup, e.g. send-review-2026-11-23.zip")


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backup written by `cli.py backup`")
    parser.add_argument(
        "--replace", action="store_true", help="replace everything in a database that already holds data"
    )


@command("backup", "write the whole database to one file (a zip of JSON Lines) to restore later", _backup_arguments)
def backup(args: argparse.Namespace) -> int:
    with _plain_database_errors():
        db = Database()  # as it is: a backup never changes the database, not even by migrating it
        _require_administrator(args, db)
        summary = write_backup(db, Path(args.file), progress=progress_line("backing up tables"))
    print(f"wrote {args.file}: {summary.rows} rows in {len(summary.tables)} tables, schema {summary.revision}")
    return 0


@command("restore", "load a backup into the database (DATABASE_URL or the default file)", _restore_arguments)
def restore(args: argparse.Namespace) -> int:
    with _plain_database_errors():
        db = Database()  # not migrated first: a restore rebuilds the schema from the backup's revision
        _require_administrator(args, db)
        summary = restore_backup(db, Path(args.file), replace=args.replace, progress=progress_line("restoring tables"))
    head = schema.head()
    moved = f", migrated to {head}" if summary.revision != head else ""
    print(
        f"restored {args.file}: {summary.rows} rows in {len(summary.tables)} tables (schema {summary.revision}{moved})"
    )
    return 0


@command("migrate", "bring the database to this version's schema; run once before starting several app processes")
def migrate(args: argparse.Namespace) -> int:
    with _plain_database_errors():
        db = Database()
        _require_administrator(args, db)
        schema.upgrade(db)
    print(f"the database is at schema {schema.head()}")
    return 0


def _require_administrator(args: argparse.Namespace, db: Database) -> None:
    """The operator (no --as) or an active administrator; a database without accounts has no administrator."""
    if not getattr(args, "as_user", None):
        return
    try:
        actor = acting(args, db)
    except schema.DATABASE_ERRORS:  # no users table yet (an empty database to restore into)
        raise NotFound(f"There is no active user with the email {args.as_user}.") from None
    if actor.role != "admin":
        raise NotAllowed("Backups and restores are for administrators and the server operator.")


@contextmanager
def _plain_database_errors() -> Iterator[None]:
    try:
        yield
    except schema.DATABASE_ERRORS as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise InvalidInput([Problem("database", reason[0] if reason else type(exc).__name__)]) from None
