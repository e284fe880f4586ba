"""Sharing: what a school lets others read. The school decides; LA advisors see what each school chose.

Who may read and change each school's consents is decided in data/ (``data.consent`` and the access
policy); the page offers the controls only where the data layer says the user may change them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import consent
from data.access import SHARE_WITH_LA, SHARE_WITH_PEERS, Actor
from data.db import Database
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

_FLASH = "_sharing_flash"
SCOPE_TITLES = {
    SHARE_WITH_LA: "Share with our local authority",
    SHARE_WITH_PEERS: "Share with the peer reviewers assigned to us",
}
SCOPE_MEANS = {
    SHARE_WITH_LA: (
        "The LA's SEND advisors can open your reviews and results, download them, and see your school by name "
        "when they compare the schools of the LA."
    ),
    SHARE_WITH_PEERS: (
        "A peer reviewer assigned to your school for a review cycle can read your submitted self-review for that "
        "cycle while the assignment lasts, to prepare the visit."
    ),
}
SHARED_WHAT = {
    SHARE_WITH_LA: "its reviews with the LA",
    SHARE_WITH_PEERS: "its submitted self-review with its assigned peer reviewers",
}
WITHOUT = (
    "Whatever you choose, your results count, without your school's name, in other schools' comparisons with "
    "similar schools (groups of fewer than 5 schools are never shown). Changes take effect at once and are "
    "recorded in the audit log with your name, the time and your reason."
)


def render() -> None:
    actor = require_actor()
    db = get_db()
    st.title("Sharing")
    st.markdown(
        "A school's reviews belong to the school. Nobody outside it reads them by name unless the school agrees."
    )
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    with friendly_errors():
        listed = consent.list_sharing(db, actor)
        if not listed:
            st.info("There are no schools whose sharing you can see.")
            return
        if len(listed) == 1:
            _school(db, actor, listed[0])
            return
        _overview(listed)
        if any(consent.may_change(actor, s) for s in listed):  # an administrator acting for a school
            _school(db, actor, _pick(listed))
        else:
            st.caption("Only a school's own staff (or an administrator) can change what it shares.")


def _overview(listed: list[consent.SchoolSharing]) -> None:
    """Every school the user may see, with what it shares: the LA advisor's view."""
    words = {True: "Yes", False: "No"}
    sharing_la = sum(s.shares(SHARE_WITH_LA) for s in listed)
    st.markdown(f"**{sharing_la} of {len(listed)} schools** share their reviews with the LA.")
    frame = pd.DataFrame(
        {
            "School": [s.name for s in listed],
            "URN": [s.urn for s in listed],
            "Shares with the LA": [words[s.shares(SHARE_WITH_LA)] for s in listed],
            "Shares with peer reviewers": [words[s.shares(SHARE_WITH_PEERS)] for s in listed],
            "Shared with the LA since": [_since(s.consents[SHARE_WITH_LA]) for s in listed],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _pick(listed: list[consent.SchoolSharing]) -> consent.SchoolSharing:
    by_urn = {s.urn: s for s in listed}
    urn = st.selectbox(
        "School", list(by_urn), format_func=lambda u: f"{by_urn[u].name} (URN {u})", key="sharing-school"
    )
    return by_urn[urn]


def _school(db: Database, actor: Actor, school: consent.SchoolSharing) -> None:
    """The school's two consents; the controls only for those who may change them."""
    editable = consent.may_change(actor, school)
    st.header(f"What {school.name} shares", anchor=False)
    st.caption(WITHOUT)
    if not editable:
        st.caption("Only the school's own staff (or an administrator) can change what it shares.")
    for scope, title in SCOPE_TITLES.items():
        given = school.consents[scope]
        with st.container(border=True):
            st.markdown(f"**{title}**")
            st.markdown(SCOPE_MEANS[scope])
            if given.given:
                by = f", agreed by {given.given_by}" if given.given_by else ""
                st.markdown(f"✔ **Shared** since {_since(given)}{by}.")
            else:
                st.markdown("✖ **Not shared.**")
            if not editable:
                continue
            reason_key = f"sharing-reason-{school.urn}-{scope}"
            reason = st.text_input("Reason (optional, kept in the audit log)", key=reason_key)
            # both buttons look the same: the page informs a choice, it does not nudge one
            if st.button("Stop sharing" if given.given else "Share", key=f"sharing-{school.urn}-{scope}"):
                consent.set_consent(db, actor, school.urn, scope, give=not given.given, reason=reason)
                del st.session_state[reason_key]
                done = "now shares" if not given.given else "no longer shares"
                st.session_state[_FLASH] = f"{school.name} {done} {SHARED_WHAT[scope]}."
                st.rerun()


def _since(given: consent.Consent) -> str:
    return given.given_at.strftime("%d %b %Y") if given.given and given.given_at else ""
