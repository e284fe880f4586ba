"""Local accounts and sessions on SQLite and PostgreSQL: hashing, first admin, lock-out, invitations, idle expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from data import sessions, users
from data.access import OPERATOR, Actor, NotAllowed
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import audit_log
from data.tables import sessions as sessions_table
from data.tables import users as users_table
from framework.problems import InvalidInput
from tests.support.accounts import actor_for
from tests.support.pages import register

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    upsert_schools(database, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    yield database
    database.dispose()


@pytest.fixture
def admin(db: Database) -> Actor:
    return users.create_first_admin(db, "Admin@LA.example ", "Ada Admin", ADMIN_PASSWORD, now=T0)


def audit_rows(db: Database, action: str) -> list[sa.Row]:
    with db.read() as conn:
        return conn.execute(sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id)).all()


def stored_hash(db: Database, email: str) -> str:
    with db.read() as conn:
        return conn.execute(sa.select(users_table.c.password_hash).where(users_table.c.email == email)).scalar_one()


def everything_stored(db: Database) -> str:
    """Every value in the users, sessions and audit tables, as one string to search for secrets."""
    with db.read() as conn:
        rows = [
            *conn.execute(sa.select(users_table)).all(),
            *conn.execute(sa.select(sessions_table)).all(),
            *conn.execute(sa.select(audit_log)).all(),
        ]
    return repr(rows)


# --- hashing and the first administrator -------------------------------------------------------


def test_password_is_stored_as_an_argon2id_hash(db: Database, admin: Actor) -> None:
    stored = stored_hash(db, "admin@la.example")
    assert stored.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in stored
    assert PasswordHasher().verify(stored, ADMIN_PASSWORD)


def test_new_installation_needs_a_first_admin_until_one_exists(db: Database) -> None:
    assert users.needs_first_admin(db)
    actor = users.create_first_admin(db, "admin@la.example", "Ada Admin", ADMIN_PASSWORD)
    assert actor.role == "admin" and actor.id is not None
    assert not users.needs_first_admin(db)


def test_first_admin_can_be_created_only_once(db: Database, admin: Actor) -> None:
    with pytest.raises(NotAllowed):
        users.create_first_admin(db, "intruder@example.com", "Intruder", "another long password")
    assert [u.email for u in users.list_users(db, admin)] == ["admin@la.example"]
    assert len(audit_rows(db, "first_admin_created")) == 1


@pytest.mark.parametrize(
    ("email", "password", "complaint"),
    [
        ("admin@la.example", "short pass", "at least 12 characters"),
        ("admin@la.example", "Admin@LA.example", "must not contain your email"),
        ("admin@la.example", "xx admin@la.example xx", "must not contain your email"),
        ("not-an-email", ADMIN_PASSWORD, "valid email"),
    ],
)
def test_password_and_email_rules(db: Database, email: str, password: str, complaint: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        users.create_first_admin(db, email, "Ada Admin", password)
    assert complaint in str(raised.value)
    assert users.needs_first_admin(db)


def test_password_is_rehashed_on_sign_in_when_the_parameters_change(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher())  # the production parameters (tests use cheap ones)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with db.write() as conn:
        conn.execute(sa.update(users_table).values(password_hash=weak.hash(ADMIN_PASSWORD)))
    assert "m=8192" in stored_hash(db, "admin@la.example")

    users.authenticate(db, "admin@la.example", ADMIN_PASSWORD, now=T0)

    upgraded = stored_hash(db, "admin@la.example")
    assert "m=8192" not in upgraded
    assert not PasswordHasher().check_needs_rehash(upgraded)


# --- signing in, failures and lock-out -----------------------------------------------------------


def test_sign_in_returns_the_actor_and_is_audited(db: Database, admin: Actor) -> None:
    actor = users.authenticate(db, " ADMIN@la.example", ADMIN_PASSWORD, now=T0)
    assert actor == admin
    assert [r.user_id for r in audit_rows(db, "sign_in")] == [admin.id]


def test_wrong_password_and_unknown_email_give_the_same_message(db: Database, admin: Actor) -> None:
    with pytest.raises(users.SignInFailed) as wrong_password:
        users.authenticate(db, "admin@la.example", "not the password", now=T0)
    with pytest.raises(users.SignInFailed) as unknown_email:
        users.authenticate(db, "nobody@la.example", "not the password", now=T0)
    assert str(wrong_password.value) == str(unknown_email.value)
    assert "admin@la.example" not in str(wrong_password.value)
    failures = audit_rows(db, "sign_in_failed")
    assert [r.user_id for r in failures] == [admin.id, None]
    assert "nobody@la.example" not in everything_stored(db)  # what was typed for an unknown account is not kept


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(db: Database, admin: Actor) -> None:
    for minute in range(5):
        with pytest.raises(users.SignInFailed):
            users.authenticate(db, "admin@la.example", "wrong password!", now=T0 + timedelta(minutes=minute))
    with pytest.raises(users.SignInFailed) as locked:
        users.authenticate(db, "admin@la.example", ADMIN_PASSWORD, now=T0 + timedelta(minutes=10))
    assert str(locked.value) == users.SignInFailed.MESSAGE
    assert "locked" in audit_rows(db, "sign_in_failed")[-1].detail


def test_four_wrong_passwords_do_not_lock(db: Database, admin: Actor) -> None:
    for _ in range(4):
        with pytest.raises(users.SignInFailed):
            users.authenticate(db, "admin@la.example", "wrong password!", now=T0)
    assert users.authenticate(db, "admin@la.example", ADMIN_PASSWORD, now=T0) == admin


def test_lock_is_released_after_fifteen_minutes(db: Database, admin: Actor) -> None:
    for _ in range(5):
        with pytest.raises(users.SignInFailed):
            users.authenticate(db, "admin@la.example", "wrong password!", now=T0)
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "admin@la.example", ADMIN_PASSWORD, now=T0 + timedelta(minutes=14, seconds=59))
    assert users.authenticate(db, "admin@la.example", ADMIN_PASSWORD, now=T0 + timedelta(minutes=15)) == admin


# --- invitations, resets, roles, deactivation -------------------------------------------------------


def test_only_an_admin_can_invite(db: Database, admin: Actor) -> None:
    users.invite_user(db, admin, "advisor@north.example", "Nia North", "la", la="North")
    advisor = users.authenticate(db, "advisor@north.example", users_temporary(db, admin, "advisor@north.example"))
    with pytest.raises(NotAllowed):
        users.invite_user(db, advisor, "x@north.example", "X", "school", school_urn="900001")
    with pytest.raises(NotAllowed):
        users.list_users(db, advisor)


def users_temporary(db: Database, admin: Actor, email: str) -> str:
    """A fresh temporary password for ``email`` (the invitation's one was only shown once)."""
    user = next(u for u in users.list_users(db, admin) if u.email == email)
    return users.reset_password(db, admin, user.id)


def test_invited_user_signs_in_with_the_temporary_password_then_must_choose_their_own(
    db: Database, admin: Actor
) -> None:
    temporary = users.invite_user(db, admin, "senco@alder.example", "Sam Senco", "school", school_urn="900001")
    assert len(temporary) >= users.PASSWORD_MIN_LENGTH
    assert temporary not in stored_hash(db, "senco@alder.example")
    senco = users.authenticate(db, "senco@alder.example", temporary)
    assert senco.role == "school" and senco.school_urn == "900001"
    assert users.must_choose_password(db, senco.id)

    users.set_password(db, senco, senco.id, "my own long password")

    assert not users.must_choose_password(db, senco.id)
    assert users.authenticate(db, "senco@alder.example", "my own long password") == senco
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "senco@alder.example", temporary)


