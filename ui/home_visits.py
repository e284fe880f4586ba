"""Home's list of the peer review visits that concern the user: their team's, or their school's."""

from __future__ import annotations

import streamlit as st

from data import visits
from data.access import Actor
from data.db import Database
from ui.visits import visit_table


def render(db: Database, actor: Actor) -> None:
    found = visits.list_visits(db, actor)
    if actor.role in ("peer", "la"):
        found = [v for v in found if v.member(actor.id) is not None]
    if not found:
        return
    st.header(f"Peer review visits ({len(found)})", anchor=False)
    visit_table(found)
