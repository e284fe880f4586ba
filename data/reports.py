"""What a review's written report is made from, handed out only after the ``export`` check, and audited.

The LA gets a school's report only while the school shares with its LA (the review's export rule).
The comparison section is worked out as the school itself would see it (other schools anonymised,
groups under 5 withheld), whoever downloads the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pandas as pd
import sqlalchemy as sa

from data import access, action_plans, frameworks, reviews, visits
from data.access import Actor, NotAllowed, NotFound
from data.audit import record
from data.db import Database
from data.tables import schools
from data.tables import visits as visit_table
from framework.models import Framework, ReviewContext
from framework.problems import InvalidInput, Problem
from scoring import ReviewScore, criterion_contributions, score_review


@dataclass(frozen=True)
class ReportBundle:
    review: reviews.Review
    framework: Framework
    answers: pd.DataFrame = field(repr=False)
    demo: bool
    include_evidence: bool
    actions: Sequence[action_plans.Action]
    carried: Sequence[action_plans.Carried]
    comparison: object | None
    comparison_note: str
    self_score: ReviewScore | None
    lines_of_enquiry: Sequence[str]
    today: date

    @property
    def about(self) -> dict[str, str]:
        return reviews.ExportBundle("results", self.review, self.framework, self.answers).about

    @property
    def school_name(self) -> str:
        return self.review.school_name

    @property
    def reviewer(self) -> str:
        return self.review.reviewer_name

    @property
    def reviewed_on(self) -> date | None:
        return (self.review.submitted_at or self.review.updated_at).date()

    @property
    def role(self) -> str:
        return self.review.role

    @property
    def context(self) -> ReviewContext:
        return self.review.context

    @cached_property
    def score(self) -> ReviewScore:
        return score_review(self.framework, self.answers, self.context, school_urn=self.review.school_urn)

    @cached_property
    def contributions(self) -> pd.DataFrame:
        return criterion_contributions(self.framework, self.answers, self.context)


def report_file_name(review: reviews.Review, fmt: str) -> str:
    return f"send-review-report-{review.school_urn}-{review.cycle.replace('/', '-')}.{fmt}"


def report_bundle(
    db: Database,
    actor: Actor,
    review_id: int,
    fmt: str,
    *,
    include_evidence: bool = False,
    lines_of_enquiry: Sequence[str] = (),
) -> ReportBundle:
    """Check ``export`` on the review, record the download, and gather everything the report shows."""
    if fmt not in ("docx", "pdf"):
        raise InvalidInput([Problem("report", f"the format must be docx or pdf (got {fmt!r})")])
    review = reviews.get_review(db, actor, review_id, "export")
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    answers = reviews.answers_frame(db, actor, review_id)
    with db.write() as conn:
        demo = bool(conn.execute(sa.select(schools.c.demo).where(schools.c.urn == review.school_urn)).scalar())
        record(conn, actor, "exported", school_urn=review.school_urn, review_id=review_id, detail=f"report {fmt}")
    try:
        plan = action_plans.list_actions(db, actor, review.school_urn, review.cycle)
    except (NotFound, NotAllowed):
        plan = []
    comparison, note = _comparison(db, actor, review)
    return ReportBundle(
        review=review,
        framework=framework,
        answers=answers,
        demo=demo,
        include_evidence=include_evidence,
        actions=plan,
        carried=action_plans.carried_actions(db, actor, review),
        comparison=comparison,
        comparison_note=note,
        self_score=_self_score(db, actor, review, framework) if review.role == "agreed" else None,
        lines_of_enquiry=list(lines_of_enquiry) or _visit_enquiries(db, actor, review, framework),
        today=access.today(),
    )


def _visit_enquiries(db: Database, actor: Actor, review: reviews.Review, framework: Framework) -> list[str]:
    """An agreed review's lines of enquiry, from its visit, as far as the reader may see them."""
    if review.role != "agreed":
        return []
    with db.read() as conn:
        visit_id = conn.execute(sa.select(visit_table.c.id).where(visit_table.c.agreed_review_id == review.id)).scalar()
    if visit_id is None:
        return []
    try:
        lines = visits.list_enquiries(db, actor, visit_id)
    except (NotFound, NotAllowed):
        return []
    titles = {d.id: d.title for d in framework.domains}
    return [f"{titles.get(line.domain_id, line.domain_id)}: {line.text}" for line in lines]


def _comparison(db: Database, actor: Actor, review: reviews.Review) -> tuple[object | None, str]:
    from data.comparison import compare_school

    if actor.role == "peer" or review.role not in ("self", "agreed"):
        return None, "The comparison with similar schools is part of the school's own reports only."
    as_school = Actor(id=None, email="report", role="school", school_urn=review.school_urn, la=review.la)
    try:
        found = compare_school(db, as_school, review.school_urn, review.framework_id, review.cycle)
    except (NotFound, NotAllowed, InvalidInput) as exc:
        return None, f"No comparison is available: {exc}"
    return found, ""


def _self_score(db: Database, actor: Actor, review: reviews.Review, framework: Framework) -> ReviewScore | None:
    found = reviews.list_reviews(
        db, actor, school_urn=review.school_urn, framework_id=review.framework_id, cycle=review.cycle, role="self"
    )
    done = [r for r in found if r.status == "submitted"] or found
    if not done:
        return None
    mine = done[0]
    return score_review(framework, reviews.answers_frame(db, actor, mine.id), mine.context)
