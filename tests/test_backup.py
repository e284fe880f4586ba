"""`cli.py backup` and `cli.py restore`: every row of every table survives, SQLite and PostgreSQL both ways.

Each round trip fills a database with what the app writes (argon2 hashes, sessions, audit log, framework
definitions) plus awkward values in every table, backs it up, restores it into a fresh database on the
other backend, and compares every row of every table.
"""

from __future__ import annotations

import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import cli
from data import backup, schema
from data.access import OPERATOR
from data.db import Database
from data.reviews import save_answer, start_review, submit_review
from data.schools import upsert_schools
from data.sessions import start_session
from data.setup import open_database
from data.tables import metadata
from data.users import SignInFailed, actor_by_email, authenticate, create_first_admin, invite_user
from framework.library import framework_from_dict
from tests.support.frameworks import store_framework
from tests.test_migrations import fill_every_table, snapshot

pytestmark = pytest.mark.slow  # writes and restores whole databases

POSTGRES = pytest.mark.postgres
ADMIN_EMAIL = "admin@la.example"
SENCO_EMAIL = "senco@alder.example"
FRAMEWORK = framework_from_dict(
    {
        "id": "la-own",
        "title": "Our LA's review — ünïcode",
        "version": "2",
        "scale": "q",
        "scales": [{"id": "q", "levels": [{"points": 1, "label": "Low"}, {"points": 2, "label": "High"}]}],
        "domains": [{"id": "d", "title": "Domain", "criteria": [{"id": "a", "text": "A?", "kind": "rating"}]}],
    }
)

