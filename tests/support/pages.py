"""Run the real app.py under Streamlit's AppTest, signed in as a given user, on a given page."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import consent, schools, sessions, users
from data.access import OPERATOR, Actor
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from tests.support.accounts import actor_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "correct horse battery staple"


def register(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """A tiny register from (urn, name, la, phase) rows."""
    return pd.DataFrame(
        {
            "urn": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "la": [r[2] for r in rows],
            "phase": [r[3] for r in rows],
            "type": ["" for _ in rows],
            "pupils": [210 for _ in rows],
            "fsm_pct": [22.0 for _ in rows],
            "sen_support_pct": [13.0 for _ in rows],
            "ehcp_pct": [2.5 for _ in rows],
            "resourced_provision": [False for _ in rows],
        }
    )


def share_all(db: Database) -> None:
    """Every school in the register shares with its LA and its peer reviewers, as most schools of an LA
    that uses the tool would; tests of what *not* sharing hides start from this and withdraw."""
    for school in schools.list_schools(db, OPERATOR):
        for scope in consent.SCOPES:
            consent.set_consent(db, OPERATOR, school.urn, scope, give=True)


def prepared_site(url: str, monkeypatch) -> Database:  # type: ignore[no-untyped-def]
    """A database with two schools and an administrator, wired to the app under test."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    st.cache_resource.clear()
    db = open_database(url)
    upsert_schools(
        db,
        OPERATOR,
        register([("900001", "Alder Primary", "North", "primary"), ("900002", "Birch High", "South", "secondary")]),
    )
    share_all(db)
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    return db


def add_user(db: Database, email: str, role: str, *, school_urn: str | None = None, la: str | None = None) -> Actor:
    """Invite a user and let them choose their own password, as a real user would."""
    admin = users.authenticate(db, "admin@la.example", PASSWORD)
    users.invite_user(db, admin, email, email.split("@")[0], role, school_urn=school_urn, la=la)
    user_id = next(u.id for u in users.list_users(db, admin) if u.email == email)
    me = actor_for(db, user_id)
    assert me is not None
    users.set_password(db, me, user_id, PASSWORD)
    return users.authenticate(db, email, PASSWORD)


def app_as(db: Database, actor: Actor) -> AppTest:
    """An AppTest of app.py whose browser session is signed in as ``actor``."""
    from ui import auth

    at = AppTest.from_file(APP, default_timeout=60)
    token = sessions.start_session(db, actor)
    at.session_state[auth._SIGNED_IN] = auth._SignedIn(actor, token, time.monotonic())
    return at


def open_page(at: AppTest, url_path: str, **params: object) -> AppTest:
    """Run the page registered at ``url_path`` with these query parameters (the app must have run once)."""
    if not at._registered_pages:
        at.run()
    for page_hash, info in at._registered_pages.items():
        if info.get("url_pathname") in (url_path, "" if url_path == "home" else None):  # the default page is "/"
            at._page_hash = page_hash
            break
    else:
        raise AssertionError(f"no page registered at /{url_path}")
    at.query_params.clear()
    at.query_params.update({k: str(v) for k, v in params.items()})
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page says, as one string, for asserting on words a user reads."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


# A SENCO role audit answered far enough to score two domains, with one statutory duty unmet: what the
# action-plan page and the report journey start from.
PLAN_ANSWERS = {
    "role-designated": "no",
    "role-eligible-qualified": "yes",
    "role-rule-applies": "yes",
    "role-decided-by-governors": "yes",
    "role-job-description": "Established",
    "lead-slt-member": "yes",
    "lead-strategic-voice": "Emerging",
    "lead-improvement-plan": "Developing",
    "lead-policy-matches": "Embedded",
    "lead-sen-governor": "no",
}
