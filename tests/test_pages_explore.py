"""The sign-in page's Explore as... offer (AppTest): shown on the demo alone, gone with SEND_REVIEW_DEMO=0; the
Users page offers the file import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import sessions, users
from data.db import Database
from data.setup import open_database
from tests.support.templates import DatabaseTemplates
from tests.test_auth_pages import APP, PASSWORD, texts
from ui import auth


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _templates: DatabaseTemplates) -> Iterator[Database]:
    url = _templates.sqlite_copy(tmp_path / "app.db", demo=True)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", "1")
    st.cache_resource.clear()
    database = open_database(url, demo_on_empty=True)
    users.create_first_admin(database, "admin@la.example", "Ada Admin", PASSWORD)
    yield database
    st.cache_resource.clear()
    database.dispose()


def _explore_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label.startswith("Explore as")]


def test_the_demo_alone_offers_three_roles_and_a_click_signs_in(demo_db: Database) -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert _explore_buttons(at) == [
        "Explore as the SENCO of a demo school",
        "Explore as an assigned peer reviewer",
        "Explore as an LA advisor of the demo LA",
    ]
    at = at.button(key="explore_school").click().run()
    assert not at.exception
    assert "Sam Senco (demo)" in texts(at)


def test_no_offer_when_the_demo_is_switched_off(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert "Sign in to SEND Review" in texts(at)
    assert _explore_buttons(at) == []


def test_the_users_page_offers_the_file_import(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = users.actor_by_email(demo_db, "admin@la.example")
    token = sessions.start_session(demo_db, admin)
    monkeypatch.setattr(auth, "session_cookie", lambda: token)
    at = AppTest.from_function(_users_page, default_timeout=60).run()
    assert not at.exception
    assert "Import a users file" in [s.value for s in at.header]


def _users_page() -> None:
    from ui import admin_users

    admin_users.render()
