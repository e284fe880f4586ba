"""Start a review: school, framework, cycle, and the facts that decide which questions apply."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from data import frameworks, reviews, schools
from data.access import Actor
from data.db import Database
from framework.explain import questions_that_apply
from framework.models import PHASE_LABELS, PHASES, ReviewContext, applicable_criteria
from ui import nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db
from ui.labels import REVIEW_NOUNS


def academic_year(today: date) -> str:
    """England's school year starts in September: 23 Nov 2026 is in 2026/27."""
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


def recent_cycles(today: date, count: int = 4) -> list[str]:
    first = int(academic_year(today)[:4])
    return [f"{y}/{str(y + 1)[-2:]}" for y in range(first, first - count, -1)]


def render() -> None:
    actor = require_actor()
    db = get_db()
    st.title("Start a review")
    with friendly_errors():
        register = schools.list_schools(db, actor)
        library = frameworks.list_frameworks(db)
        if not register:
            st.info("There are no schools in the register you can see yet. An LA user or administrator adds them.")
            return
        by_urn = {s.urn: s for s in register}
        urn = st.selectbox(
            "School",
            list(by_urn),
            format_func=lambda u: f"{by_urn[u].name} (URN {u})",
            help="Type to search by name or URN.",
        )
        school = by_urn[urn]
        by_id = {fw.id: fw for fw in library}
        framework_id = st.selectbox("Framework", list(by_id), format_func=lambda f: by_id[f].title)
        framework = by_id[framework_id]
        if framework.description:
            st.caption(framework.description)
        cycle = st.selectbox("Review cycle (academic year)", recent_cycles(date.today()))
        existing = reviews.existing_reviews(db, actor, school_urn=urn, framework_id=framework_id, cycle=cycle)
        for number, review in enumerate(existing):
            _offer_existing(db, actor, review, framework.title, primary=number == 0)
        if existing and not st.checkbox(
            "Start a separate new review anyway",
            key=f"start-anyway-{urn}-{framework_id}-{cycle}",
            help="Only if the review above cannot be used, for example because it was started with the wrong "
            "phase. Both reviews are then kept.",
        ):
            return
        left, right = st.columns(2)
        phase = left.selectbox(
            "The school's phase",
            PHASES,
            index=PHASES.index(school.phase) if school.phase in PHASES else 1,
            format_func=PHASE_LABELS.get,
            key=f"phase-{urn}",
            help="Decides which phase-specific questions are shown.",
        )
        resourced = right.toggle(
            "The school has resourced provision (ARC/ARP)",
            value=school.resourced_provision,
            key=f"rp-{urn}",
            help="Adds the resourced-provision questions where the framework has them.",
        )
        flags = {"has_nursery": school.has_nursery, "has_sixth_form": school.has_sixth_form}
        count = len(applicable_criteria(framework, ReviewContext.of(phase, resourced, **flags)))
        words = (("nursery classes", school.has_nursery), ("a sixth form", school.has_sixth_form))
        extra = [w for w, on in words if on]
        also = f" (with its {' and '.join(extra)}, from the register)" if extra else ""
        st.caption(f"{count} questions apply to this school{also} in this framework.")
        if st.button("Start the review", type="primary"):
            review_id = reviews.start_review(
                db,
                actor,
                school_urn=urn,
                framework=framework,
                cycle=cycle,
                phase=phase,
                resourced_provision=resourced,
            )
            nav.go("review", review=review_id)


def _offer_existing(db: Database, actor: Actor, review: reviews.Review, title: str, *, primary: bool) -> None:
    """Say that this review already exists, how far it got, and offer to go on with it (or see its results)."""
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    stored = reviews.load_answers(db, actor, review.id)
    questions = questions_that_apply(framework, review.context, {cid: a.response for cid, a in stored.items()})
    answered = sum(1 for q in questions if q.id in stored and stored[q.id].response not in (None, ""))
    what = f"{REVIEW_NOUNS.get(review.role, 'a review')} of {title} for {review.cycle}"
    what = what[0].upper() + what[1:]
    progress = f"{answered} of {len(questions)} questions answered"
    if review.locked:
        st.info(
            f"{what} has already been submitted ({progress}, submitted on {_day(review.submitted_at)}). "
            "To change it, reopen it from its results page.",
            icon=":material/task_alt:",
        )
        label, target = "See its results", "results"
    elif reviews.may(db, actor, review, "write"):
        st.warning(
            f"{what} is already in progress: {progress}, last changed on {_day(review.updated_at)}.",
            icon=":material/edit_note:",
        )
        label, target = "Continue that review", "review"
    else:  # e.g. an LA colleague's review: readable, but only its reviewer changes it
        st.info(
            f"{what} by {review.reviewer_name} is already in progress: {progress}, "
            f"last changed on {_day(review.updated_at)}. Only they can change it.",
            icon=":material/visibility:",
        )
        label, target = "See its results so far", "results"
    who = "You" if actor.id is not None and review.reviewer_id == actor.id else review.reviewer_name
    resourced = "with" if review.resourced_provision else "without"
    st.caption(
        f"{who} started it on {_day(review.created_at)}, for a "
        f"{PHASE_LABELS.get(review.phase, review.phase).lower()} school {resourced} resourced provision."
    )
    key = f"existing-{'continue' if target == 'review' else 'results'}-{review.id}"
    if st.button(label, type="primary" if primary else "secondary", key=key):
        nav.go(target, review=review.id)


def _day(moment: datetime | None) -> str:
    return f"{moment:%d %b %Y}" if moment else "an unknown date"
