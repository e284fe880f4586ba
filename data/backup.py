"""The whole database as one file, and back: between SQLite and PostgreSQL, in either direction.

A backup is a zip archive that any unzip tool opens:

    manifest.json          what made it, the schema revision, and for each table its file, columns and row count
    tables/<table>.jsonl   one JSON object per row, keyed by column name, in primary-key order

Values are written by column kind so that both backends read them back the same: datetimes as ISO 8601
in UTC (SQLite's naive datetimes are UTC by this app's convention), dates and times as ISO text, JSON
columns as JSON, decimals as text, bytes as base64; text, numbers, booleans and NULL as themselves.

Restore rebuilds the schema at the backup's revision through the migrations, loads every row, runs the
remaining migrations, and moves PostgreSQL's sequences past the restored ids, all in one transaction: a
restore that fails leaves the database as it was. Both directions stream in batches of ``BATCH_ROWS``, so
a database larger than memory is fine.

    >>> write_backup(db, Path("send-review-2026-11-23.zip")).rows
    48213
    >>> restore_backup(Database(url), Path("send-review-2026-11-23.zip"), replace=False)
"""

from __future__ import annotations

import base64
import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from data import schema
from data.access import NotAllowed
from data.db import Database
from data.tables import frameworks
from framework.problems import InvalidInput, Problem

FORMAT = "send-review-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 1_000
VERSION_TABLE = "alembic_version"  # not copied: the manifest carries the revision, and migrations recreate it
LOCK_TIMEOUT = "30s"  # PostgreSQL: a running app holding a table makes restore fail with a message, not hang

# Order matters: bool is an int and datetime is a date in Python.
_KINDS: tuple[tuple[str, type], ...] = (
    ("boolean", bool),
    ("integer", int),
    ("float", float),
    ("decimal", Decimal),
    ("datetime", datetime),
    ("date", date),
    ("time", time),
    ("bytes", bytes),
    ("text", str),
)


@dataclass(frozen=True)
class BackupSummary:
    revision: str
    tables: dict[str, int]  # table name -> rows

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- writing ---------------------------------------------------------------------------------------


def write_backup(db: Database, path: Path, *, progress: Callable[[int, int], None] | None = None) -> BackupSummary:
    """Write every table to ``path`` from one consistent snapshot; the file appears only when complete.

    The file is created readable by its owner only: it holds password hashes and session hashes.
    """
    path = Path(path)
    handle, partial_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            with _snapshot(db) as conn:
                revision = MigrationContext.configure(conn).get_current_revision()
                if revision is None:
                    raise InvalidInput(
                        [Problem("database", "has no SEND Review schema yet, so there is nothing to back up")]
                    )
                tables = _tables(conn)
                entries = []
                for done, table in enumerate(tables, start=1):
                    entries.append(_write_table(archive, conn, table))
                    if progress is not None:
                        progress(done, len(tables))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "created_at": datetime.now(UTC).isoformat(),
                "source": db.engine.dialect.name,  # never the URL: it may hold a password
                "tables": entries,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(revision, {entry["name"]: entry["rows"] for entry in entries})


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read transaction for every table, so the backup is consistent while the app keeps writing."""
    with db.engine.connect() as conn:
        if not db.is_sqlite:  # READ COMMITTED would give each table its own moment
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _tables(conn: Connection) -> list[sa.Table]:
    """The tables as they are in this database (at whatever revision), parents before children."""
    return [table for table in _reflect(conn).sorted_tables if table.name != VERSION_TABLE]


def _reflect(conn: Connection) -> sa.MetaData:
    meta = sa.MetaData()
    meta.reflect(conn)
    return meta


def _write_table(archive: zipfile.ZipFile, conn: Connection, table: sa.Table) -> dict:
    kinds = {column.name: column_kind(table, column) for column in table.columns}
    order = list(table.primary_key.columns) or list(table.columns)
    query = sa.select(table).order_by(*order).execution_options(yield_per=BATCH_ROWS)
    name = f"tables/{table.name}.jsonl"
    rows = 0
    entry = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(entry, "w", force_zip64=True) as out:
        for batch in conn.execute(query).partitions():
            lines = (
                json.dumps(
                    {key: _encode(kinds[key], value) for key, value in zip(kinds, row, strict=True)},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for row in batch
            )
            out.write(("\n".join(lines) + "\n").encode("utf-8"))
            rows += len(batch)
    return {
        "name": table.name,
        "file": name,
        "rows": rows,
        "columns": [{"name": key, "kind": kind} for key, kind in kinds.items()],
    }


def column_kind(table: sa.Table, column: sa.Column) -> str:
    """How a column's values are written: one of json, boolean, integer, float, decimal, datetime, date, ..."""
    if isinstance(column.type, sa.JSON):
        return "json"
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = None
    for kind, cls in _KINDS:
        if python_type is not None and issubclass(python_type, cls):
            return kind
    raise InvalidInput(
        [Problem(f"{table.name}.{column.name}", f"has a type backups do not handle yet ({column.type})")]
    )


