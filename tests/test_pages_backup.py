"""The Backup page (administrators only): download a backup, restore one after checking it and asking,
with nothing changed by a bad upload and nothing offered to anyone else. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import backup_admin, users
from data.access import NotAllowed
from data.backup import check_backup, write_backup
from data.tables import audit_log
from tests.support.pages import PASSWORD, add_user, app_as, open_page, prepared_site, texts

ZIP = "application/zip"


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    admin = users.authenticate(db, "admin@la.example", PASSWORD)
    yield db, admin
    db.dispose()


def _emails(db) -> set[str]:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return set(conn.execute(sa.text("SELECT email FROM users")).scalars())


def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return list(conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars())


def _backup_bytes(db, tmp_path: Path) -> bytes:  # type: ignore[no-untyped-def]
    path = tmp_path / "send-review-backup.zip"
    write_backup(db, path)
    return path.read_bytes()


def test_an_administrator_makes_a_backup_to_download_and_it_is_audited(site, tmp_path):
    db, admin = site
    at = open_page(app_as(db, admin), "backup")
    assert not at.exception and at.title[0].value == "Backup"
    at.button(key="backup_make").click().run()
    assert not at.exception
    name, data, rows, tables = at.session_state["_backup_ready"]
    assert f"holds {rows:,} rows in {tables} tables" in texts(at)
    (tmp_path / name).write_bytes(data)
    summary, _ = check_backup(tmp_path / name)  # a whole, valid backup
    assert summary.rows == rows and summary.tables["users"] == 1
    assert "backup_made" in _actions(db)


def test_a_bad_upload_lists_its_problem_and_changes_nothing(site, tmp_path):
    db, admin = site
    good = _backup_bytes(db, tmp_path)
    add_user(db, "later@alder.example", "school", school_urn="900001")
    before, audit = _emails(db), _actions(db)
    at = open_page(app_as(db, admin), "backup")

    at.file_uploader(key="backup_upload").set_value(("notes.zip", b"this is not a zip file", ZIP)).run()
    assert not at.exception
    assert "notes.zip: the backup is damaged" in at.error[0].value
    assert not [b for b in at.button if b.key == "backup_restore"]  # nothing to confirm

    cut = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as whole, zipfile.ZipFile(cut, "w") as part:
        for item in whole.infolist():
            if item.filename != "tables/users.jsonl":
                part.writestr(item, whole.read(item))
    at.file_uploader(key="backup_upload").set_value(("cut.zip", cut.getvalue(), ZIP)).run()
    assert "the backup is incomplete" in at.error[0].value
    assert _emails(db) == before and _actions(db) == audit


def test_a_restore_is_confirmed_first_then_replaces_everything_and_is_audited(site, tmp_path):
    db, admin = site
    good = _backup_bytes(db, tmp_path)
    add_user(db, "later@alder.example", "school", school_urn="900001")
    at = open_page(app_as(db, admin), "backup")
    at.file_uploader(key="backup_upload").set_value(("send-review-backup.zip", good, ZIP)).run()
    assert not at.exception
    assert "send-review-backup.zip was made on" in at.info[0].value
    restore = at.button(key="backup_restore")
    assert restore.disabled  # not before the administrator confirms
    assert "later@alder.example" in _emails(db)

    next(c for c in at.checkbox if c.key.startswith("backup_confirm_")).check().run()
    at.button(key="backup_restore").click().run()
    assert not at.exception
    assert "Restored" in at.success[0].value
    assert _emails(db) == {"admin@la.example"}  # as it was when the backup was made
    assert _actions(db)[-1] == "backup_restored"
    with db.read() as conn:
        last = conn.execute(
            sa.select(audit_log.c.user_id, audit_log.c.user_email).order_by(audit_log.c.id.desc())
        ).first()
    assert tuple(last) == (admin.id, "admin@la.example")  # the administrator's account, as the backup holds it
    at.run()
    assert not [b for b in at.button if b.key == "backup_restore"]  # not restored twice by a second click


def test_only_an_administrator_is_offered_the_page_or_allowed_the_work(site, tmp_path):
    db, _ = site
    path = tmp_path / "send-review-backup.zip"
    path.write_bytes(_backup_bytes(db, tmp_path))
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    la = add_user(db, "advisor@la.example", "la", la="North")
    before = _emails(db)
    for person in (senco, la):
        with pytest.raises(AssertionError, match="no page registered at /backup"):
            open_page(app_as(db, person), "backup")
        with pytest.raises(NotAllowed):
            backup_admin.make_backup(db, person, tmp_path / "mine.zip")
        with pytest.raises(NotAllowed):
            backup_admin.inspect_backup(person, path)
        with pytest.raises(NotAllowed):
            backup_admin.restore(db, person, path)
    assert not (tmp_path / "mine.zip").exists()
    assert _emails(db) == before
