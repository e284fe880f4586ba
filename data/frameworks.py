"""Frameworks as stored: every review names the exact framework version it was answered against."""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.audit import now
from data.db import Database
from data.tables import frameworks
from framework.library import builtin_frameworks, framework_from_dict, framework_to_dict
from framework.models import Framework


def ensure_builtin(db: Database) -> None:
    """Store each built-in framework version once; later versions are added beside older ones."""
    with db.read() as conn:
        if not _missing(conn):
            return
    with db.write() as conn:
        for fw in _missing(conn):  # asked again under the write lock: another process may have stored them
            conn.execute(sa.insert(frameworks).values(**framework_row(fw, builtin=True)))


def _missing(conn: Connection) -> list[Framework]:
    have = {tuple(row) for row in conn.execute(sa.select(frameworks.c.id, frameworks.c.version))}
    return [fw for fw in builtin_frameworks() if (fw.id, fw.version) not in have]


def framework_row(framework: Framework, *, builtin: bool) -> dict[str, object]:
    """A framework as a stored row: the definition is the same plain form the YAML library uses."""
    return {
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "definition": framework_to_dict(framework),
        "builtin": builtin,
        "created_at": now(),
    }


def list_frameworks(db: Database) -> list[Framework]:
    """The newest version of each framework, built-ins first."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(frameworks.c.id, frameworks.c.version, frameworks.c.builtin).order_by(
                frameworks.c.builtin.desc(), frameworks.c.id, frameworks.c.created_at.desc()
            )
        ).all()
    latest: dict[str, str] = {}
    for row in rows:
        latest.setdefault(row.id, row.version)
    return [get_framework(db, fid, version) for fid, version in latest.items()]


def get_framework(db: Database, framework_id: str, version: str) -> Framework:
    return _cached_framework(db, framework_id, version)


@lru_cache(maxsize=64)
def _cached_framework(db: Database, framework_id: str, version: str) -> Framework:
    # a stored (id, version) never changes, so caching per database is safe
    with db.read() as conn:
        definition = conn.execute(
            sa.select(frameworks.c.definition).where(frameworks.c.id == framework_id, frameworks.c.version == version)
        ).scalar_one()
    return framework_from_dict(definition, source=f"{framework_id} {version}")