def _encode(kind: str, value: object) -> object:
    if value is None:
        return None
    if kind == "datetime":
        assert isinstance(value, datetime)
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    if kind in ("date", "time"):
        return value.isoformat()  # type: ignore[attr-defined]
    if kind == "decimal":
        return str(value)
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")  # type: ignore[arg-type]
    return value


def _decode(kind: str, value: object) -> object:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "time":
        return time.fromisoformat(str(value))
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "bytes":
        return base64.b64decode(str(value), validate=True)
    if kind == "float" and isinstance(value, int):
        return float(value)
    return value


# --- restoring -------------------------------------------------------------------------------------


def holds_data(db: Database) -> bool:
    """Would a restore destroy anything? Any row counts, except the built-in frameworks every app start adds."""
    with db.read() as conn:
        for table in _tables(conn):
            query = sa.select(sa.literal(1)).select_from(table)
            if table.name == frameworks.name and "builtin" in table.c:
                query = query.where(sa.not_(table.c.builtin))
            if conn.execute(query.limit(1)).first() is not None:
                return True
    return False


def check_backup(path: Path) -> tuple[BackupSummary, str]:
    """The backup's manifest and every file's checksum, checked as a restore checks them, touching no
    database: what it holds and when it was made, or InvalidInput saying what is wrong."""
    path = Path(path)
    with _archive(path) as archive:
        manifest = _manifest(archive, path)
        try:
            damaged = archive.testzip()  # reads every file: a cut-off or altered upload fails here, not half-way
        except zlib.error:
            damaged = "a compressed file"
    if damaged is not None:
        raise InvalidInput([Problem(f"{path.name}: {damaged}", "is damaged (its checksum does not match)")])
    tables = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    return BackupSummary(manifest["schema_revision"], tables), str(manifest.get("created_at", ""))


def restore_backup(
    db: Database, path: Path, *, replace: bool = False, progress: Callable[[int, int], None] | None = None
) -> BackupSummary:
    """Replace the database's contents with the backup at ``path``, then migrate it to the current schema.

    Refuses a database that holds data unless ``replace``; refuses a damaged backup or one from a
    newer SEND Review, before anything is changed.
    """
    path = Path(path)
    with _archive(path) as archive:
        manifest = _manifest(archive, path)
        revision = manifest["schema_revision"]
        if not replace and holds_data(db):
            raise NotAllowed(
                "This database already holds data, so the backup was not restored. "
                "To replace everything in it with the backup, run restore again with --replace."
            )
        counts: dict[str, int] = {}
        with db.write() as conn:
            if not db.is_sqlite:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            _reflect(conn).drop_all(conn)  # whatever schema it had, even a newer one
            _migrate(conn, revision)
            target = _tables(conn)
            entries = _matching_entries(manifest, target, revision, path)
            for done, table in enumerate(target, start=1):
                counts[table.name] = _load_table(conn, archive, entries[table.name], table, path)
                if progress is not None:
                    progress(done, len(target))
            _migrate(conn, "head")
            if not db.is_sqlite:
                _move_sequences(conn)
    return BackupSummary(revision, counts)


