"""Migrations keep every record, and the models in data/tables.py never drift from them (both backends).

``fill_every_table`` and ``snapshot`` work on the tables as a database has them at any revision, so the
backup tests use them too: a new table is covered without anyone remembering to add it here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import cli
from data import schema
from data.backup import column_kind
from data.db import Database
from data.tables import metadata

VERSION_TABLE = "alembic_version"

# Values that tend to break a copy: empty and padded text, every script, formula-like and control
# characters, long text; 32-bit integer limits; tiny, huge and inexact floats; time-zone offsets.
TEXTS = (
    "",
    "  spaces around  ",
    "Zoë Ådmin — 学校 🏫 עברית ﷺ",
    '=HYPERLINK("http://evil.example","click")',
    'line\nbreak\ttab "quotes" \\ back',
    "x" * 3000,
)
INTEGERS = (0, -1, 2_147_483_647, -2_147_483_648)
FLOATS = (0.1, 1e-300, -1.7976931348623157e308, 33.333333333333336)
MOMENTS = (
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC),
    datetime(2025, 10, 26, 1, 30, 15, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
)
DATES = (date(1900, 1, 1), date(2000, 2, 29), date(2099, 12, 31))
JSONS = ({"ü": [1, 2.5, None, True, "=1+1"], "nested": {"empty": [], "text": "学校"}}, [], {"": ""})


def reflect(conn: Connection) -> list[sa.Table]:
    """The tables this database has now (at whatever revision), parents first."""
    meta = sa.MetaData()
    meta.reflect(conn)
    return [table for table in meta.sorted_tables if table.name != VERSION_TABLE]


def fill_every_table(conn: Connection, rows: int = 3, tag: str = "g") -> None:
    """Add ``rows`` rows of awkward values to every table; foreign keys point at rows already there.

    The first row leaves every nullable column NULL. Unique text gets ``~<tag><n>`` appended, so a
    second call with another tag adds rows beside the first ones.
    """
    for table in reflect(conn):
        unique = _unique_columns(table)
        parents = {
            fk: conn.execute(sa.select(*(e.column for e in fk.elements))).all() for fk in table.foreign_key_constraints
        }
        for fk in parents:  # a unique foreign key (one visit member per review) may point at a parent once
            if {c.name for c in fk.columns} <= unique:
                taken = set(conn.execute(sa.select(*fk.columns)).all())
                parents[fk] = [r for r in parents[fk] if tuple(r) not in taken]
        for i in range(rows):
            row: dict[str, object] = {}
            for fk, referred in parents.items():
                nullable = all(c.nullable for c in fk.columns)
                chosen = None if (nullable and (i == 0 or not referred)) else referred[i % len(referred)]
                row |= {c.name: None if chosen is None else chosen[n] for n, c in enumerate(fk.columns)}
            for column in table.columns:
                if column.name in row or _assigned_by_database(table, column):
                    continue
                if column.nullable and i == 0 and not column.primary_key:
                    row[column.name] = None
                    continue
                row[column.name] = _value(table, column, i, f"~{tag}{i}" if column.name in unique else "")
            conn.execute(sa.insert(table).values(**row))


def _unique_columns(table: sa.Table) -> set[str]:
    names = {c.name for c in table.primary_key.columns} | {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            names |= {c.name for c in constraint.columns}
    for index in table.indexes:
        if index.unique:
            names |= {c.name for c in index.columns}
    return names


def _assigned_by_database(table: sa.Table, column: sa.Column) -> bool:
    pk = list(table.primary_key.columns)
    return pk == [column] and column_kind(table, column) == "integer" and not column.foreign_keys


def _value(table: sa.Table, column: sa.Column, i: int, suffix: str) -> object:
    kind = column_kind(table, column)
    if kind == "text":
        length = getattr(column.type, "length", None) or 10_000
        return TEXTS[i % len(TEXTS)][: length - len(suffix)] + suffix
    if kind == "integer":
        return 1_000 + i if suffix else INTEGERS[i % len(INTEGERS)]
    picks = {"boolean": (True, False), "float": FLOATS, "datetime": MOMENTS, "date": DATES, "json": JSONS}
    return picks[kind][i % len(picks[kind])]


def snapshot(db: Database) -> dict[str, dict[tuple, dict[str, object]]]:
    """Every row of every table, keyed by primary key, with datetimes as UTC instants (SQLite's are naive UTC)."""
    with db.read() as conn:
        tables = reflect(conn)
        found = {}
        for table in tables:
            key = [c.name for c in table.primary_key.columns] or list(table.c.keys())
            rows = [{k: _instant(v) for k, v in row._mapping.items()} for row in conn.execute(sa.select(table))]
            found[table.name] = {tuple(row[k] for k in key): row for row in rows}
    return found


def _instant(value: object) -> object:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(schema.alembic_config())


def earlier_revisions() -> list[str]:
    head = _scripts().get_current_head()
    return [script.revision for script in _scripts().walk_revisions() if script.revision != head]


def test_migrations_form_one_line() -> None:
    assert len(_scripts().get_heads()) == 1, "two migrations revise the same one: set one's down_revision to the other"


@pytest.mark.parametrize("revision", earlier_revisions())
def test_upgrading_to_head_keeps_every_record(empty_database_url: str, revision: str) -> None:
    db = Database(empty_database_url)
    schema.upgrade(db, revision)
    with db.write() as conn:
        fill_every_table(conn)
    before = snapshot(db)
    assert before and all(before.values()), "every table at the old revision should hold rows"

    schema.upgrade(db)

    after = snapshot(db)
    assert set(before) <= set(after)
    for name, rows in before.items():
        kept = {key: {column: row[column] for column in next(iter(rows.values()))} for key, row in after[name].items()}
        assert kept == rows, f"table {name} changed during the upgrade from {revision}"
    db.dispose()


def test_models_in_tables_py_match_the_migrations(empty_database_url: str) -> None:
    """Like `alembic check`: a change to data/tables.py needs a migration (make one with alembic revision
    --autogenerate), and a migration needs the matching change to the models."""
    db = Database(empty_database_url)
    schema.upgrade(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": metadata})
        differences = compare_metadata(context, metadata)
    db.dispose()
    assert differences == []


def test_cli_migrate_brings_a_new_database_to_head_once(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operators run it once before starting several app processes, so they do not race to migrate."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    for _ in range(2):
        assert cli.main(["migrate"]) == 0
        assert capsys.readouterr().out == f"the database is at schema {_scripts().get_current_head()}\n"
    assert schema.is_current(Database())