NewDatabase = Callable[[str], str]


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """Make an empty database on the named backend ("sqlite" or "postgresql") and return its URL."""
    made: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/{uuid.uuid4().hex[:8]}.db"
        server = request.getfixturevalue("postgres_instance")
        made.append(server.create_database())
        return server.url(made[-1])

    yield make
    for name in made:
        request.getfixturevalue("postgres_instance").drop_database(name)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, *argv: str):
    """cli.py with DATABASE_URL=url; (exit status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", url)
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def fill_like_the_app(url: str) -> None:
    """What the app itself stores: built-in frameworks, schools, accounts, a session, a review, the audit log."""
    db = open_database(url)
    register = pd.DataFrame(
        {
            "urn": ["900001", "900002"],
            "name": ["Alder Primary", "Ysgol Bryn Ŵ — 学校"],
            "la": ["North", "North"],
            "phase": ["primary", "secondary"],
            "type": ["", "academy"],
            "pupils": [200, None],
            "fsm_pct": [20.5, None],
            "sen_support_pct": [12.0, 14.25],
            "ehcp_pct": [2.0, 0.0],
            "resourced_provision": [False, True],
        }
    )
    upsert_schools(db, OPERATOR, register)
    admin = create_first_admin(db, ADMIN_EMAIL, "Zoë Admin", "correct horse battery staple")
    invite_user(db, admin, SENCO_EMAIL, "Siân O'Brien", "school", school_urn="900001")
    start_session(db, admin)
    with pytest.raises(SignInFailed):
        authenticate(db, ADMIN_EMAIL, "a wrong password entirely")
    store_framework(db, admin, FRAMEWORK)
    senco = actor_by_email(db, SENCO_EMAIL)
    assert senco is not None
    review = start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )
    save_answer(db, senco, review, "a", seen_version=0, response="2", evidence='=HYPERLINK("x") — see SEN register')
    submit_review(db, senco, review)
    db.dispose()


def filled(url: str) -> dict:
    fill_like_the_app(url)
    db = Database(url)
    with db.write() as conn:
        fill_every_table(conn)
    rows = snapshot(db)
    db.dispose()
    assert set(metadata.tables) <= set(rows)
    assert all(rows[name] for name in metadata.tables), "every table should hold rows before the backup"
    return rows


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("sqlite", "sqlite"),
        pytest.param("sqlite", "postgresql", marks=POSTGRES),
        pytest.param("postgresql", "sqlite", marks=POSTGRES),
        pytest.param("postgresql", "postgresql", marks=POSTGRES),
    ],
)
def test_every_row_of_every_table_survives_backup_and_restore(
    source: str, target: str, new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(backup, "BATCH_ROWS", 2)  # so that every table crosses batch boundaries both ways
    source_url, target_url, file = new_database(source), new_database(target), tmp_path / "backup.zip"
    before = filled(source_url)

    assert run(capsys, monkeypatch, source_url, "backup", str(file))[0] == 0
    status, out, err = run(capsys, monkeypatch, target_url, "restore", str(file))

    assert (status, err) == (0, "")
    assert out.startswith(f"restored {file}: ")
    after = snapshot(Database(target_url))
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the round trip {source} -> {target}"
    assert set(after) == set(before)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=POSTGRES)])
def test_rows_added_after_a_restore_get_new_ids(backend: str, new_database: NewDatabase, tmp_path: Path) -> None:
    source, target, file = new_database("sqlite"), new_database(backend), tmp_path / "backup.zip"
    before = filled(source)
    backup.write_backup(Database(source), file)
    db = Database(target)
    backup.restore_backup(db, file)

    with db.write() as conn:  # would collide with a restored id if a sequence had been left at 1
        fill_every_table(conn, tag="after")
    admin = actor_by_email(db, ADMIN_EMAIL)
    assert admin is not None
    invite_user(db, admin, "new.person@la.example", "New Person", "la", la="North")

    after = snapshot(db)
    for name, rows in before.items():
        assert len(after[name]) > len(rows)
        assert after[name].items() >= rows.items()


def test_a_restore_refuses_a_database_that_holds_data_unless_told_to_replace(
    new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    source, target, file = new_database("sqlite"), new_database("sqlite"), tmp_path / "backup.zip"
    before = filled(source)
    backup.write_backup(Database(source), file)
    filled(target)
    kept = snapshot(Database(target))

    status, out, err = run(capsys, monkeypatch, target, "restore", str(file))
    assert (status, out) == (3, "")
    assert "already holds data" in err and "--replace" in err
    assert snapshot(Database(target)) == kept

    assert run(capsys, monkeypatch, target, "restore", "--replace", str(file))[0] == 0
    assert snapshot(Database(target)) == before


def test_a_database_the_app_has_only_opened_counts_as_empty(new_database: NewDatabase, tmp_path: Path) -> None:
    source, target, file = new_database("sqlite"), new_database("sqlite"), tmp_path / "backup.zip"
    before = filled(source)
    backup.write_backup(Database(source), file)
    fresh = open_database(target)  # stores the built-in frameworks, as every app start does

    assert not backup.holds_data(fresh)
    backup.restore_backup(fresh, file)
    assert snapshot(fresh) == before


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=POSTGRES)])
def test_a_backup_from_an_older_schema_is_restored_then_migrated(
    backend: str, new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    scripts = schema.ScriptDirectory.from_config(schema.alembic_config())
    older = scripts.get_revision(scripts.get_current_head()).down_revision
    if older is None:
        pytest.skip("there is only one schema revision so far")
    source, target, file = new_database("sqlite"), new_database(backend), tmp_path / "old.zip"
    old = Database(source)
    schema.upgrade(old, str(older))
    with old.write() as conn:
        fill_every_table(conn)
    before = snapshot(old)

    status, out, _ = run(capsys, monkeypatch, source, "backup", str(file))
    assert (status, out.split(", schema ")[-1]) == (0, f"{older}\n")
    assert not schema.is_current(old), "a backup must never migrate the database it reads"
    status, out, _ = run(capsys, monkeypatch, target, "restore", str(file))
    assert status == 0 and out.endswith(f"(schema {older}, migrated to {scripts.get_current_head()})\n")

    restored = Database(target)
    assert schema.is_current(restored)
    after = snapshot(restored)
    for name, rows in before.items():
        assert {k: {c: row[c] for c in next(iter(rows.values()))} for k, row in after[name].items()} == rows


def rewrite(file: Path, changes: dict[str, bytes | None]) -> None:
    """Replace (or with None, drop) members of a backup file, to make a damaged or foreign one."""
    with zipfile.ZipFile(file) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, content in changes.items():
        if content is None:
            members.pop(name)
        else:
            members[name] = content
    with zipfile.ZipFile(file, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def manifest_with(file: Path, **changes: object) -> bytes:
    with zipfile.ZipFile(file) as archive:
        return json.dumps(json.loads(archive.read("manifest.json")) | changes).encode()


def test_a_restore_refuses_a_backup_from_a_newer_schema(
    new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    source, target, file = new_database("sqlite"), new_database("sqlite"), tmp_path / "backup.zip"
    filled(source)
    backup.write_backup(Database(source), file)
    rewrite(file, {"manifest.json": manifest_with(file, schema_revision="9999_from_the_future")})

    status, out, err = run(capsys, monkeypatch, target, "restore", str(file))

    assert (status, out) == (2, "")
    assert err.startswith("backup.zip: this backup comes from a newer version of SEND Review")
    assert "upgrade SEND Review" in err
    assert not backup.holds_data(Database(target))


def test_a_damaged_backup_changes_nothing(new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch) -> None:
    source, target, file = new_database("sqlite"), new_database("sqlite"), tmp_path / "backup.zip"
    filled(source)
    backup.write_backup(Database(source), file)
    with zipfile.ZipFile(file) as archive:
        answers = archive.read("tables/answers.jsonl").splitlines(keepends=True)
    rewrite(file, {"tables/answers.jsonl": b"".join(answers[:-1])})  # one row lost
    filled(target)
    kept = snapshot(Database(target))

    status, out, err = run(capsys, monkeypatch, target, "restore", "--replace", str(file))

    assert (status, out) == (2, "")
    rows = len(answers)
    assert err == (
        f"backup.zip: tables/answers.jsonl: holds {rows - 1} rows but the manifest says {rows}: "
        "the backup is incomplete\n"
    )
    assert snapshot(Database(target)) == kept  # the failed restore was rolled back, tables and all


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"urn,name\n900001,Alder\n", "backup.zip: the backup is damaged (File is not a zip file)\n"),
        ({"manifest.json": None}, "backup.zip: not a SEND Review backup (it has no manifest.json)\n"),
        ({"manifest.json": b'{"format": "other"}'}, "backup.zip: not a SEND Review backup"),
        ({"tables/users.jsonl": None}, "backup.zip: the backup is incomplete"),
    ],
    ids=["not a zip", "no manifest", "another format", "a table missing"],
)
def test_a_restore_explains_what_is_wrong_with_a_file(
    content: bytes | dict, message: str, new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    source, target, file = new_database("sqlite"), new_database("sqlite"), tmp_path / "backup.zip"
    filled(source)
    backup.write_backup(Database(source), file)
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        rewrite(file, content)

    status, out, err = run(capsys, monkeypatch, target, "restore", str(file))

    assert (status, out) == (2, "")
    assert err.startswith(message)
    assert "Traceback" not in err


def test_backup_and_restore_are_for_administrators_only(
    new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    source, file = new_database("sqlite"), tmp_path / "backup.zip"
    filled(source)

    status, _, err = run(capsys, monkeypatch, source, "--as", SENCO_EMAIL, "backup", str(file))
    assert (status, err) == (3, "Backups and restores are for administrators and the server operator.\n")
    assert not file.exists()
    status, _, err = run(capsys, monkeypatch, source, "--as", SENCO_EMAIL, "restore", "--replace", str(file))
    assert (status, err) == (3, "Backups and restores are for administrators and the server operator.\n")
    status, _, err = run(capsys, monkeypatch, new_database("sqlite"), "--as", ADMIN_EMAIL, "restore", str(file))
    assert (status, err) == (3, f"There is no active user with the email {ADMIN_EMAIL}.\n")

    assert run(capsys, monkeypatch, source, "--as", ADMIN_EMAIL, "backup", str(file))[0] == 0
    assert run(capsys, monkeypatch, source, "--as", ADMIN_EMAIL, "restore", "--replace", str(file))[0] == 0


def test_a_backup_file_is_private_and_appears_only_when_complete(
    new_database: NewDatabase, tmp_path: Path, monkeypatch
) -> None:
    source, file = new_database("sqlite"), tmp_path / "backup.zip"
    filled(source)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(backup, "_write_table", fail)
    with pytest.raises(RuntimeError):
        backup.write_backup(Database(source), file)
    assert list(tmp_path.glob("*.zip*")) == []
    monkeypatch.undo()

    backup.write_backup(Database(source), file)
    assert [p.name for p in tmp_path.glob("*.zip*")] == ["backup.zip"]
    assert os.stat(file).st_mode & 0o777 == 0o600  # it holds password and session hashes


def test_an_unreachable_database_is_one_line_not_a_traceback(
    new_database: NewDatabase, tmp_path: Path, capsys, monkeypatch
) -> None:
    file = tmp_path / "backup.zip"
    backup.write_backup(open_database(new_database("sqlite")), file)
    url = "postgresql://nobody@127.0.0.1:9/nowhere?connect_timeout=2"
    for argv in (["backup", str(tmp_path / "other.zip")], ["restore", str(file)]):
        status, out, err = run(capsys, monkeypatch, url, *argv)
        assert (status, out) == (2, "")
        assert err.startswith("database: ") and len(err.splitlines()) == 1