@contextmanager
def _archive(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise InvalidInput([Problem(path.name, f"the backup is damaged ({exc})")]) from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    """The manifest, checked: a SEND Review backup, in a format and from a schema this version knows."""

    def refuse(message: str) -> InvalidInput:
        return InvalidInput([Problem(path.name, message)])

    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise refuse("not a SEND Review backup (it has no manifest.json)") from None
    except ValueError:
        raise refuse("the backup's manifest.json is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refuse("not a SEND Review backup (its manifest.json names another format)")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise refuse("this backup was written by a newer version of SEND Review; upgrade SEND Review, then restore it")
    revision = manifest.get("schema_revision")
    if not isinstance(revision, str):
        raise refuse("the backup's manifest.json does not say which database schema it holds")
    scripts = ScriptDirectory.from_config(schema.alembic_config())
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise refuse(
            f"this backup comes from a newer version of SEND Review (database schema {revision}; this version "
            f"knows schemas up to {scripts.get_current_head()}); upgrade SEND Review, then restore it"
        ) from None
    tables = manifest.get("tables")
    names = set(archive.namelist())
    kinds = {"json"} | {kind for kind, _ in _KINDS}
    if not isinstance(tables, list) or not all(
        isinstance(t, dict)
        and isinstance(t.get("name"), str)
        and isinstance(t.get("rows"), int)
        and t.get("file") in names
        and isinstance(t.get("columns"), list)
        and all(isinstance(c, dict) and isinstance(c.get("name"), str) and c.get("kind") in kinds for c in t["columns"])
        for t in tables
    ):
        raise refuse("the backup is incomplete: its manifest lists tables whose files are missing or damaged")
    return manifest


def _migrate(conn: Connection, revision: str) -> None:
    """Alembic, inside the restore's own transaction, so a failed migration undoes the whole restore."""
    cfg = schema.alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def _matching_entries(manifest: dict, target: list[sa.Table], revision: str, path: Path) -> dict[str, dict]:
    """The manifest's tables, which must be exactly the schema's tables at that revision, column for column."""
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    problems = []
    for name in sorted(set(entries) ^ {table.name for table in target}):
        where = "in the backup but not in" if name in entries else "missing from the backup but part of"
        problems.append(Problem(path.name, f'table "{name}" is {where} database schema {revision}'))
    for table in target:
        listed = {column["name"] for column in entries.get(table.name, {}).get("columns", [])}
        if table.name in entries and listed != set(table.c.keys()):
            problems.append(Problem(path.name, f'table "{table.name}" has other columns than schema {revision} has'))
    if problems:
        raise InvalidInput(problems)
    return entries


def _load_table(conn: Connection, archive: zipfile.ZipFile, entry: dict, table: sa.Table, path: Path) -> int:
    """Insert one table's rows in batches; the row count must match the manifest's."""
    kinds = {column["name"]: column["kind"] for column in entry["columns"]}
    for column in table.columns:
        if isinstance(column.type, sa.JSON):
            column.type.none_as_null = True  # a NULL in the backup is SQL NULL, not the JSON text 'null'
    rows = 0
    batch: list[dict[str, object]] = []
    place = f"{path.name}: {entry['file']}"
    try:
        with archive.open(entry["file"]) as raw:
            for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    batch.append({key: _decode(kind, record[key]) for key, kind in kinds.items()})
                except (ValueError, KeyError, TypeError) as exc:
                    raise InvalidInput([Problem(f"{place} line {number}", f"cannot be read ({exc})")]) from None
                if len(batch) >= BATCH_ROWS:
                    conn.execute(sa.insert(table), batch)
                    rows, batch = rows + len(batch), []
    except (zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(place, f"is damaged ({exc})")]) from None
    if batch:
        conn.execute(sa.insert(table), batch)
        rows += len(batch)
    if rows != entry["rows"]:
        raise InvalidInput(
            [Problem(place, f"holds {rows} rows but the manifest says {entry['rows']}: the backup is incomplete")]
        )
    return rows


def _move_sequences(conn: Connection) -> None:
    """PostgreSQL: restored rows carry their ids, so each id sequence must continue after the largest one."""
    quote = conn.dialect.identifier_preparer.quote
    for table in _tables(conn):
        for column in table.columns:
            if column_kind(table, column) != "integer":
                continue
            sequence = conn.execute(
                sa.select(sa.func.pg_get_serial_sequence(quote(table.name), column.name))
            ).scalar_one()
            if sequence is None:
                continue
            largest = sa.select(sa.func.max(column)).scalar_subquery()
            conn.execute(
                sa.select(sa.func.setval(sequence, sa.func.greatest(sa.func.coalesce(largest, 0), 0) + 1, False))
            )
