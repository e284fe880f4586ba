"""Sign in with email and password; then, after an invitation or reset, choose your own password."""

from __future__ import annotations

import streamlit as st

from data import demo_accounts, users
from ui import auth
from ui.context import friendly_errors, get_db


def render() -> None:
    st.title("Sign in to SEND Review")
    notice = auth.take_notice()
    if notice:
        st.info(notice)
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        _sign_in(email, password)
    st.caption("No account yet, or forgotten your password? Ask your administrator.")
    _explore_offer()


def _explore_offer() -> None:
    """Only while the database holds nothing but the fictional demo LA (the data layer decides)."""
    db = get_db()
    if not demo_accounts.explore_open(db):
        return
    st.header("Explore the demo")
    st.write(
        "This installation holds only the fictional demo local authority. Look around as one of its "
        "made-up people, without a password:"
    )
    for role, account in demo_accounts.DEMO_ACCOUNTS.items():
        if st.button(f"Explore as {account.offer}", key=f"explore_{role}", icon=":material/travel_explore:"):
            with friendly_errors():
                auth.begin_session(demo_accounts.explore_as(db, role))
                st.rerun()
    st.caption("The offer ends once real schools or people are added.")


def _sign_in(email: str, password: str) -> None:
    if not email.strip() or not password:
        st.error("Please enter your email and your password.")
        return
    try:
        actor = users.authenticate(get_db(), email, password)
    except users.SignInFailed as exc:
        st.error(str(exc))
        return
    auth.begin_session(actor)
    st.rerun()  # keeps the address and query parameters, so the user lands where they were going


def render_choose_password() -> None:
    actor = auth.pending_actor()
    if actor is None:  # e.g. the tab was reloaded: sign in again
        st.rerun()
    st.title("Choose your password")
    st.write(
        f"Welcome, {actor.label}. You signed in with a temporary password from your administrator; "
        f"please choose your own now. It needs at least {users.PASSWORD_MIN_LENGTH} characters and must not "
        "contain your email address. A few unrelated words make a good one."
    )
    with st.form("choose_password"):
        first = st.text_input("New password", type="password", autocomplete="new-password")
        second = st.text_input("New password again", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Save and continue", type="primary")
    st.button("Cancel", on_click=auth.cancel_pending)
    if not submitted:
        return
    if first != second:
        st.error("The two passwords are different. Please type the same password twice.")
        return
    if first == "":
        st.error("Please choose a password.")
        return
    with friendly_errors():
        users.set_password(get_db(), actor, actor.id, first)
        auth.begin_session(actor)
        st.rerun()
