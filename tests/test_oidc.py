"""Single sign-on (OIDC through st.login) without an identity provider: the mapping, and the app with st.user set."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
import streamlit as st
from streamlit.errors import StreamlitAuthError
from streamlit.testing.v1 import AppTest

from data import audit, users
from data.access import OPERATOR
from tests.support.pages import APP, PASSWORD, add_user, prepared_site, texts
from ui import auth

AUTH_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-string-for-tests-only",
    "client_id": "send-review",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    yield db, senco
    st.cache_resource.clear()
    db.dispose()


def identity(email: str, *, issued: float | None = None, **claims: object) -> dict[str, object]:
    """What st.user holds after an organisation sign-in: the ID token's claims."""
    return {"is_logged_in": True, "email": email, "iat": int(issued or time.time()), "sub": "abc123", **claims}


def _last_login(db, user_id: int) -> datetime | None:
    admin = users.authenticate(db, "admin@la.example", PASSWORD)
    return next(u.last_login for u in users.list_users(db, admin) if u.id == user_id)


def _failures(db) -> list[tuple[str, str]]:
    return [(r.who, r.detail) for r in audit.read_log(db, OPERATOR, audit.AuditFilter(action="sign_in_failed")).rows]


def test_a_known_email_maps_to_the_account_whatever_its_case_and_the_role_comes_from_the_record(site):
    db, senco = site
    before = audit.now()
    actor = auth.organisation_actor(db, identity("SENCO@Alder.Example", role="admin", groups=["admins"]))
    assert (actor.id, actor.role, actor.school_urn) == (senco.id, "school", "900001")
    newest = audit.read_log(db, OPERATOR, audit.AuditFilter(action="sign_in")).rows[0]
    assert (newest.who, newest.detail) == ("senco@alder.example", "single sign-on")
    last_login = _last_login(db, senco.id)
    assert last_login is not None and last_login >= before  # stamped as a password sign-in stamps it


def test_an_unknown_email_is_refused_clearly_and_audited(site):
    db, _ = site
    with pytest.raises(auth.OrganisationSignInRefused, match="no active SEND Review account"):
        auth.organisation_actor(db, identity("stranger@elsewhere.example"))
    assert _failures(db) == [("stranger@elsewhere.example", "single sign-on: no active account with this email")]


def test_a_deactivated_account_is_refused(site):
    db, senco = site
    admin = users.authenticate(db, "admin@la.example", "correct horse battery staple")
    users.set_active(db, admin, senco.id, False)
    with pytest.raises(auth.OrganisationSignInRefused):
        auth.organisation_actor(db, identity("senco@alder.example"))


@pytest.mark.parametrize(
    "claims",
    [
        {"is_logged_in": True},
        {"is_logged_in": False, "email": "senco@alder.example"},
        {"is_logged_in": True, "email": "senco@alder.example", "email_verified": False},
    ],
    ids=["no email", "not signed in", "email not verified"],
)
def test_an_identity_without_a_usable_email_is_refused_and_audited(site, claims):
    db, _ = site
    with pytest.raises(auth.OrganisationSignInRefused):
        auth.organisation_actor(db, claims)
    assert len(_failures(db)) == 1


def test_only_a_freshly_issued_identity_signs_in_by_itself():
    now = datetime(2026, 11, 23, 9, 0)
    assert auth.fresh_identity({"iat": now.timestamp() - 30}, now=now)
    assert not auth.fresh_identity({"iat": (now - timedelta(minutes=11)).timestamp()}, now=now)
    assert not auth.fresh_identity({"iat": (now + timedelta(minutes=5)).timestamp()}, now=now)
    assert not auth.fresh_identity({}, now=now)


def _app(*, secrets: bool = True, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets["auth"] = dict(AUTH_SECRETS)
    if user is not None:
        at.user = user
    return at


def test_the_sign_in_page_offers_the_organisation_only_when_auth_is_configured(site):
    at = _app().run()
    assert "Sign in with your organisation" in [b.label for b in at.button]
    plain = _app(secrets=False).run()
    assert "Sign in with your organisation" not in [b.label for b in plain.button]
    assert not plain.exception and not plain.error


def test_the_button_starts_st_login(site, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "login", lambda provider=None: calls.append(provider))
    at = _app().run()
    at.button(key="auth_sso_sign_in").click().run()
    assert calls == [None]


def test_a_broken_set_up_says_so_and_keeps_the_password_route(site, monkeypatch):
    def broken(provider=None):
        raise StreamlitAuthError("Authlib is not installed")

    monkeypatch.setattr(st, "login", broken)
    at = _app().run()
    at.button(key="auth_sso_sign_in").click().run()
    assert "Single sign-on is not working on this server" in texts(at)
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_a_fresh_organisation_identity_signs_in_with_the_accounts_role(site):
    db, senco = site
    before = audit.now()
    at = _app(user=identity("senco@alder.example")).run()
    assert not at.exception
    last_login = _last_login(db, senco.id)
    assert last_login is not None and last_login >= before
    assert [m.value for m in at.sidebar.markdown][:1] == ["**senco**"]
    pages = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert "audit" not in pages and "users" not in pages and "start" in pages  # a school user's navigation


def test_a_stale_identity_must_sign_in_again(site):
    at = _app(user=identity("senco@alder.example", issued=time.time() - 3600)).run()
    assert "Sign in with your organisation" in [b.label for b in at.button]
    assert not at.sidebar.button  # no account box: not signed in


def test_an_unknown_identity_sees_why_once_and_is_audited_once(site):
    db, _ = site
    at = _app(user=identity("stranger@elsewhere.example")).run()
    assert "there is no active SEND Review account with that email address" in texts(at)
    at.run()
    assert len(_failures(db)) == 1
    assert "Sign out of your organisation account" in [b.label for b in at.button]


def test_signing_out_also_ends_the_organisation_identity(site, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "logout", lambda: calls.append("logout"))
    at = _app(user=identity("senco@alder.example")).run()
    at.sidebar.button(key="auth_sign_out").click().run()
    assert calls == ["logout"]
