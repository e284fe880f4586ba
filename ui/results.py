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
from framework.words import AUDIT_WORDS, percent_words
from scoring import ReviewScore, criterion_contributions, priorities, score_review, strengths, unanswered
from ui import nav
from ui.charts import domain_chart, domain_chart_summary
from ui.context import friendly_errors
from ui.labels import COMPLIANCE_ICONS, COMPLIANCE_WORDS, ROLE_WORDS, STATUS_WORDS, word
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

    st.caption(
        "This is the school's own self-evaluation against the framework, to plan improvement. "
        "It is not an inspection judgement."
    )
    unmet = [c for c in score.compliance if c.status == "not_met"]
    if unmet:
        st.error(
            "**Statutory duties not yet met** (put these right first):\n\n" + "\n".join(f"- {c.text}" for c in unmet),
            icon=":material/gavel:",
        )
    overall = score.overall
    scored = [d for d in score.domains if d.percent is not None]
    areas = sum(not d.duties_only for d in score.domains)
    based_on = f"based on {len(scored)} of {areas} {'area' if areas == 1 else 'areas'}"
    cols = st.columns(3)
    cols[0].metric("Overall", overall.band, help="The band of the weighted mean of the domain percents.")
    cols[1].metric(
        "Overall percent",
        "–" if overall.percent is None else f"{overall.percent:.1f}%",
        delta=based_on,
        delta_color="off",
        delta_arrow="off",
        help="Areas with too few answers are left out of the overall figure until they have enough.",
    )
    cols[2].metric(
        "Scored questions answered",
        f"{score.completion.answered} of {score.completion.applicable}",
        help="Free-text questions are not scored, so they are not counted here."
        + (" Statutory duties are checked, not scored: see the compliance list." if framework.compliance_gate else ""),
    )
    if overall.limited:
        st.warning(
            "The overall band is limited because at least one statutory duty is answered **No**: "
            f"it cannot rise above **{framework.cap_level.label}** until every statutory duty is met. "
            "The percent is not changed."
        )

    st.header("Domains", anchor=False)
    st.plotly_chart(domain_chart(score), config={"displayModeBar": False})
    st.caption(domain_chart_summary(score))
    st.dataframe(domain_table(score), hide_index=True)
    for d in score.domains:
        if d.limited:
            duties = "; ".join(framework.criteria_by_id[c].text for c in d.limited_by)
            st.markdown(f"**{d.title}** is limited to *{d.band}* because this statutory duty is not met: {duties}")

    st.header("Statutory compliance", anchor=False)
    if score.compliance:
        duties = sorted(score.compliance, key=lambda c: c.status != "not_met")  # unmet duties first
        st.dataframe(
            pd.DataFrame(
                {
                    "Status": [f"{COMPLIANCE_ICONS[c.status]} {COMPLIANCE_WORDS[c.status]}" for c in duties],
                    "Duty": [c.text for c in duties],
                    "Domain": [framework.domains_by_id[c.domain_id].title for c in duties],
                    "Source": [framework.criteria_by_id[c.criterion_id].source for c in duties],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("No statutory duties apply to this school in this framework.")

    st.header("Strengths and priorities", anchor=False)
    given = dict(zip(answers["criterion_id"], answers["response"], strict=True))
    _strengths_and_priorities(framework, contributions, given)

    carried_actions(db, actor, review)
    st.header("Downloads", anchor=False)
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


def domain_table(score: ReviewScore) -> pd.DataFrame:
    """A review's domains in words, as Results shows them (Moderation shows the agreed draft so)."""
    return pd.DataFrame(
        {
            "Domain": [d.title for d in score.domains],
            "Percent": ["–" if d.duties_only else percent_words(d.percent, 1) for d in score.domains],
            "Band": [d.band_words for d in score.domains],
            "Limited by a statutory duty": ["Yes" if d.limited else "No" for d in score.domains],
            "Answered": ["–" if d.duties_only else f"{d.answered} of {d.applicable}" for d in score.domains],
        }
    )


def _strengths_and_priorities(framework: Framework, contributions: pd.DataFrame, given: dict[str, object]) -> None:
    if not contributions["answered"].any():
        st.caption("Answer some questions to see strengths and priorities.")
        return
    for domain in framework.domains:
        mine = contributions[contributions["domain_id"] == domain.id]
        if not mine["answered"].any():
            continue
        with st.expander(domain.title):
            left, right = st.columns(2)
            left.markdown("**Strengths** (answers at the upper levels)")
            best = strengths(mine, limit=3).itertuples()
            left.markdown("\n".join(f"- {r.text} ({given.get(r.criterion_id, '')})" for r in best) or "None yet.")
            right.markdown("**What to improve first**")
            steps = [_next_step(framework, r) for r in priorities(mine, limit=3).itertuples()]
            right.markdown("\n".join(f"- {s}" for s in steps) or "Nothing here is below the upper levels.")
            waiting = unanswered(mine)
            if not waiting.empty:
                st.caption(f"{len(waiting)} questions not answered yet in this domain.")


def _next_step(framework: Framework, row: object) -> str:
    """A priority as what to do next, in the framework's own words (never as points)."""
    criterion = framework.criteria_by_id[row.criterion_id]  # type: ignore[attr-defined]
    if row.statutory and row.q == 0:  # type: ignore[attr-defined]
        return f"**A statutory duty not yet met:** {criterion.text}"
    if criterion.kind == "yes_no":
        return f"{criterion.text}: answered No; work towards Yes."
    scale = framework.scale_of(criterion)
    now = min(scale.levels, key=lambda lv: abs(lv.points - row.points))  # type: ignore[attr-defined]
    higher = sorted((lv for lv in scale.levels if lv.points > now.points), key=lambda lv: lv.points)
    aim = f"; the next step is *{higher[0].label}*" if higher else ""
    return f"{criterion.text}: now *{now.label}*{aim}."


def _submission_controls(db: Database, actor: Actor, review: reviews.Review) -> None:
    """Reopening only for those who may write the review (what reopen_review checks); its history for every reader."""
    if not review.locked:
        return
    may_reopen = reviews.may(db, actor, review, "write")
    if may_reopen:
        _reopen_form(db, actor, review)
    history = reviews.reopen_history(db, actor, review.id)
    if not history.empty:
        st.header("Submission history", anchor=False)
        table = pd.DataFrame(
            {
                "When": history["at"],
                "Who": history["name"],
                "What": [word(AUDIT_WORDS, a) for a in history["action"]],
                "Reason": history["detail"],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={"When": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm")},
        )


def _reopen_form(db: Database, actor: Actor, review: reviews.Review) -> None:
    """In a keyed container, so the print styles can leave it off paper (ui/styles.py)."""
    with st.container(key="reopen"):
        st.header("Reopen", anchor=False)
        st.markdown("Reopening unlocks the answers. It is recorded with your name, the time and your reason.")
        reason = st.text_input("Why does this review need to be reopened?", key=f"reopen-reason-{review.id}")
        if st.button("Reopen the review", disabled=not reason.strip(), key=f"reopen-{review.id}"):
            reviews.reopen_review(db, actor, review.id, reason)
            nav.go("review", review=review.id)
