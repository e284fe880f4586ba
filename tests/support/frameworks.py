"""A framework of the tests' own in the database, beside the built-in ones (the app has no upload for one yet)."""

from __future__ import annotations

import sqlalchemy as sa

from data.access import Actor
from data.db import Database
from data.frameworks import framework_row
from data.tables import frameworks
from framework.models import Framework


def store_framework(db: Database, actor: Actor, framework: Framework) -> None:
    """Store ``framework`` as an LA's own, as a future upload would; a stored version is never changed."""
    with db.write() as conn:
        conn.execute(
            sa.insert(frameworks).values(**framework_row(framework, builtin=False), la=actor.la, created_by=actor.id)
        )
