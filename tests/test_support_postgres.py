"""The database_url fixture gives each test an empty, working database on both SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, inspect, select
from sqlalchemy.pool import NullPool

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String(200), nullable=False))


def test_database_is_empty_and_usable(database_url: str) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
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


def test_each_test_gets_its_own_database(database_url: str) -> None:
    """Runs after the test above: the table it created must not be visible here."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        assert "notes" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


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
