"""A new, empty installation: the first visitor creates the administrator. There is never a default password."""

from __future__ import annotations

import streamlit as st

from data import users
from ui import auth
from ui.context import friendly_errors, get_db


def render() -> None:
    st.title("Welcome to SEND Review")
    st.write(
        "This installation has no accounts yet. Create the administrator account now: the administrator "
        "adds schools and invites everyone else. Only this first account can be made here."
    )
    with st.form("first_admin"):
        email = st.text_input("Email", autocomplete="username")
        name = st.text_input("Your name")
        first = st.text_input(
            "Password",
            type="password",
            autocomplete="new-password",
            help=f"At least {users.PASSWORD_MIN_LENGTH} characters, not containing your email address.",
        )
        second = st.text_input("Password again", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Create the administrator", type="primary")
    if not submitted:
        return
    if first != second:
        st.error("The two passwords are different. Please type the same password twice.")
        return
    with friendly_errors():
        actor = users.create_first_admin(get_db(), email, name, first)
        auth.begin_session(actor)
        st.rerun()
