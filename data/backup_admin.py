"""Backup and restore as an administrator does them on the Backup page: allowed, checked, audited.

The file work is ``data/backup.py``; here is who may do it and what the audit log says. A restore
replaces the audit log with the backup's, so its own entry is written into the restored database
afterwards, under the administrator's account as the backup has it (no user id when it has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from data.access import Actor, require_whole_database
from data.audit import record
from data.backup import BackupSummary, check_backup, restore_backup, write_backup
from data.db import Database
from data.tables import users

Progress = Callable[[int, int], None]


def make_backup(db: Database, actor: Actor, path: Path, *, progress: Progress | None = None) -> BackupSummary:
    """Write the whole database to ``path`` for an administrator to download."""
    require_whole_database(actor)
    summary = write_backup(db, path, progress=progress)
    with db.write() as conn:
        record(conn, actor, "backup_made", detail=f"{summary.rows} rows in {len(summary.tables)} tables")
    return summary


def inspect_backup(actor: Actor, path: Path) -> tuple[BackupSummary, str]:
    """What an uploaded backup holds and when it was made, after checking every file in it."""
    require_whole_database(actor)
    return check_backup(path)


def restore(db: Database, actor: Actor, path: Path, *, progress: Progress | None = None) -> BackupSummary:
    """Replace everything in the database with the backup: checked first, all or nothing, then audited."""
    require_whole_database(actor)
    check_backup(path)
    summary = restore_backup(db, path, replace=True, progress=progress)
    with db.write() as conn:
        restored_id = conn.execute(sa.select(users.c.id).where(users.c.email == actor.email)).scalar()
        record(
            conn,
            replace(actor, id=restored_id),
            "backup_restored",
            detail=f"{path.name}: {summary.rows} rows in {len(summary.tables)} tables, schema {summary.revision}",
        )
    return summary
