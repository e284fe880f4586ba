"""Users (administrators only): who has an account, invitations, password resets, roles, deactivation.

Actions run in button callbacks, before the page is drawn, so the table below always shows
their result. A temporary password is shown once, right after it is made, and never again.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from data import users
from data.access import ROLES, Actor, NotAllowed, NotFound
from data.audit import now
from data.schools import School, list_schools
from framework.problems import InvalidInput
from ui import users_import
from ui.auth import require_actor
from ui.context import friendly_errors, get_db
from ui.labels import USER_ROLE_WORDS

_FLASH = "_users_flash"


def render() -> None:
    actor = require_actor()
    st.title("Users")
    _show_flash()
    with friendly_errors():
        db = get_db()
        people = users.list_users(db, actor)
        register = list_schools(db, actor)
        _table(people, register)
        st.header("Invite someone")
        _invite_form(actor, register)
        users_import.render(actor)
        st.header("Manage an account")
        _manage(actor, people, register)


def _table(people: list[users.User], register: list[School]) -> None:
    names = {s.urn: s.name for s in register}
    rows = [
        {
            "Name": p.name,
            "Email": p.email,
            "Role": USER_ROLE_WORDS.get(p.role, p.role),
            "School or LA": names.get(p.school_urn or "", p.school_urn) if p.school_urn else (p.la or ""),
            "Status": _status(p),
            "Last sign-in": p.last_login.strftime("%d %b %Y %H:%M") if p.last_login else "never",
        }
        for p in people
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _status(person: users.User) -> str:
    if not person.active:
        return "Deactivated"
    if person.locked_until and person.locked_until > now():
        return "Locked after failed sign-ins"
    if person.temporary_password:
        return "Has a temporary password"
    return "Active"


def _scope_inputs(prefix: str, role: str, register: list[School]) -> tuple[str | None, str | None]:
    """The school (for school staff) or LA (for LA advisors) that a role needs."""
    if role == "school":
        if not register:
            st.warning("Add schools to the register first: a school account belongs to one school.")
            return None, None
        urn = st.selectbox(
            "School",
            [s.urn for s in register],
            format_func={s.urn: f"{s.name} ({s.urn})" for s in register}.get,
            key=f"{prefix}_school",
        )
        return urn, None
    if role == "la":
        known = sorted({s.la for s in register})
        la = st.selectbox(
            "Local authority",
            known,
            index=None,
            accept_new_options=True,
            key=f"{prefix}_la",
            placeholder="Choose or type the LA's name",
        )
        return None, la
    return None, None


def _invite_form(actor: Actor, register: list[School]) -> None:
    role = st.selectbox("Role", ROLES, format_func=USER_ROLE_WORDS.get, key="invite_role")
    urn, la = _scope_inputs("invite", role, register)
    with st.form("invite"):
        st.text_input("Email", key="invite_email")
        st.text_input("Name", key="invite_name")
        st.form_submit_button("Invite", type="primary", on_click=_run, args=(_invite, actor, role, urn, la))


def _invite(actor: Actor, role: str, urn: str | None, la: str | None) -> tuple[str, ...]:
    email = st.session_state.get("invite_email", "")
    temporary = users.invite_user(get_db(), actor, email, st.session_state.get("invite_name", ""), role, urn, la)
    st.session_state["invite_email"] = st.session_state["invite_name"] = ""
    return ("password", f"Account created for {users.normalise_email(email)}.", temporary)


def _manage(actor: Actor, people: list[users.User], register: list[School]) -> None:
    if not people:
        return
    by_id = {p.id: p for p in people}
    user_id = st.selectbox(
        "Account", list(by_id), format_func=lambda i: f"{by_id[i].name} <{by_id[i].email}>", key="manage_user"
    )
    person = by_id[user_id]
    left, right = st.columns(2)
    left.button(
        "Reset password",
        on_click=_run,
        args=(_reset, actor, person),
        help="Makes a new temporary password, signs the person out and lifts any lock.",
    )
    right.button(
        "Deactivate" if person.active else "Reactivate",
        on_click=_run,
        args=(_toggle_active, actor, person),
        help="A deactivated person cannot sign in and is signed out at once. Their reviews are kept.",
    )
    with st.expander("Change role"):
        role = st.selectbox(
            "New role",
            ROLES,
            index=ROLES.index(person.role),
            format_func=USER_ROLE_WORDS.get,
            key=f"manage_role_{person.id}",
        )
        urn, la = _scope_inputs(f"manage_{person.id}", role, register)
        st.button("Change role", on_click=_run, args=(_change_role, actor, person, role, urn, la))


def _reset(actor: Actor, person: users.User) -> tuple[str, ...]:
    temporary = users.reset_password(get_db(), actor, person.id)
    return ("password", f"New temporary password for {person.email}.", temporary)


def _toggle_active(actor: Actor, person: users.User) -> tuple[str, ...]:
    users.set_active(get_db(), actor, person.id, not person.active)
    return ("success", f"{person.email} can sign in again." if not person.active else f"{person.email} is deactivated.")


def _change_role(actor: Actor, person: users.User, role: str, urn: str | None, la: str | None) -> tuple[str, ...]:
    users.change_role(get_db(), actor, person.id, role, urn, la)
    return ("success", f"{person.email} is now: {USER_ROLE_WORDS.get(role, role)}.")


def _run(action: Callable[..., tuple[str, ...]], *args: object) -> None:
    """Do an action in a button callback and keep its outcome for the page to show."""
    try:
        st.session_state[_FLASH] = action(*args)
    except InvalidInput as exc:
        problems = "\n".join(f"- {p}" for p in exc.problems)
        st.session_state[_FLASH] = ("error", f"Please fix these problems and try again:\n\n{problems}")
    except (NotAllowed, NotFound) as exc:
        st.session_state[_FLASH] = ("error", str(exc))


def _show_flash() -> None:
    flash = st.session_state.pop(_FLASH, None)
    if flash is None:
        return
    if flash[0] == "password":
        st.success(flash[1])
        st.write(
            "Give them this temporary password by a safe route (not in the same email as their address). "
            f"It works for {users.TEMPORARY_DAYS} days and they must choose their own when they first sign in. "
            "It is shown only now."
        )
        st.code(flash[2], language=None)
    elif flash[0] == "success":
        st.success(flash[1])
    else:
        st.error(flash[1])
