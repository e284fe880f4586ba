"""Databases set up once per test session and copied for each test that needs one.

Setting a database up the way the app does (every migration, the built-in frameworks, and for some tests
the demo LA's 1,080 reviews) took most of the fast suite's time when done anew for each test. A copy of
a file (SQLite) or CREATE DATABASE ... TEMPLATE (PostgreSQL) gives the same database in milliseconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from data.setup import open_database
from tests.support.postgres import PostgresServer


class DatabaseTemplates:
    """One template per kind (plain or with the demo) and backend, made the first time it is asked for."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: dict[bool, Path] = {}
        self._postgres: dict[bool, str] = {}

    def sqlite_copy(self, path: Path, *, demo: bool) -> str:
        if demo not in self._sqlite:
            template = self._folder / f"template-{'demo' if demo else 'plain'}.db"
            open_database(f"sqlite:///{template}", demo_on_empty=demo).dispose()
            self._sqlite[demo] = template
        shutil.copyfile(self._sqlite[demo], path)
        return f"sqlite:///{path}"

    def postgres_copy(self, server: PostgresServer, *, demo: bool) -> str:
        """The name of a new database copied from the template (a template must have no open connections)."""
        if demo not in self._postgres:
            name = server.create_database()
            open_database(server.url(name), demo_on_empty=demo).dispose()
            self._postgres[demo] = name
        return server.create_database(template=self._postgres[demo])
