"""Who is signed in: the session cookie, the pages a visitor sees, and the account box.

``st.session_state`` only caches the signed-in user for one browser tab; the record is the
``sessions`` table, reached through a cookie that holds a random token (the database keeps its
sha256). Streamlit can read cookies (``st.context.cookies``, as sent when the tab connected) but
cannot set them, so a one-line script in ``st.html`` writes ``document.cookie``. Being set from
script, the cookie cannot be HttpOnly; it is SameSite=Strict, Secure over https, and worthless
once the session row is gone.

Single sign-on: when ``.streamlit/secrets.toml`` has an ``[auth]`` section, the sign-in page also
offers "Sign in with your organisation" (``st.login``). The identity the organisation returns
(``st.user``) is mapped by email to an active account here, whose record gives the role; an
unknown email is refused and audited. Only a fresh identity (issued in the last few minutes) signs
in by itself, so Streamlit's 30-day identity cookie cannot outlive our idle timeout.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from data import audit, sessions, users
from data.access import Actor, NotFound
from data.db import Database
from data.schools import get_school
from ui.context import get_db
from ui.labels import USER_ROLE_WORDS

log = logging.getLogger("send_review")

COOKIE = "send_review_session"
RECHECK_SECONDS = 60  # how stale the cached user may get before the session row is checked again
_SIGNED_IN = "_auth_signed_in"
_PENDING = "_auth_pending"  # signed in with a temporary password, still to choose their own
_NOTICE = "_auth_notice"
_RETURN_TO = "_auth_return_to"
_DEAD_COOKIE = "_auth_dead_cookie"
_PAGE_NAME = re.compile(r"[a-z0-9_-]{1,60}")
_OWN_PAGES = {"sign-in", "set-up", "choose-password"}
_SSO_TRIED = "_auth_sso_tried"  # the organisation identity this tab has already tried, so it is tried once
_SSO_REFUSED = "_auth_sso_refused"  # why it was refused, for the sign-in page
_VIA_SSO = "_auth_via_sso"  # signed in through the organisation, so signing out also ends that identity
FRESH_IDENTITY = timedelta(minutes=10)


class OrganisationSignInRefused(Exception):
    """The organisation's identity has no active account here; the message is safe to show."""


@dataclass(frozen=True)
class _SignedIn:
    actor: Actor
    token: str
    checked: float  # time.monotonic() of the last look at the session row


def current_actor() -> Actor | None:
    """The signed-in user: cached for this tab, else restored from the session cookie, else None."""
    state: _SignedIn | None = st.session_state.get(_SIGNED_IN)
    if state is not None:
        if time.monotonic() - state.checked < RECHECK_SECONDS:
            return state.actor
        actor = sessions.session_actor(get_db(), state.token)
        if actor is None:  # idle too long, signed out elsewhere, or deactivated
            del st.session_state[_SIGNED_IN]
            st.session_state[_NOTICE] = "Your session has ended. Please sign in again."
            return None
        st.session_state[_SIGNED_IN] = _SignedIn(actor, state.token, time.monotonic())
        return actor
    token = session_cookie()
    if token and token != st.session_state.get(_DEAD_COOKIE):
        actor = sessions.session_actor(get_db(), token)
        if actor is not None:
            st.session_state[_SIGNED_IN] = _SignedIn(actor, token, time.monotonic())
            return actor
        st.session_state[_DEAD_COOKIE] = token
    return _from_organisation()


def confirm_session() -> Actor | None:
    """For a save: the signed-in user after a fresh look at the session row (not the minute-old cache).

    None when the session has ended (idle too long, signed out elsewhere): the tab is signed out, so
    the next run asks the user to sign in again, and the caller keeps what the user typed.
    """
    state: _SignedIn | None = st.session_state.get(_SIGNED_IN)
    if state is None:
        return None
    actor = sessions.session_actor(get_db(), state.token)
    if actor is None:
        del st.session_state[_SIGNED_IN]
        st.session_state[_NOTICE] = (
            "Your session has ended. Please sign in again. What you typed but could not save is kept and "
            "shown again, ready to save."
        )
        return None
    st.session_state[_SIGNED_IN] = _SignedIn(actor, state.token, time.monotonic())
    return actor


def is_signed_in() -> bool:
    """Whether this tab holds a signed-in user (without looking at the session row)."""
    return st.session_state.get(_SIGNED_IN) is not None


