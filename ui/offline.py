"""The offline route: download a response workbook, fill it in Excel, upload it back.

An upload is validated completely before anything is stored; on any problem the user
sees every problem with its place and the stored answers are untouched.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import streamlit as st

from data import frameworks, reviews
from data.access import Actor
from data.answer_upload import upload_effect
from data.db import Database
from exports.response_workbook import read_response_workbook
from framework.models import Framework, ReviewContext
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
            "3. Upload it here. It is checked first; if anything is wrong, nothing is saved and you see every problem. "
            "A blank cell leaves a stored answer as it is unless you tick to clear it, and answers given here "
            "after you downloaded the workbook are kept."
        )
        if reviews.may(db, actor, review, "export"):
            download(st.container(), db, actor, review, "answers", "Download the response workbook (.xlsx)")
        else:
            st.caption("You can read this review, but not download it.")
        if review.locked:
            st.info("This review has been submitted, so uploads are closed. Reopen it from its results page first.")
            return
        upload = st.file_uploader("Upload the filled-in workbook", type=["xlsx"], key=f"upload-{review_id}")
        if upload is not None:
            _upload(db, actor, review_id, framework, review.context, upload)


def _upload(db: Database, actor: Actor, review_id: int, framework: Framework, context: ReviewContext, upload) -> None:  # type: ignore[no-untyped-def]
    """Check first (every problem shown, open, in the workbook's order); then say what the upload would
    leave alone before anything is stored, and store only on a second, deliberate click."""
    key = f"upload-checked-{review_id}"
    data = upload.getvalue()
    fingerprint = hashlib.sha256(data).hexdigest()
    if st.button("Check the workbook", type="primary", key=f"check-{review_id}"):
        try:
            st.session_state[key] = (fingerprint, read_response_workbook(data, framework=framework, expect=context))
        except InvalidInput as exc:
            st.session_state.pop(key, None)
            st.error(
                f"Nothing was saved: {len(exc.problems)} problem(s) found. Fix them and upload again "
                "(first problems first):\n\n" + "\n".join(f"- {p}" for p in capped(exc.problems))
            )
            return
    checked = st.session_state.get(key)
    if checked is None or checked[0] != fingerprint:
        return
    sheet = checked[1]
    effect = upload_effect(db, actor, review_id, sheet.responses, sheet.downloaded_at)
    st.success(f"The workbook is valid: {len(sheet.responses)} questions listed.")
    if sheet.downloaded_at is not None and effect.newer:
        st.warning(
            f"This workbook was downloaded at {_when(sheet.downloaded_at)}; {effect.newer} answers have been "
            "given since; they will be kept."
        )
    elif sheet.downloaded_at is None and effect.latest_change is not None:
        st.info("This workbook does not say when it was downloaded, so every answer in it will be used.")
    clear = False
    if effect.blank:
        clear = st.checkbox(
            f"Also clear the {effect.blank} answers left blank in the workbook",
            key=f"clear-blanks-{review_id}",
            help="Unticked, a blank cell leaves the stored answer or note as it is.",
        )
    if st.button("Save the answers", type="primary", key=f"save-upload-{review_id}"):
        summary = reviews.merge_answers(
            db, actor, review_id, sheet.responses, clear_blanks=clear, downloaded_at=sheet.downloaded_at
        )
        st.session_state.pop(key, None)
        st.success("Answers saved: " + summary.sentence())
        st.page_link(nav.page("review"), label="Go to the questions", query_params={"review": review_id})


def _when(stamp: datetime) -> str:
    return stamp.astimezone(UTC).strftime("%H:%M on %d %b %Y (UTC)")
