"""Start a review: school, framework, cycle, and the facts that decide which questions apply."""

from __future__ import annotations

from datetime import date

import streamlit as st

from data import frameworks, reviews, schools
from framework.models import PHASE_LABELS, PHASES, ReviewContext, applicable_criteria
from ui import nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db


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
        count = len(applicable_criteria(framework, ReviewContext.of(phase, resourced)))
        st.caption(f"{count} questions apply to this school in this framework.")
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
