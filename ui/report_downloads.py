"""Parts of the results page for issue #13: the written report's downloads, and last cycle's open actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import action_plans, reviews
from data.access import Actor
from data.db import Database
from data.reports import report_bundle, report_file_name
from exports.report import write_report
from scoring.actions import ACTION_STATUSES
from ui import nav


def report_downloads(db: Database, actor: Actor, review: reviews.Review) -> None:
    """Make the report on request (with progress shown), then offer the file; each download is audited."""
    st.markdown("**Report for the head and governors** (Word to edit, PDF to send)")
    evidence = st.checkbox(
        "Include evidence notes in the report",
        key=f"report-evidence-{review.id}",
        help="Only if the school agrees: notes say where evidence is kept and may name staff.",
    )
    cols = st.columns(2)
    for col, fmt, label in ((cols[0], "docx", "Word report (.docx)"), (cols[1], "pdf", "PDF report (.pdf)")):
        key = f"report-{review.id}-{fmt}-{evidence}"
        if col.button(f"Make the {label}", key=f"make-{key}", icon=":material/description:"):
            with col.status(f"Making the {label}…", expanded=False) as status:
                status.update(label="Gathering results, comparison and action plan…")
                bundle = report_bundle(db, actor, review.id, fmt, include_evidence=evidence)
                status.update(label="Drawing charts and writing the file…")
                st.session_state[key] = write_report(bundle, fmt)
                status.update(label=f"{label} ready", state="complete")
        if key in st.session_state:
            col.download_button(
                f"Download the {label}",
                data=st.session_state[key],
                file_name=report_file_name(review, fmt),
                icon=":material/download:",
                on_click="ignore",
                key=f"download-{key}",
            )


def carried_actions(db: Database, actor: Actor, review: reviews.Review) -> None:
    """Open actions from earlier cycles beside the domain they addressed and how it moved since."""
    carried = action_plans.carried_actions(db, actor, review)
    if not carried:
        st.page_link(
            nav.page("plan"),
            label="Plan actions from this review",
            icon=":material/checklist:",
            query_params={"school": review.school_urn, "review": review.id},
        )
        return
    st.header("Actions carried from earlier cycles", anchor=False)
    st.dataframe(
        pd.DataFrame(
            {
                "Action": [c.action.what for c in carried],
                "From cycle": [c.action.cycle for c in carried],
                "Status": [ACTION_STATUSES.get(c.action.status, c.action.status) for c in carried],
                "Domain": [c.domain_title for c in carried],
                "How the domain moved": [c.movement for c in carried],
            }
        ),
        hide_index=True,
    )
    st.page_link(
        nav.page("plan"),
        label="Open the action plan",
        icon=":material/checklist:",
        query_params={"school": review.school_urn, "review": review.id},
    )
