"""Results of one review: bands, why a domain is limited, compliance, strengths, priorities, downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data import frameworks, reviews
from data.access import Actor
from data.db import Database
from exports.review_export import review_workbook
from framework.models import Framework
from scoring import ReviewScore, criterion_contributions, priorities, score_review, strengths, unanswered
from ui import nav
from ui.charts import domain_chart, domain_chart_summary
from ui.context import friendly_errors
from ui.labels import COMPLIANCE_ICONS, COMPLIANCE_WORDS, ROLE_WORDS, STATUS_WORDS
from ui.report_downloads import carried_actions, report_downloads
from ui.review_picker import requested_review


def render() -> None:
    opened = requested_review(target="results", title="Results")
    if opened is None:
        return
    db, actor, review_id = opened
    with friendly_errors():
        review = reviews.get_review(db, actor, review_id)
        framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
        answers = reviews.answers_frame(db, actor, review_id)
        score = score_review(framework, answers, review.context, school_urn=review.school_urn)
        contributions = criterion_contributions(framework, answers, review.context)
        _page(db, actor, review, framework, answers, score, contributions)


def _page(
    db: Database,
    actor: Actor,
    review: reviews.Review,
    framework: Framework,
    answers: pd.DataFrame,
    score: ReviewScore,
    contributions: pd.DataFrame,
) -> None:
    st.title(f"Results: {review.school_name}")
    st.caption(
        f"{framework.title} · {review.cycle} · {ROLE_WORDS.get(review.role, review.role)} · "
        f"{STATUS_WORDS.get(review.status, review.status)}"
    )
    if not review.locked:
        st.info("This review is still in progress: these are the results so far.")
        st.page_link(
            nav.page("review"),
            label="Continue answering",
            icon=":material/edit_note:",
            query_params={"review": review.id},
        )

    overall = score.overall
    cols = st.columns(3)
    cols[0].metric("Overall", overall.band, help="The band of the weighted mean of the domain percents.")
    cols[1].metric("Overall percent", "–" if overall.percent is None else f"{overall.percent:.1f}%")
    cols[2].metric(
        "Scored questions answered",
        f"{score.completion.answered} of {score.completion.applicable}",
        help="Free-text questions are not scored, so they are not counted here.",
    )
    if overall.limited:
        st.warning(
            "The overall band is limited because at least one statutory duty is answered **No**: "
            f"it cannot rise above **{framework.cap_level.label}** until every statutory duty is met. "
            "The percent is not changed."
        )

    st.subheader("Domains", anchor=False)
    st.plotly_chart(domain_chart(score), config={"displayModeBar": False})
    st.caption(domain_chart_summary(score))
    st.dataframe(_domain_table(framework, score), hide_index=True)
    for d in score.domains:
        if d.limited:
            duties = "; ".join(framework.criteria_by_id[c].text for c in d.limited_by)
            st.markdown(f"**{d.title}** is limited to *{d.band}* because this statutory duty is not met: {duties}")

    st.subheader("Statutory compliance", anchor=False)
    if score.compliance:
        st.dataframe(
            pd.DataFrame(
                {
                    "Status": [f"{COMPLIANCE_ICONS[c.status]} {COMPLIANCE_WORDS[c.status]}" for c in score.compliance],
                    "Duty": [c.text for c in score.compliance],
                    "Domain": [framework.domains_by_id[c.domain_id].title for c in score.compliance],
                    "Source": [framework.criteria_by_id[c.criterion_id].source for c in score.compliance],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("No statutory duties apply to this school in this framework.")

    st.subheader("Strengths and priorities", anchor=False)
    _strengths_and_priorities(framework, contributions)

    carried_actions(db, actor, review)
    st.subheader("Downloads", anchor=False)
    if reviews.may(db, actor, review, "export"):
        left, right = st.columns(2)
        download(left, db, actor, review, "results", "Results workbook (.xlsx)")
        download(right, db, actor, review, "answers", "Answers as a response workbook (.xlsx)")
        report_downloads(db, actor, review)
    else:
        st.caption("You can read this review here, but not download it.")
    _submission_controls(db, actor, review)


def download(
    place: DeltaGenerator,
    db: Database,
    actor: Actor,
    review: reviews.Review,
    kind: reviews.ExportKind,
    label: str,
) -> None:
    """A download button whose file is made on click, through the data layer's export check and audit."""
    place.download_button(
        label,
        data=lambda: export_file(db, actor, review.id, kind),
        file_name=reviews.export_file_name(review, kind),
        icon=":material/download:",
        on_click="ignore",
    )


def export_file(db: Database, actor: Actor, review_id: int, kind: reviews.ExportKind) -> bytes:
    """Checked and audited in data/, written by exports/ (the CLI's review-export does the same)."""
    return review_workbook(reviews.export_bundle(db, actor, review_id, kind))


def _domain_table(framework: Framework, score: ReviewScore) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Domain": [d.title for d in score.domains],
            "Percent": [None if d.percent is None else round(d.percent, 1) for d in score.domains],
            "Band": [d.band for d in score.domains],
            "Limited by a statutory duty": ["Yes" if d.limited else "No" for d in score.domains],
            "Answered": [f"{d.answered} of {d.applicable}" for d in score.domains],
        }
    )


def _strengths_and_priorities(framework: Framework, contributions: pd.DataFrame) -> None:
    if not contributions["answered"].any():
        st.caption("Answer some questions to see strengths and priorities.")
        return
    for domain in framework.domains:
        mine = contributions[contributions["domain_id"] == domain.id]
        if not mine["answered"].any():
            continue
        with st.expander(domain.title):
            left, right = st.columns(2)
            left.markdown("**Strengths**")
            left.markdown("\n".join(f"- {t}" for t in strengths(mine, limit=3)["text"]) or "None yet.")
            right.markdown("**Priorities** (the answers that lower this domain most)")
            right.markdown(
                "\n".join(
                    f"- {r.text} (costs {100 * r.shortfall:.0f} points)" for r in priorities(mine, limit=3).itertuples()
                )
                or "Nothing lowers this domain."
            )
            waiting = unanswered(mine)
            if not waiting.empty:
                st.caption(f"{len(waiting)} questions not answered yet in this domain.")


def _submission_controls(db: Database, actor: Actor, review: reviews.Review) -> None:
    """Reopening only for those who may write the review (what reopen_review checks); its history for every reader."""
    if not review.locked:
        return
    may_reopen = reviews.may(db, actor, review, "write")
    if may_reopen:
        st.subheader("Reopen", anchor=False)
        st.markdown("Reopening unlocks the answers. It is recorded with your name, the time and your reason.")
        reason = st.text_input("Why does this review need to be reopened?", key=f"reopen-reason-{review.id}")
        if st.button("Reopen the review", disabled=not reason.strip(), key=f"reopen-{review.id}"):
            reviews.reopen_review(db, actor, review.id, reason)
            nav.go("review", review=review.id)
    history = reviews.reopen_history(db, actor, review.id)
    if not history.empty:
        if not may_reopen:
            st.subheader("Submission history", anchor=False)
        st.dataframe(history, hide_index=True)
