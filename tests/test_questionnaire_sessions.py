"""A save after the session has ended is refused; what was typed stays on screen and is saved after signing in."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from data import reviews, sessions
from data.tables import sessions as sessions_table
from framework.library import builtin_framework
from tests.support.answers import evidence
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts
from ui import auth

FRAMEWORK = builtin_framework("senco-role-audit")


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    yield db, senco
    db.dispose()


def test_after_the_idle_timeout_a_save_is_refused_and_the_typing_kept_until_signed_in_again(site):
    db, senco = site
    rid = reviews.start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="yes")
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    with db.write() as conn:  # left idle past the timeout: the session row is gone
        conn.execute(sa.delete(sessions_table))

    evidence(at, rid, "role-designated").input("Governors' minutes, May").run()

    assert reviews.load_answers(db, senco, rid)["role-designated"].evidence == ""  # nothing saved
    # (in a browser the question alone reruns, showing the typing and "Not saved: your session has ended";
    # AppTest runs the whole page, which now asks to sign in again)
    assert "Your session has ended" in texts(at) and "Sign in to SEND Review" in texts(at)

    token = sessions.start_session(db, senco)  # signed in again, in the same tab
    at.session_state[auth._SIGNED_IN] = auth._SignedIn(senco, token, time.monotonic())
    at.run()  # the signed-in pages are registered again
    at = open_page(at, "review", review=rid, domain="role")
    assert evidence(at, rid, "role-designated").value == "Governors' minutes, May"
    assert "Not saved: your session has ended" in texts(at)
    next(b for b in at.button if b.label == "Save what you typed").click().run()
    stored = reviews.load_answers(db, senco, rid)["role-designated"]
    assert (stored.response, stored.evidence) == ("yes", "Governors' minutes, May")
    at.run()
    assert "Save what you typed" not in [b.label for b in at.button]
    assert "Saved at" in texts(at)
