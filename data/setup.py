"""Open the database the way the app and the CLI both need it: migrated, with the built-ins stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from data import frameworks, schema
from data.db import Database
from data.tables import reviews, schools

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one app process per SQLite file there
    fcntl = None  # type: ignore[assignment]

# A PostgreSQL session lock, other than the migration's own, so that start-up steps run one process at a time.
STARTUP_LOCK_KEY = 0x73656E645F737475  # "send_stu"


def open_database(url: str | None = None, *, demo_on_empty: bool = False, seed: int = 7) -> Database:
    """Migrate, store built-in frameworks, and on a brand-new database optionally load the demo LA.

    Several app processes may start at once on one database; they take these steps one after another, so
    the later ones find the work done (and a new database gets the demo once, not once per process).
    """
    db = Database(url)
    with _one_process_at_a_time(db):
        schema.upgrade(db)
        frameworks.ensure_builtin(db)
    if demo_on_empty:
        load_demo_if_empty(db, seed=seed)
    return db


def load_demo_if_empty(db: Database, *, seed: int = 7, progress: Callable[[int, int], None] | None = None) -> bool:
    """The demo LA into a brand-new database: True when this call loaded it. Processes starting at once take
    turns, so the demo is loaded once; ``progress`` is told each step (the app shows a progress bar)."""
    with _one_process_at_a_time(db):
        if not is_empty(db):
            return False
        from data.demo_load import load_demo

        load_demo(db, seed=seed, progress=progress)
        return True


@contextmanager
def _one_process_at_a_time(db: Database) -> Iterator[None]:
    """PostgreSQL: an advisory lock held by its own connection; SQLite: a lock file beside the database."""
    if not db.is_sqlite:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
        return
    path = db.engine.url.database
    if fcntl is None or not path or path == ":memory:":
        yield
        return
    with Path(f"{path}-startup.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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