def test_temporary_password_expires_after_seven_days(db: Database, admin: Actor) -> None:
    temporary = users.invite_user(db, admin, "peer@example.com", "Pat Peer", "peer", now=T0)
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "peer@example.com", temporary, now=T0 + timedelta(days=7, seconds=1))
    assert users.authenticate(db, "peer@example.com", temporary, now=T0 + timedelta(days=6)).role == "peer"


@pytest.mark.parametrize(
    ("role", "kwargs", "complaint"),
    [
        ("school", {}, "needs a school"),
        ("school", {"school_urn": "123456"}, "no school with URN 123456"),
        ("la", {}, "needs the local authority"),
        ("boss", {}, "must be one of"),
    ],
)
def test_invitation_needs_a_valid_role_and_scope(
    db: Database, admin: Actor, role: str, kwargs: dict, complaint: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        users.invite_user(db, admin, "new@example.com", "New Person", role, **kwargs)
    assert complaint in str(raised.value)


def test_an_email_can_have_only_one_account(db: Database, admin: Actor) -> None:
    users.invite_user(db, admin, "peer@example.com", "Pat Peer", "peer")
    with pytest.raises(InvalidInput, match="already an account"):
        users.invite_user(db, admin, "PEER@example.com", "Pat Peer", "peer")


def test_reset_lifts_the_lock_and_ends_sessions(db: Database, admin: Actor) -> None:
    users.invite_user(db, admin, "peer@example.com", "Pat Peer", "peer")
    peer_id = next(u.id for u in users.list_users(db, admin) if u.role == "peer")
    token = sessions.start_session(db, actor_for(db, peer_id))
    for _ in range(5):
        with pytest.raises(users.SignInFailed):
            users.authenticate(db, "peer@example.com", "wrong password!")

    temporary = users.reset_password(db, admin, peer_id)

    assert sessions.session_actor(db, token) is None
    assert users.authenticate(db, "peer@example.com", temporary).id == peer_id
    assert audit_rows(db, "password_reset")[-1].user_id == admin.id


def test_deactivated_user_cannot_sign_in_and_is_signed_out(db: Database, admin: Actor) -> None:
    users.invite_user(db, admin, "peer@example.com", "Pat Peer", "peer")
    peer_id = next(u.id for u in users.list_users(db, admin) if u.role == "peer")
    temporary = users_temporary(db, admin, "peer@example.com")
    token = sessions.start_session(db, actor_for(db, peer_id))

    users.set_active(db, admin, peer_id, False)

    assert sessions.session_actor(db, token) is None
    assert actor_for(db, peer_id) is None
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "peer@example.com", temporary)
    with pytest.raises(NotAllowed):
        users.set_active(db, admin, admin.id, False)


