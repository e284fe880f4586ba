"""Home: what the tool is for, the user's reviews, and a clear way to start one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import frameworks, reviews
from ui import home_visits, nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db
from ui.labels import ROLE_WORDS


def render() -> None:
    actor = require_actor()
    st.title("SEND Review")
    st.markdown(
        "Review how well your school meets the needs of pupils with special educational needs and "
        "disabilities (SEND): answer a review framework, in the app or offline in Excel; see domain results, "
        "statutory duties not yet met, strengths and priorities; compare with similar schools; and download "
        "the results as a workbook. "
        "Every answer is saved as you give it, so you can stop and come back at any time."
    )
    if actor.role in {"school", "la", "admin"} and st.button(
        "Start a new review", type="primary", icon=":material/add_circle:"
    ):
        nav.go("start")
    with friendly_errors():
        db = get_db()
        mine = reviews.list_reviews(db, actor)
        titles = {fw.id: fw.title for fw in frameworks.list_frameworks(db)}
        drafts = [r for r in mine if r.status == "draft"]
        done = [r for r in mine if r.status != "draft"]
        home_visits.render(db, actor)  # visits of the user's team or school (ui/home_visits.py)
        st.header(f"In progress ({len(drafts)})")
        _review_table(drafts, titles, "review", "Continue")
        st.header(f"Submitted ({len(done)})")
        _review_table(done, titles, "results", "Open results")


def _review_table(items: list[reviews.Review], titles: dict[str, str], target: str, verb: str) -> None:
    if not items:
        st.caption("None yet.")
        return
    # The link comes first so it is never cut off on a narrower screen; the status is the table's heading.
    frame = pd.DataFrame(
        {
            verb: [f"/{target}?review={r.id}" for r in items],
            "School": [r.school_name for r in items],
            "Framework": [titles.get(r.framework_id, r.framework_id) for r in items],
            "Cycle": [r.cycle for r in items],
            "Review by": [ROLE_WORDS.get(r.role, r.role) for r in items],
            "Last change": [r.updated_at for r in items],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            verb: st.column_config.LinkColumn(verb, display_text=verb),
            "Last change": st.column_config.DatetimeColumn("Last change", format="D MMM YYYY, HH:mm"),
        },
        height=min(38 + 35 * len(items), 420),
        width="stretch",
    )
