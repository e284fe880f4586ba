"""Open the database the way the app and the CLI both need it: migrated, with the built-ins stored."""

from __future__ import annotations

import sqlalchemy as sa

from data import frameworks, schema
from data.db import Database
from data.tables import reviews, schools


def open_database(url: str | None = None, *, demo_on_empty: bool = False, seed: int = 7) -> Database:
    """Migrate, store built-in frameworks, and on a brand-new database optionally load the demo LA."""
    db = Database(url)
    schema.upgrade(db)
    frameworks.ensure_builtin(db)
    if demo_on_empty and is_empty(db):
        from data.demo_load import load_demo

        load_demo(db, seed=seed)
    return db


def is_empty(db: Database) -> bool:
    """No schools and no reviews: nothing a user made could be overwritten."""
    with db.read() as conn:
        return (
            not conn.execute(sa.select(sa.literal(1)).select_from(schools).limit(1)).first()
            and not conn.execute(sa.select(sa.literal(1)).select_from(reviews).limit(1)).first()
        )


def holds_real_data(db: Database) -> bool:
    with db.read() as conn:
        real_school = conn.execute(sa.select(sa.literal(1)).where(~schools.c.demo).limit(1)).first()
        real_review = conn.execute(sa.select(sa.literal(1)).where(~reviews.c.demo).limit(1)).first()
    return bool(real_school or real_review)