def test_role_change_is_audited_and_applies_to_the_next_sign_in(db: Database, admin: Actor) -> None:
    users.invite_user(db, admin, "person@example.com", "Pat Person", "peer")
    person_id = next(u.id for u in users.list_users(db, admin) if u.role == "peer")

    users.change_role(db, admin, person_id, "school", school_urn="900001")

    assert actor_for(db, person_id).school_urn == "900001"
    assert "peer -> person@example.com as school for school 900001" in audit_rows(db, "role_changed")[-1].detail
    with pytest.raises(NotAllowed):
        users.change_role(db, admin, admin.id, "la", la="North")


def test_invitations_are_audited_and_no_secret_is_stored_in_clear(db: Database, admin: Actor) -> None:
    temporary = users.invite_user(db, admin, "senco@alder.example", "Sam Senco", "school", school_urn="900001")
    senco = users.authenticate(db, "senco@alder.example", temporary)
    token = sessions.start_session(db, senco)
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, "senco@alder.example", "a wrong guess here")

    invited = audit_rows(db, "user_invited")
    assert [(r.user_id, r.school_urn) for r in invited] == [(admin.id, "900001")]
    stored = everything_stored(db)
    for secret in (ADMIN_PASSWORD, temporary, token, "a wrong guess here"):
        assert secret not in stored


# --- sessions -----------------------------------------------------------------------------------------


def test_session_token_is_stored_only_as_its_sha256(db: Database, admin: Actor) -> None:
    token = sessions.start_session(db, admin, now=T0)
    with db.read() as conn:
        stored = conn.execute(sa.select(sessions_table.c.token_hash)).scalars().all()
    assert stored == [sessions.token_hash(token)]
    assert len(stored[0]) == 64 and token not in stored[0]


def test_session_survives_a_server_restart(db: Database, admin: Actor) -> None:
    token = sessions.start_session(db, admin, now=T0)
    restarted = open_database(db.url)  # a new engine and process state, the same database
    try:
        assert sessions.session_actor(restarted, token, now=T0 + timedelta(minutes=5)) == admin
    finally:
        restarted.dispose()


def test_session_dies_after_thirty_idle_minutes(db: Database, admin: Actor) -> None:
    token = sessions.start_session(db, admin, now=T0)
    assert sessions.session_actor(db, token, now=T0 + timedelta(minutes=29)) == admin  # refreshes last_seen
    assert sessions.session_actor(db, token, now=T0 + timedelta(minutes=58)) == admin  # 29 idle minutes
    assert sessions.session_actor(db, token, now=T0 + timedelta(minutes=88, seconds=1)) is None
    assert sessions.session_actor(db, token, now=T0 + timedelta(minutes=89)) is None  # the row is gone


def test_idle_timeout_comes_from_the_environment(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEND_REVIEW_IDLE_MINUTES", "5")
    token = sessions.start_session(db, admin, now=T0)
    assert sessions.session_actor(db, token, now=T0 + timedelta(minutes=5, seconds=1)) is None


def test_last_seen_is_written_at_most_once_a_minute(db: Database, admin: Actor) -> None:
    token = sessions.start_session(db, admin, now=T0)

    def last_seen() -> datetime:
        with db.read() as conn:
            return users.utc(conn.execute(sa.select(sessions_table.c.last_seen)).scalar_one())

    sessions.session_actor(db, token, now=T0 + timedelta(seconds=59))
    assert last_seen() == T0
    sessions.session_actor(db, token, now=T0 + timedelta(seconds=61))
    assert last_seen() == T0 + timedelta(seconds=61)


def test_sign_out_ends_the_session_and_is_audited(db: Database, admin: Actor) -> None:
    token = sessions.start_session(db, admin)
    sessions.end_session(db, token)
    assert sessions.session_actor(db, token) is None
    assert [r.user_id for r in audit_rows(db, "sign_out")] == [admin.id]


def test_an_unknown_token_is_no_session(db: Database, admin: Actor) -> None:
    sessions.start_session(db, admin)
    assert sessions.session_actor(db, "forged-token") is None
    assert sessions.session_actor(db, "") is None