def session_cookie() -> str | None:
    """The session token the browser sent when this tab connected (a reload sends the latest)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None  # AppTest's stand-in client hands back mocks


def require_actor() -> Actor:
    """For pages: the signed-in user, or stop the page (navigation already shows only sign-in then)."""
    actor = current_actor()
    if actor is None:
        st.info("Please sign in.")
        st.stop()
    return actor


def begin_session(actor: Actor) -> None:
    """After a successful sign-in: a new session row and cookie, unless a password must be chosen first."""
    db = get_db()
    st.session_state.pop(_NOTICE, None)
    if actor.id is not None and users.must_choose_password(db, actor.id):
        st.session_state[_PENDING] = actor
        return
    st.session_state.pop(_PENDING, None)
    token = sessions.start_session(db, actor)
    st.session_state[_SIGNED_IN] = _SignedIn(actor, token, time.monotonic())


def pending_actor() -> Actor | None:
    """The user who signed in with a temporary password and has not yet chosen their own."""
    return st.session_state.get(_PENDING)


def cancel_pending() -> None:
    st.session_state.pop(_PENDING, None)


def take_notice() -> str | None:
    """A one-off message for the sign-in page (signed out, session ended)."""
    return st.session_state.pop(_NOTICE, None)


def signed_out_pages() -> list[st.Page]:
    """One page for a visitor who is not signed in, answering at every address.

    The page is also registered (hidden) under the address the visitor asked for, e.g.
    ``/review?review=12``: the URL and its query parameters stay as they are, and the
    ``st.rerun()`` after signing in runs the real page of that name (Streamlit identifies a page
    by a hash of its url_path).
    """
    from ui import first_admin, sign_in  # the pages import this module

    if session_cookie():
        _write_cookie("", max_age=0)  # a leftover cookie whose session is gone
    if users.needs_first_admin(get_db()):
        render, title, path = first_admin.render, "Create the administrator", "set-up"
    elif pending_actor() is not None:
        render, title, path = sign_in.render_choose_password, "Choose your password", "choose-password"
    else:
        render, title, path = _sign_in_page, "Sign in", "sign-in"
    pages = [st.Page(render, title=title, icon=":material/login:", url_path=path, default=True)]
    asked_for = _requested_page()
    if asked_for:
        pages.append(st.Page(render, title=title, url_path=asked_for, visibility="hidden"))
    return pages


def signed_in_pages(actor: Actor) -> list[st.Page]:
    from ui import admin_users

    st.session_state.pop(_RETURN_TO, None)
    if actor.role != "admin":
        return []
    return [st.Page(admin_users.render, title="Users", icon=":material/group:", url_path="users")]


def render_account_box(actor: Actor) -> None:
    """Who is signed in, in the sidebar, with a Sign out button."""
    with st.sidebar:
        st.markdown(f"**{actor.label}**")
        st.caption(" · ".join(part for part in (USER_ROLE_WORDS.get(actor.role, actor.role), _scope(actor)) if part))
        st.button("Sign out", icon=":material/logout:", on_click=_sign_out, key="auth_sign_out")
        state: _SignedIn | None = st.session_state.get(_SIGNED_IN)
        if state is not None and session_cookie() != state.token:
            _write_cookie(state.token, max_age=int(sessions.MAX_LIFETIME.total_seconds()))


def _sign_out() -> None:
    state: _SignedIn | None = st.session_state.pop(_SIGNED_IN, None)
    if state is not None:
        sessions.end_session(get_db(), state.token)
    st.session_state.pop(_RETURN_TO, None)
    st.session_state[_NOTICE] = "You have signed out."
    if st.session_state.pop(_VIA_SSO, False):
        st.logout()  # also forget the organisation identity, or the next visit would sign straight back in


# --- single sign-on (OIDC through st.login) ---------------------------------------------------


def organisation_sign_in_configured() -> bool:
    """True when secrets.toml has an [auth] section (then st.login can reach the identity provider)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def organisation_actor(db: Database, identity: Mapping[str, object]) -> Actor:
    """The active account for an organisation identity (``st.user``), matched by email; else refused and audited.

    The role, school and LA come from the account here, never from the identity provider.

    >>> organisation_actor(db, {"is_logged_in": True, "email": "SENCO@Alder.example"}).role
    'school'
    """
    email = users.normalise_email(str(identity.get("email") or ""))
    if identity.get("is_logged_in") is not True or not email:
        _refuse(db, email, "no email address from the identity provider")
        raise OrganisationSignInRefused(
            "Your organisation did not give us your email address, so we cannot sign you in. "
            "Ask your administrator to check the single sign-on set-up."
        )
    if identity.get("email_verified") is False:
        _refuse(db, email, "email address not verified by the identity provider")
        raise OrganisationSignInRefused(
            f"Your organisation has not verified the email address {email}, so we cannot sign you in with it."
        )
    actor = users.actor_by_email(db, email)
    if actor is None:
        _refuse(db, email, "no active account with this email")
        raise OrganisationSignInRefused(
            f"You signed in to your organisation as {email}, but there is no active SEND Review account with "
            "that email address. Ask your administrator to invite you with this address."
        )
    users.record_sso_sign_in(db, actor)
    return actor


