"""Peer reviews: who reviews which school in which cycle; LA users and admins assign and withdraw, peers start.

What each person sees and may do is decided in data/ (assignments and the access policy); the
page shows the assignments it is given and offers the forms only to those the data layer lets manage.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data import assignments, reviews, schools
from data.access import Actor
from data.db import Database
from ui import nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db
from ui.start_review import recent_cycles

_FLASH = "_assignments_flash"


def render() -> None:
    actor = require_actor()
    db = get_db()
    st.title("Peer reviews")
    st.markdown(
        "A peer reviewer from another school is assigned to a school for one review cycle. From the start date "
        "they write their own peer review of it and, if the school shares with its peer reviewers (its Sharing "
        "page), read its submitted self-review. Their access ends when the assignment is withdrawn."
    )
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    with friendly_errors():
        listed = assignments.list_assignments(db, actor)
        _table(listed, show_email=assignments.may_manage(actor))
        if actor.role == "peer":
            _my_reviews(db, actor, listed)
        if assignments.may_manage(actor):
            _assign_form(db, actor)
            _withdraw_form(db, actor, listed)


def _table(listed: list[assignments.Assignment], *, show_email: bool) -> None:
    if not listed:
        st.info("There are no peer assignments here yet.")
        return
    frame = pd.DataFrame(
        {
            "Number": [a.id for a in listed],
            "School": [f"{a.school_name} ({a.school_urn})" for a in listed],
            "Cycle": [a.cycle for a in listed],
            "Peer reviewer": [f"{a.peer_name} <{a.peer_email}>" if show_email else a.peer_name for a in listed],
            "From": [a.starts_on.strftime("%d %b %Y") for a in listed],
            "State": [_state(a) for a in listed],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _my_reviews(db: Database, actor: Actor, listed: list[assignments.Assignment]) -> None:
    open_ones = [a for a in listed if a.state == "open"]
    st.header("Your peer reviews", anchor=False)
    if not open_ones:
        st.caption("None of your assignments is open at the moment.")
        return
    visible = reviews.list_reviews(db, actor)
    for a in open_ones:
        with st.container(border=True):
            st.markdown(f"**{a.school_name}** · {a.cycle}")
            theirs = [r for r in visible if (r.school_urn, r.cycle, r.role) == (a.school_urn, a.cycle, "self")]
            for r in theirs:
                st.page_link(
                    nav.page("results"),
                    label="Read the school's self-review",
                    icon=":material/insights:",
                    query_params={"review": r.id},
                )
            if st.button("Start or continue your peer review", key=f"peer-start-{a.id}", type="primary"):
                nav.go("review", review=assignments.start_peer_review(db, actor, a.id))


def _assign_form(db: Database, actor: Actor) -> None:
    st.header("Assign a peer reviewer", anchor=False)
    peers = assignments.peer_reviewers(db, actor)
    register = schools.list_schools(db, actor)
    if not peers or not register:
        st.caption("Assigning needs at least one peer reviewer account (an administrator invites them) and a school.")
        return
    by_id = {p.id: p for p in peers}
    by_urn = {s.urn: s for s in register}
    with st.form("assign-peer"):
        peer_id = st.selectbox(
            "Peer reviewer", list(by_id), format_func=lambda i: f"{by_id[i].name} <{by_id[i].email}>"
        )
        urn = st.selectbox("School", list(by_urn), format_func=lambda u: f"{by_urn[u].name} (URN {u})")
        cycle = st.selectbox("Review cycle", recent_cycles(date.today()))
        starts_on = st.date_input("Access from", value=date.today(), format="DD/MM/YYYY")
        submitted = st.form_submit_button("Assign", type="primary")
    if submitted:
        assignments.assign_peer(
            db, actor, peer_email=by_id[peer_id].email, school_urn=urn, cycle=cycle, starts_on=starts_on
        )
        st.session_state[_FLASH] = f"{by_id[peer_id].name} is assigned to {by_urn[urn].name} for {cycle}."
        st.rerun()


def _state(a: assignments.Assignment) -> str:
    if a.state != "withdrawn" or a.ended_at is None:
        return assignments.STATE_WORDS[a.state]
    why = f": {a.end_reason}" if a.end_reason else ""
    return f"Withdrawn on {a.ended_at:%d %b %Y}{why}"


def _withdraw_form(db: Database, actor: Actor, listed: list[assignments.Assignment]) -> None:
    listed = [a for a in listed if a.live]
    if not listed:
        return
    st.header("Withdraw an assignment", anchor=False)
    by_id = {a.id: a for a in listed}
    with st.form("withdraw-peer"):
        chosen = st.selectbox(
            "Assignment",
            list(by_id),
            format_func=lambda i: f"{i}: {by_id[i].peer_name} · {by_id[i].school_name} · {by_id[i].cycle}",
        )
        reason = st.text_input("Why (kept in the audit log)")
        submitted = st.form_submit_button("Withdraw")
    if submitted:
        assignments.withdraw(db, actor, chosen, reason)
        st.session_state[_FLASH] = f"Assignment {chosen} is withdrawn; the peer reviewer's access has ended."
        st.rerun()
