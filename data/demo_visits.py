"""Demo peer review visits: for some demo schools in the two earlier cycles, a visit with two fictional
peer reviewers who rated independently, and a submitted agreed review, so moderation and self
versus agreed have something to show at once. Self-reviews are on average a little above the
agreed judgement, as they tend to be. Reviewer accounts have no password: nobody signs in as them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.agreed import median_response
from data.tables import (
    answers,
    evidence_tags,
    lines_of_enquiry,
    peer_assignments,
    reviews,
    users,
    visit_activities,
    visit_members,
    visits,
)
from framework.library import builtin_framework
from framework.models import Criterion, Framework

FRAMEWORK_ID = "senco-role-audit"
CYCLES = ("2023/24", "2024/25")
SCHOOLS_PER_CYCLE = 8
REVIEWERS = [(f"peer{i}@demo-reviewers.invalid", f"Demo peer reviewer {i} (fictional)") for i in range(1, 5)]
LENIENCY = 0.35  # how often a reviewer's judgement sits one level below the school's own
TAGS = ["interview", "document_scrutiny", "pupil_voice", "parent_voice", "observation", "data"]


def load_demo_visits(conn: Connection, seed: int = 7) -> int:
    """Add the demo visits inside the demo loader's transaction; returns how many were made."""
    framework = builtin_framework(FRAMEWORK_ID)
    rng = np.random.default_rng(seed + 12)
    reviewer_ids = [_reviewer(conn, email, name) for email, name in REVIEWERS]
    made = 0
    for cycle in CYCLES:
        selfs = conn.execute(
            sa.select(reviews)
            .where(
                reviews.c.role == "self",
                reviews.c.cycle == cycle,
                reviews.c.framework_id == framework.id,
                reviews.c.status == "submitted",
                reviews.c.demo,
            )
            .order_by(reviews.c.school_urn)
        ).all()
        chosen = rng.choice(len(selfs), size=min(SCHOOLS_PER_CYCLE, len(selfs)), replace=False)
        for index in sorted(chosen.tolist()):
            team = rng.choice(len(reviewer_ids), size=2, replace=False).tolist()
            _visit(conn, framework, selfs[index], [reviewer_ids[t] for t in team], rng)
            made += 1
    return made


def _reviewer(conn: Connection, email: str, name: str) -> int:
    found = conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar()
    if found is not None:
        return found
    stamp = datetime(2023, 9, 1, tzinfo=UTC)
    return conn.execute(
        sa.insert(users).values(email=email, name=name, role="peer", created_at=stamp, demo=True).returning(users.c.id)
    ).scalar_one()