def fresh_identity(identity: Mapping[str, object], *, now: datetime | None = None) -> bool:
    """Issued (``iat``) in the last few minutes: the person has just come back from the identity provider."""
    issued = identity.get("iat")
    if not isinstance(issued, int | float):
        return False
    age = (now or datetime.now()).timestamp() - float(issued)
    return -60 <= age <= FRESH_IDENTITY.total_seconds()  # a minute of clock skew either way


def _refuse(db: Database, email: str, why: str) -> None:
    who = Actor(id=None, email=email or "(no email)", role="peer")  # not an account: only its email is stored
    audit.log_event(db, who, "sign_in_failed", detail=f"single sign-on: {why}")


def _identity() -> dict[str, object]:
    try:
        return st.user.to_dict()
    except Exception:  # st.user outside a browser session: nobody
        return {}


def _from_organisation() -> Actor | None:
    """Sign in the organisation identity Streamlit holds, once per fresh identity and tab."""
    if not organisation_sign_in_configured():
        return None
    identity = _identity()
    if identity.get("is_logged_in") is not True or not fresh_identity(identity):
        return None
    attempt = f"{identity.get('email')}|{identity.get('iat')}"
    if st.session_state.get(_SSO_TRIED) == attempt:
        return None
    st.session_state[_SSO_TRIED] = attempt
    db = get_db()
    try:
        actor = organisation_actor(db, identity)
    except OrganisationSignInRefused as exc:
        st.session_state[_SSO_REFUSED] = str(exc)
        return None
    token = sessions.start_session(db, actor)
    st.session_state[_SIGNED_IN] = _SignedIn(actor, token, time.monotonic())
    st.session_state[_VIA_SSO] = True
    return actor


def _sign_in_page() -> None:
    """The email-and-password page, and under it the organisation's sign-in when it is configured."""
    from ui import sign_in

    sign_in.render()
    if organisation_sign_in_configured():
        _organisation_box()


def _organisation_box() -> None:
    st.divider()
    refused = st.session_state.get(_SSO_REFUSED)
    if refused:
        st.error(refused)
        if st.button("Sign out of your organisation account", key="auth_sso_sign_out"):
            st.session_state.pop(_SSO_REFUSED, None)
            st.logout()
        return
    st.markdown("Or, if your organisation uses single sign-on:")
    if st.button("Sign in with your organisation", icon=":material/domain:", key="auth_sso_sign_in"):
        try:
            st.login()
        except Exception:  # e.g. Authlib not installed, or [auth] incomplete: say so, keep the password route
            log.exception("single sign-on is configured but could not start")
            st.error(
                "Single sign-on is not working on this server at the moment. Sign in with your email and "
                "password, or tell your administrator."
            )


def _scope(actor: Actor) -> str:
    if actor.role == "school" and actor.school_urn:
        try:
            return get_school(get_db(), actor, actor.school_urn).name
        except NotFound:
            return f"School {actor.school_urn}"
    if actor.role == "la" and actor.la:
        return actor.la
    return ""


def _requested_page() -> str:
    """The page address a signed-out visitor asked for, remembered for this tab until they sign in."""
    try:  # Streamlit's own record of the address; not public API, so degrade to "no deep link"
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        name = (ctx.pages_manager.intended_page_name or "") if ctx else ""
    except (ImportError, AttributeError):
        name = ""
    if name and _PAGE_NAME.fullmatch(name) and name not in _OWN_PAGES:
        st.session_state[_RETURN_TO] = name
    return st.session_state.get(_RETURN_TO, "")


def _write_cookie(token: str, *, max_age: int) -> None:
    # The token is URL-safe base64 (or empty), so it needs no escaping inside the JS string.
    st.html(
        "<script>document.cookie = "
        f"'{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )
