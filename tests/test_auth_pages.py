"""The sign-in pages through Streamlit's AppTest: first administrator, sign-in, navigation by role, sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import sessions, users
from data.access import OPERATOR, Actor
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import sessions as sessions_table
from tests.support.pages import register
from ui import auth

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """An empty database that the app under test opens too (get_db is cached per process, so cleared)."""
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    st.cache_resource.clear()
    database = open_database(url)
    yield database
    st.cache_resource.clear()
    database.dispose()


@pytest.fixture
def nav_titles(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The titles of the pages app.py hands to st.navigation, one list per run."""
    seen: list[list[str]] = []
    real = st.navigation

    def recording(pages, **kwargs):  # type: ignore[no-untyped-def]
        seen.append([p.title for p in pages if p.visibility == "visible"])
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return seen


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.markdown, *at.caption, *at.info, *at.error, *at.success)]
    parts += [e.value for e in at.sidebar.markdown] + [e.value for e in at.sidebar.caption]
    return "\n".join(str(p) for p in parts)


def sign_in(at: AppTest, email: str, password: str) -> AppTest:
    inputs = at.text_input
    inputs[0].input(email)
    inputs[1].input(password)
    return at.button[0].click().run()


def with_school(db: Database) -> None:
    upsert_schools(db, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))


def make_admin(db: Database) -> Actor:
    return users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)


def make_school_user(db: Database, admin: Actor) -> Actor:
    with_school(db)
    temporary = users.invite_user(db, admin, "senco@alder.example", "Sam Senco", "school", school_urn="900001")
    senco = users.authenticate(db, "senco@alder.example", temporary)
    users.set_password(db, senco, senco.id, PASSWORD)
    return senco


def session_rows(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sessions_table)).scalar_one()


def test_empty_installation_asks_for_the_first_administrator(db: Database) -> None:
    at = app()
    assert not at.exception
    assert "Welcome to SEND Review" in texts(at)
    assert [b.label for b in at.button] == ["Create the administrator"]
    assert len(at.text_input) == 4  # email, name, password twice; no default password anywhere


def test_creating_the_administrator_signs_in_and_shows_home(db: Database) -> None:
    at = app()
    email, name, first, second = at.text_input
    email.input("admin@la.example")
    name.input("Ada Admin")
    first.input(PASSWORD)
    second.input(PASSWORD)
    at = at.button[0].click().run()

    assert not at.exception
    assert not at.error
    assert "Ada Admin" in texts(at) and "Administrator" in texts(at)
    assert at.title[0].value == "SEND Review"  # Home
    assert not users.needs_first_admin(db)
    assert session_rows(db) == 1


def test_mismatched_passwords_create_no_administrator(db: Database) -> None:
    at = app()
    email, name, first, second = at.text_input
    email.input("admin@la.example")
    name.input("Ada Admin")
    first.input(PASSWORD)
    second.input(PASSWORD + "!")
    at = at.button[0].click().run()
    assert "two passwords are different" in at.error[0].value
    assert users.needs_first_admin(db)


def test_wrong_password_shows_the_sign_in_error(db: Database) -> None:
    make_admin(db)
    at = app()
    assert "Sign in to SEND Review" in texts(at)
    at = sign_in(at, "admin@la.example", "not the password")
    assert [e.value for e in at.error] == [users.SignInFailed.MESSAGE]
    assert session_rows(db) == 0


def test_unknown_email_shows_the_same_error(db: Database) -> None:
    make_admin(db)
    at = sign_in(app(), "nobody@la.example", "not the password")
    assert [e.value for e in at.error] == [users.SignInFailed.MESSAGE]


def test_admin_sees_the_users_page_in_navigation(db: Database, nav_titles: list[list[str]]) -> None:
    make_admin(db)
    at = sign_in(app(), "admin@la.example", PASSWORD)
    assert not at.exception
    assert "Users" in nav_titles[-1]
    assert "Home" in nav_titles[-1]


def test_school_user_does_not_see_the_users_page(db: Database, nav_titles: list[list[str]]) -> None:
    make_school_user(db, make_admin(db))
    at = sign_in(app(), "senco@alder.example", PASSWORD)
    assert not at.exception
    assert "Sam Senco" in texts(at) and "Alder Primary" in texts(at)
    assert "Home" in nav_titles[-1]
    assert "Users" not in nav_titles[-1]


def test_a_temporary_password_leads_to_choosing_your_own(db: Database) -> None:
    admin = make_admin(db)
    with_school(db)
    temporary = users.invite_user(db, admin, "senco@alder.example", "Sam Senco", "school", school_urn="900001")
    at = sign_in(app(), "senco@alder.example", temporary)
    assert "Choose your password" in texts(at)
    assert session_rows(db) == 0  # no session until the temporary password is replaced

    at.text_input[0].input("my own long password")
    at.text_input[1].input("my own long password")
    at = at.button[0].click().run()

    assert "Sam Senco" in texts(at)
    assert session_rows(db) == 1
    senco = next(u for u in users.list_users(db, admin) if u.email == "senco@alder.example")
    assert not senco.temporary_password


def test_a_valid_session_cookie_signs_in_without_the_form(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    token = sessions.start_session(db, make_admin(db))
    monkeypatch.setattr(auth, "session_cookie", lambda: token)
    at = app()
    assert "Ada Admin" in texts(at)
    assert at.title[0].value == "SEND Review"


def test_a_dead_session_cookie_shows_the_sign_in_page(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    make_admin(db)
    monkeypatch.setattr(auth, "session_cookie", lambda: "not-a-live-token")
    assert "Sign in to SEND Review" in texts(app())


def test_a_session_ended_elsewhere_signs_the_tab_out(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    make_admin(db)
    at = sign_in(app(), "admin@la.example", PASSWORD)
    assert "Ada Admin" in texts(at)
    monkeypatch.setattr(auth, "RECHECK_SECONDS", 0)  # look at the session row on every run
    with db.write() as conn:  # e.g. idle for too long, or an administrator's reset
        conn.execute(sa.delete(sessions_table))
    at = at.run()
    assert "Sign in to SEND Review" in texts(at)
    assert "Your session has ended. Please sign in again." in texts(at)


def test_sign_out_ends_the_session(db: Database) -> None:
    make_admin(db)
    at = sign_in(app(), "admin@la.example", PASSWORD)
    assert session_rows(db) == 1
    at = at.sidebar.button(key="auth_sign_out").click().run()
    assert "Sign in to SEND Review" in texts(at)
    assert "You have signed out." in texts(at)
    assert session_rows(db) == 0


def test_users_page_invites_and_shows_the_temporary_password_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sessions.start_session(db, make_admin(db))
    monkeypatch.setattr(auth, "session_cookie", lambda: token)
    at = AppTest.from_function(_users_page, default_timeout=60).run()
    assert not at.exception
    at.selectbox(key="invite_role").select("peer").run()
    at.text_input(key="invite_email").input("peer@example.com")
    at.text_input(key="invite_name").input("Pat Peer")
    at = at.button[0].click().run()

    shown = [c.value for c in at.code]
    assert len(shown) == 1
    assert users.authenticate(db, "peer@example.com", shown[0]).role == "peer"
    assert not at.run().code  # shown once only


def _users_page() -> None:
    from ui import admin_users

    admin_users.render()