def _visit(conn: Connection, framework: Framework, own: sa.Row, team: list[int], rng: np.random.Generator) -> None:
    year = int(own.cycle[:4]) + 1
    day = date(year, 2, 10 + int(rng.integers(0, 15)))
    stamp = datetime(year, 3, 20, 15, 0, tzinfo=UTC)
    visit_id = conn.execute(
        sa.insert(visits)
        .values(
            school_urn=own.school_urn,
            cycle=own.cycle,
            framework_id=own.framework_id,
            framework_version=own.framework_version,
            starts_on=day,
            ends_on=day,
            school_contact="SENCO",
            enquiry_release_on=date.fromordinal(day.toordinal() - 7),
            created_at=stamp,
            demo=True,
        )
        .returning(visits.c.id)
    ).scalar_one()
    given = dict(
        conn.execute(sa.select(answers.c.criterion_id, answers.c.response).where(answers.c.review_id == own.id)).all()
    )
    truth = {c.id: _judged(framework, c, given.get(c.id), rng) for c in framework.criteria}
    ratings: dict[str, list[str]] = {}
    for position, user_id in enumerate(team, start=1):
        conn.execute(
            sa.insert(peer_assignments).values(
                user_id=user_id, school_urn=own.school_urn, cycle=own.cycle, starts_on=day, created_at=stamp
            )
        )
        review_id = _review(conn, own, "peer", user_id, stamp)
        rows = []
        for criterion in framework.criteria:
            answer = _noisy(framework, criterion, truth[criterion.id], rng)
            if answer is None:
                continue
            ratings.setdefault(criterion.id, []).append(answer)
            rows.append(_answer(review_id, criterion.id, answer, "", stamp))
        if rows:
            conn.execute(sa.insert(answers), rows)
            tagged = [
                {
                    "review_id": review_id,
                    "criterion_id": r["criterion_id"],
                    "updated_at": stamp,
                    "tags": ",".join(sorted(rng.choice(TAGS, size=int(rng.integers(1, 3)), replace=False).tolist())),
                }
                for r in rows
            ]
            conn.execute(sa.insert(evidence_tags), tagged)
        conn.execute(
            sa.insert(visit_members).values(
                visit_id=visit_id, user_id=user_id, position=position, lead=position == 1, review_id=review_id
            )
        )
    agreed_id = _review(conn, own, "agreed", team[0], stamp)
    rows = [
        _answer(agreed_id, c.id, value, "Agreed after discussing the evidence with the SENCO.", stamp)
        for c in framework.criteria
        if (value := median_response(framework, c, ratings.get(c.id, []))) is not None
    ]
    if rows:
        conn.execute(sa.insert(answers), rows)
    conn.execute(sa.update(visits).where(visits.c.id == visit_id).values(agreed_review_id=agreed_id))
    first = framework.domains[0]
    conn.execute(
        sa.insert(lines_of_enquiry).values(
            visit_id=visit_id,
            domain_id=first.id,
            created_at=stamp,
            created_by=team[0],
            text=f"How does the school know that its work on {first.title.lower()} makes a difference for pupils?",
        )
    )
    conn.execute(
        sa.insert(visit_activities).values(
            visit_id=visit_id,
            kind="meeting",
            at=datetime.combine(day, datetime.min.time()).replace(hour=9),
            member_id=team[0],
            met="senco,head",
            notes="Opening meeting; provision map and SEN register reviewed.",
            created_at=stamp,
            created_by=team[0],
        )
    )


def _review(conn: Connection, own: sa.Row, role: str, reviewer_id: int, stamp: datetime) -> int:
    return conn.execute(
        sa.insert(reviews)
        .values(
            school_urn=own.school_urn,
            framework_id=own.framework_id,
            framework_version=own.framework_version,
            cycle=own.cycle,
            role=role,
            reviewer_id=reviewer_id,
            reviewer_name="Demo peer reviewer (fictional)" if role == "peer" else "Agreed judgement (demo)",
            phase=own.phase,
            resourced_provision=own.resourced_provision,
            status="submitted",
            created_at=stamp,
            updated_at=stamp,
            submitted_at=stamp,
            demo=True,
        )
        .returning(reviews.c.id)
    ).scalar_one()


def _answer(review_id: int, criterion_id: str, response: str, evidence: str, stamp: datetime) -> dict:
    return {
        "review_id": review_id,
        "criterion_id": criterion_id,
        "response": response,
        "evidence": evidence,
        "version": 1,
        "updated_at": stamp,
    }


def _judged(framework: Framework, criterion: Criterion, answer: str | None, rng: np.random.Generator) -> str | None:
    """What the team finds: the school's answer, often one level lower (self-reviews run a little high)."""
    if answer is None or pd.isna(answer) or criterion.kind in ("text", "number") or answer == "N/A":
        return answer if criterion.kind == "number" else None
    if criterion.kind == "yes_no":
        return "no" if answer == "yes" and rng.random() < LENIENCY / 4 else answer
    labels = [lv.label for lv in framework.scale_of(criterion).levels]
    at = labels.index(answer) if answer in labels else None
    if at is None:
        return None
    return labels[max(at - 1, 0)] if rng.random() < LENIENCY else answer


def _noisy(framework: Framework, criterion: Criterion, judged: str | None, rng: np.random.Generator) -> str | None:
    """One reviewer's own rating: the team's finding, now and then a level either way."""
    if judged is None or criterion.kind != "rating":
        return judged
    labels = [lv.label for lv in framework.scale_of(criterion).levels]
    step = int(rng.choice([-1, 0, 0, 0, 0, 1]))
    return labels[int(np.clip(labels.index(judged) + step, 0, len(labels) - 1))]
