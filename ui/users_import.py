"""The Users page's file import: the same all-or-nothing import as ``cli.py users import``, with a progress bar."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import user_import, users
from data.access import Actor
from ui.auth import organisation_sign_in_configured
from ui.context import friendly_errors, get_db
from ui.labels import USER_ROLE_WORDS, word


def render(actor: Actor) -> None:
    st.header("Import a users file")
    st.write(
        "A CSV file with the columns **email, name, role, school URN or LA**, one person a line. Role is "
        "School staff, Peer reviewer, LA advisor or Administrator; school staff need their school's URN and LA "
        "advisors their local authority's name. Every line is checked first: if any is wrong, nothing is added "
        "and every problem is listed."
    )
    upload = st.file_uploader("Users file (CSV)", type=["csv"], key="users_import_file")
    if upload is None or not st.button("Add these people", key="users_import_go"):
        return
    bar = st.progress(0.0, text="Checking the file…")
    with friendly_errors():
        accounts = user_import.read_users_csv(upload.getvalue(), source=upload.name)

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Preparing account {done} of {total}…")

        created = user_import.import_users(
            get_db(), actor, accounts, sso=organisation_sign_in_configured(), progress=progress
        )
        bar.progress(1.0, text=f"Added {len(created)} people.")
        _show(created)


def _show(created: list[user_import.Created]) -> None:
    st.success(f"Added {len(created)} people.")
    if created and created[0].temporary_password is None:
        st.write("Single sign-on is set up: they sign in with their organisation's account, with no password here.")
        return
    st.write(
        "Give each person their temporary password by a safe route. Each works for "
        f"{users.TEMPORARY_DAYS} days and must be changed at first sign-in. They are shown only now."
    )
    rows = [
        {
            "Name": c.name,
            "Email": c.email,
            "Role": word(USER_ROLE_WORDS, c.role),
            "Temporary password": c.temporary_password,
        }
        for c in created
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
