"""The engine: SQLite file by default, PostgreSQL when DATABASE_URL says so.

Writes on SQLite take the write lock up front (BEGIN IMMEDIATE) so that concurrent
savers queue on the busy timeout instead of failing with "database is locked" when a
deferred transaction tries to upgrade its lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

DEFAULT_SQLITE_PATH = Path(__file__).resolve().parent / "send-review.db"


IN_LIST_SIZE = 500  # values per IN (...) list: well under every supported database's parameter limit


def in_chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    """``values`` in slices short enough for one ``IN (...)`` each (big registers stay under parameter limits)."""
    for start in range(0, len(values), IN_LIST_SIZE):
        yield values[start : start + IN_LIST_SIZE]


def database_url() -> str:
    """DATABASE_URL, else the embedded SQLite file (SEND_REVIEW_DB overrides its path)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    path = Path(os.environ.get("SEND_REVIEW_DB", DEFAULT_SQLITE_PATH))
    return f"sqlite:///{path}"


class Database:
    """One engine per process; ``read()`` and ``write()`` hand out transactions."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = _make_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    return engine
