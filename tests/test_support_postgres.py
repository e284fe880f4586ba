"""The database fixtures: empty_database_url gives an empty, working database on SQLite and PostgreSQL;
database_url and demo_database_url one set up as the app sets up a new database (a copy per test)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, inspect, select
from sqlalchemy.pool import NullPool

from data import schema
from data.access import OPERATOR
from data.db import Database
from data.schools import upsert_schools
from data.tables import frameworks, schools
from framework.library import builtin_frameworks
from tests.support.pages import register

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String(200), nullable=False))


def test_database_is_empty_and_usable(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url, poolclass=NullPool)
    try:
        assert inspect(engine).get_table_names() == []
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(notes), [{"body": "Graduated approach"}, {"body": "EHC plan review"}])
        with engine.connect() as conn:
            assert conn.execute(select(notes.c.body).order_by(notes.c.id)).scalars().all() == [
                "Graduated approach",
                "EHC plan review",
            ]
    finally:
        engine.dispose()


def test_each_test_gets_its_own_database(empty_database_url: str) -> None:
    """Runs after the test above: the table it created must not be visible here."""
    engine = create_engine(empty_database_url, poolclass=NullPool)
    try:
        assert "notes" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_database_url_is_a_new_database_as_the_app_sets_it_up(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert schema.is_current(db)
        with db.read() as conn:
            stored = conn.execute(select(frameworks.c.id)).scalars().all()
            assert conn.execute(select(schools.c.urn)).all() == []
        assert sorted(set(stored)) == sorted(fw.id for fw in builtin_frameworks())
        upsert_schools(db, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    finally:
        db.dispose()


def test_the_next_copy_does_not_hold_the_last_test_s_school(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.read() as conn:
            assert conn.execute(select(schools.c.urn)).all() == []
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgres_server_url_is_the_admin_database(postgres_server: str) -> None:
    assert postgres_server.startswith("postgresql+psycopg://test@127.0.0.1:")
    assert postgres_server.endswith("/postgres")
    engine = create_engine(postgres_server, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW server_version").scalar().startswith("15")
    finally:
        engine.dispose()
