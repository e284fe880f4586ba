"""Parallel sign-ins against the lock-out, on SQLite and PostgreSQL (issue #10).

Twenty wrong passwords and the right one sent at the same moment used to sign in: every attempt read
``locked_until`` before hashing and counted its failure after, so all of them were checked. Now each
attempt is counted before its hash, atomically, and at most five are ever checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import sessions, users
from data.access import OPERATOR, Actor
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import audit_log
from data.tables import users as users_table
from tests.support.pages import register

EMAIL = "admin@la.example"
RIGHT = "correct horse battery"
WRONG = "wrong horse battery"
HASH_SECONDS = 0.3  # each password check is slowed down, so the attempts really overlap


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    upsert_schools(database, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    users.create_first_admin(database, EMAIL, "Ada Admin", RIGHT)
    yield database
    database.dispose()


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords actually hashed against the account, each taking HASH_SECONDS."""
    seen: list[str] = []
    real = users.verify_password

    def slow(stored: str | None, password: str) -> bool:
        if stored is not None:
            seen.append(password)
            time.sleep(HASH_SECONDS)
        return real(stored, password)

    monkeypatch.setattr(users, "verify_password", slow)
    return seen


def _attempt(db: Database, password: str, outcomes: list[str], start: threading.Barrier, delay: float) -> None:
    start.wait()
    time.sleep(delay)
    try:
        users.authenticate(db, EMAIL, password)
        outcomes.append(f"signed in with {password}")
    except users.SignInFailed:
        outcomes.append("refused")


def _storm(db: Database, right_delay: float) -> list[str]:
    """20 wrong passwords at once and the right one ``right_delay`` seconds later, each in its own thread."""
    outcomes: list[str] = []
    passwords = [WRONG] * 20 + [RIGHT]
    start = threading.Barrier(len(passwords))
    threads = [
        threading.Thread(target=_attempt, args=(db, p, outcomes, start, right_delay if p == RIGHT else 0.0))
        for p in passwords
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(passwords)
    return outcomes


def _audit(db: Database) -> list[tuple[str, str]]:
    with db.read() as conn:
        rows = conn.execute(sa.select(audit_log.c.action, audit_log.c.detail).order_by(audit_log.c.id)).all()
    return [(r.action, r.detail) for r in rows if r.action in ("sign_in", "sign_in_failed")]


def test_the_right_password_behind_twenty_wrong_ones_in_parallel_is_refused(db: Database, checked: list[str]) -> None:
    outcomes = _storm(db, right_delay=HASH_SECONDS / 3)  # the wrong ones are still being hashed
    assert f"signed in with {RIGHT}" not in outcomes
    assert len(checked) <= users.MAX_FAILED_SIGN_INS, f"{len(checked)} passwords were checked"
    with db.read() as conn:
        locked = conn.execute(sa.select(users_table.c.locked_until).where(users_table.c.email == EMAIL)).scalar()
    assert locked is not None, "five wrong passwords lock the account"
    assert ("sign_in", "") not in _audit(db)


def test_twenty_wrong_and_the_right_one_at_the_same_moment_never_sign_in_a_locked_account(
    db: Database, checked: list[str]
) -> None:
    outcomes = _storm(db, right_delay=0.0)
    assert len(checked) <= users.MAX_FAILED_SIGN_INS, f"{len(checked)} passwords were checked"
    events = _audit(db)
    locking = [i for i, (action, detail) in enumerate(events) if "locked for" in detail]
    signed_in = [i for i, (action, _) in enumerate(events) if action == "sign_in"]
    # The right password may win one of the five checks; then it signs in before any lock, and that is right.
    assert locking or signed_in, f"neither locked after five wrong passwords nor signed in: {events}"
    if locking:
        assert all(i < locking[0] for i in signed_in), f"signed in after the account was locked: {events}"
    assert outcomes.count("refused") >= 20


def test_changing_your_own_password_ends_your_other_sessions(database_url: str) -> None:
    db = open_database(database_url)
    try:
        admin: Actor = users.create_first_admin(db, EMAIL, "Ada Admin", RIGHT)
        laptop, phone = sessions.start_session(db, admin), sessions.start_session(db, admin)
        users.set_password(db, admin, admin.id, "a brand new passphrase")
        assert sessions.session_actor(db, laptop) is None
        assert sessions.session_actor(db, phone) is None
        assert users.authenticate(db, EMAIL, "a brand new passphrase") == admin
    finally:
        db.dispose()
