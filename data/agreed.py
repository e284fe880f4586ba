"""The agreed review of a visit: started once by the lead, pre-filled with the reviewers' median,
changed criterion by criterion with a rationale, submitted to close the visit.

It is an ordinary review of role ``agreed`` (its rationale is the answer's evidence note), so the
scoring engine, results and the statutory limiting treat it like any other. Submitting it closes the
visit: the peers' assignments for the school and cycle stop giving access (data/access.py).
"""

from __future__ import annotations

import math
from statistics import median

import sqlalchemy as sa

from data import access, frameworks
from data.access import Actor, NotAllowed
from data.audit import now, record
from data.db import Database
from data.tables import answers, reviews, visits
from data.visits import Visit, checked, insert_review
from framework.models import Criterion, Framework
from framework.problems import InvalidInput, Problem
from framework.responses import read_response


def median_response(framework: Framework, criterion: Criterion, responses: list[str]) -> str | None:
    """The reviewers' median as an answer: a rating's middle level (half-way rounds up), a number's
    median; yes/no only when they agree (a statutory duty is the lead's call). None when none apply."""
    readings = [read_response(framework, criterion, r) for r in responses]
    given = [x for x in readings if x.points is not None]
    if not given or not criterion.scored:
        return None
    if criterion.kind == "yes_no":
        values = {x.value for x in given}
        return values.pop() if len(values) == 1 else None
    if criterion.kind == "number":
        return f"{median(float(x.value) for x in given):g}"
    scale = framework.scale_of(criterion)
    points = [lv.points for lv in scale.levels]
    middle = median(points.index(x.points) for x in given if x.points is not None)
    return scale.levels[math.floor(middle + 0.5)].label


def _require_lead(actor: Actor, visit: Visit) -> None:
    access.visit_require(actor, "write", visit.part("agreed"))


def start_agreed(db: Database, actor: Actor, visit_id: int) -> int:
    """Start the agreed review once, pre-filled from the submitted team ratings."""
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        _require_lead(actor, visit)
        if visit.agreed_review_id is not None:
            started = conn.execute(
                sa.select(reviews.c.created_at, reviews.c.reviewer_name).where(reviews.c.id == visit.agreed_review_id)
            ).first()
            assert started is not None  # the visit refers to it (foreign key)
            raise InvalidInput(
                [
                    Problem(
                        "Agreed review",
                        f"this visit's agreed review was already started on {started.created_at:%d %b %Y} "
                        f"by {started.reviewer_name}: open it instead of starting another.",
                    )
                ]
            )
        submitted = [m for m in visit.members if m.submitted]
        if not submitted:
            raise InvalidInput([Problem("Agreed review", "no team member has submitted a rating yet.")])
        framework = frameworks.get_framework(db, visit.framework_id, visit.framework_version)
        given: dict[str, list[str]] = {}
        for row in conn.execute(
            sa.select(answers.c.criterion_id, answers.c.response).where(
                answers.c.review_id.in_([m.review_id for m in submitted]), answers.c.response.is_not(None)
            )
        ).all():
            given.setdefault(row.criterion_id, []).append(row.response)
        stamp = now()
        review_id = insert_review(conn, actor, visit, "agreed")
        prefill = []
        for criterion in framework.criteria:
            value = median_response(framework, criterion, given.get(criterion.id, []))
            if value is not None:
                prefill.append(
                    {
                        "review_id": review_id,
                        "criterion_id": criterion.id,
                        "response": value,
                        "evidence": "",
                        "version": 1,
                        "updated_at": stamp,
                        "updated_by": actor.id,
                    }
                )
        if prefill:
            conn.execute(sa.insert(answers), prefill)
        conn.execute(sa.update(visits).where(visits.c.id == visit_id).values(agreed_review_id=review_id))
        record(
            conn, actor, "agreed_started", school_urn=visit.school_urn, review_id=review_id, detail=f"visit {visit_id}"
        )
    return review_id


def save_agreed(
    db: Database, actor: Actor, visit_id: int, criterion_id: str, *, response: str | None, rationale: str
) -> None:
    """Record the agreed rating and its rationale for one criterion (the lead, while the visit is open)."""
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        _require_lead(actor, visit)
        if visit.agreed_review_id is None:
            raise InvalidInput([Problem("Agreed review", "start the agreed review first.")])
        framework = frameworks.get_framework(db, visit.framework_id, visit.framework_version)
        criterion = framework.criteria_by_id.get(criterion_id)
        if criterion is None:
            raise InvalidInput([Problem("Criterion", f'"{criterion_id}" is not in framework "{framework.id}".')])
        reading = read_response(framework, criterion, response)
        if reading.error:
            raise InvalidInput([Problem(criterion_id, reading.error)])
        value = None if reading.blank else reading.value
        key = (answers.c.review_id == visit.agreed_review_id) & (answers.c.criterion_id == criterion_id)
        current = conn.execute(sa.select(answers.c.version).where(key)).scalar()
        stamp = now()
        if current is None:
            conn.execute(
                sa.insert(answers).values(
                    review_id=visit.agreed_review_id,
                    criterion_id=criterion_id,
                    response=value,
                    evidence=rationale,
                    version=1,
                    updated_at=stamp,
                    updated_by=actor.id,
                )
            )
        else:
            conn.execute(
                sa.update(answers)
                .where(key)
                .values(response=value, evidence=rationale, version=current + 1, updated_at=stamp, updated_by=actor.id)
            )
        conn.execute(sa.update(reviews).where(reviews.c.id == visit.agreed_review_id).values(updated_at=stamp))
        record(
            conn,
            actor,
            "answer_saved",
            school_urn=visit.school_urn,
            review_id=visit.agreed_review_id,
            detail=f"{criterion_id}: agreed rating and rationale",
            at=stamp,
        )


def submit_agreed(db: Database, actor: Actor, visit_id: int) -> None:
    """Submit the agreed review: the visit closes, the school sees it and the individual ratings."""
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        if visit.closed:
            raise NotAllowed("This visit's agreed review is already submitted.")
        _require_lead(actor, visit)
        if visit.agreed_review_id is None:
            raise InvalidInput([Problem("Agreed review", "start the agreed review first.")])
        stamp = now()
        conn.execute(
            sa.update(reviews)
            .where(reviews.c.id == visit.agreed_review_id)
            .values(status="submitted", submitted_at=stamp, submitted_by=actor.id, updated_at=stamp)
        )
        record(
            conn,
            actor,
            "review_submitted",
            school_urn=visit.school_urn,
            review_id=visit.agreed_review_id,
            detail=f"agreed review of visit {visit_id}; the visit is closed",
        )
