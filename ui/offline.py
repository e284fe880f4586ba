"""The offline route: download a response workbook, fill it in Excel, upload it back.

An upload is validated completely before anything is stored; on any problem the user
sees every problem with its place and the stored answers are untouched.
"""

from __future__ import annotations

import streamlit as st

from data import frameworks, reviews
from exports.response_workbook import read_response_workbook
from framework.problems import InvalidInput, capped
from ui import nav
from ui.context import friendly_errors
from ui.results import download
from ui.review_picker import requested_review


def render() -> None:
    opened = requested_review(target="offline", title="Work offline in Excel", status="draft")
    if opened is None:
        return
    db, actor, review_id = opened
    with friendly_errors():
        review = reviews.get_review(db, actor, review_id)
        framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
        st.title("Work offline in Excel")
        st.caption(f"{review.school_name} · {framework.title} · {review.cycle}")
        st.markdown(
            "1. Download the workbook: it lists every question that applies to this school, with the levels "
            "written out, guidance, and your answers so far.\n"
            "2. Fill in the **response** and **evidence** columns in Excel "
            "(drop-down lists show the allowed answers).\n"
            "3. Upload it here. It is checked first; if anything is wrong, nothing is saved and you see every problem."
        )
        if reviews.may(db, actor, review, "export"):
            download(st.container(), db, actor, review, "answers", "Download the response workbook (.xlsx)")
        else:
            st.caption("You can read this review, but not download it.")
        if review.locked:
            st.info("This review has been submitted, so uploads are closed. Reopen it from its results page first.")
            return
        upload = st.file_uploader("Upload the filled-in workbook", type=["xlsx"], key=f"upload-{review_id}")
        if upload is not None and st.button("Check and save the answers", type="primary"):
            with st.status("Checking the workbook…", expanded=True) as status:
                try:
                    sheet = read_response_workbook(upload.getvalue(), framework=framework, expect=review.context)
                except InvalidInput as exc:
                    status.update(label="Nothing was saved: the workbook has problems", state="error")
                    st.error(
                        f"{len(exc.problems)} problem(s) found. Nothing was saved. Fix them and upload again:\n\n"
                        + "\n".join(f"- {p}" for p in capped(exc.problems))
                    )
                    return
                status.write("The workbook is valid. Saving the answers…")
                summary = reviews.merge_answers(db, actor, review_id, sheet.responses)
                status.update(label="Answers saved", state="complete")
            st.success(summary.sentence())
            st.page_link(nav.page("review"), label="Go to the questions", query_params={"review": review_id})
