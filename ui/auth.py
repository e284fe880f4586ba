"""Who is signed in: the session cookie, the pages a visitor sees, and the account box.

``st.session_state`` only caches the signed-in user for one browser tab; the record is the
``sessions`` table, reached through a cookie that holds a random token (the database keeps its
sha256). Streamlit can read cookies (``st.context.cookies``, as sent when the tab connected) but
cannot set them, so a one-line script in ``st.html`` writes ``document.cookie``. Being set from
script, the cookie cannot be HttpOnly; it is SameSite=Strict, Secure over https, and worthless
once the session row is gone.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import streamlit as st

from data import sessions, users
from data.access import Actor, NotFound
from data.schools import get_school
from ui.context import get_db
from ui.labels import USER_ROLE_WORDS

COOKIE = "send_review_session"
RECHECK_SECONDS = 60  # how stale the cached user may get before the session row is checked again
_SIGNED_IN = "_auth_signed_in"
_PENDING = "_auth_pending"  # signed in with a temporary password, still to choose their own
_NOTICE = "_auth_notice"
_RETURN_TO = "_auth_return_to"
_DEAD_COOKIE = "_auth_dead_cookie"
_PAGE_NAME = re.compile(r"[a-z0-9_-]{1,60}")
_OWN_PAGES = {"sign-in", "set-up", "choose-password"}


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
    return None


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
        render, title, path = sign_in.render, "Sign in", "sign-in"
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
