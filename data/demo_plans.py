"""Demo action plans: a dozen demo schools (the demo SENCO's among them) took the suggestions of their
2024/25 SENCO role audit into a plan, and have worked on it since: some actions done, some on track,
some at risk or overdue, with dated progress notes. So the plan page, and the open actions carried
beside the next cycle's results, have something to show at once.

Plans are scored from the stored answers with the same suggestions a school is offered (``scoring.actions``);
about 25 ms a school, so only a few schools get one and the first start stays quick.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access
from data.demo_accounts import senco_school
from data.reviews import fetch_review
from data.tables import action_items, action_notes, answers, reviews
from framework.library import builtin_framework
from framework.models import Framework
from scoring import criterion_contributions, score_review
from scoring.actions import suggest_actions

FRAMEWORK_ID = "senco-role-audit"
CYCLE = "2024/25"
SCHOOLS = 12
LEADS = ["SENCO", "Headteacher", "SEN governor", "Deputy headteacher", "SENCO with class teachers"]
STATUSES = {"done": 0.3, "on_track": 0.3, "at_risk": 0.2, "not_started": 0.2}
NOTES = {
    "done": ["Started: first steps agreed with the head.", "Completed; the evidence is filed with the SEN records."],
    "on_track": ["First termly check done; on course."],
    "at_risk": ["Delayed by staff absence this term; a new date agreed with the head."],
    "not_started": [],
}
DUE_FROM_TODAY = (-120, 240)  # days: some actions overdue, most still ahead, whenever the demo is loaded


def load_demo_plans(conn: Connection, seed: int = 7) -> int:
    """Add the demo plans inside the demo loader's transaction; returns how many actions were made."""
    framework = builtin_framework(FRAMEWORK_ID)
    rng = np.random.default_rng(seed + 21)
    done = conn.execute(
        sa.select(reviews).where(
            reviews.c.role == "self",
            reviews.c.cycle == CYCLE,
            reviews.c.framework_id == FRAMEWORK_ID,
            reviews.c.status == "submitted",
            reviews.c.demo,
        )
    ).all()
    senco = senco_school(conn)
    others = [r for r in done if r.school_urn != senco]
    chosen = [r for r in done if r.school_urn == senco]
    chosen += [others[i] for i in sorted(rng.choice(len(others), size=min(SCHOOLS - 1, len(others)), replace=False))]
    made = 0
    for review in chosen:
        made += _plan(conn, framework, review, rng)
    return made


def _plan(conn: Connection, framework: Framework, review: sa.Row, rng: np.random.Generator) -> int:
    stored = pd.DataFrame(
        conn.execute(
            sa.select(answers.c.criterion_id, answers.c.response, answers.c.evidence).where(
                answers.c.review_id == review.id
            )
        ).all(),
        columns=["criterion_id", "response", "evidence"],
    )
    context = fetch_review(conn, review.id).context  # type: ignore[union-attr]  # the row was just read
    score = score_review(framework, stored, context)
    found = suggest_actions(framework, score, criterion_contributions(framework, stored, context))[:4]
    stamp = review.submitted_at or datetime(2025, 3, 15, tzinfo=UTC)
    today = access.today()
    for suggestion in found:
        status = str(rng.choice(list(STATUSES), p=list(STATUSES.values())))
        due = today + timedelta(days=int(rng.integers(*DUE_FROM_TODAY)))
        action_id = conn.execute(
            sa.insert(action_items)
            .values(
                school_urn=review.school_urn,
                cycle=CYCLE,
                review_id=review.id,
                framework_id=FRAMEWORK_ID,
                what=suggestion.what,
                domain_id=suggestion.domain_id,
                criteria=",".join(suggestion.criteria),
                lead=str(rng.choice(LEADS)),
                due_on=due,
                success=suggestion.success,
                status=status,
                suggestion_key=suggestion.key,
                version=1,
                created_at=stamp,
                updated_at=stamp,
            )
            .returning(action_items.c.id)
        ).scalar_one()
        for step, text in enumerate(NOTES[status], start=1):
            noted = min(due, today) - timedelta(days=30 * (len(NOTES[status]) - step))
            conn.execute(
                sa.insert(action_notes).values(
                    action_id=action_id,
                    noted_on=noted,
                    text=text,
                    created_at=datetime.combine(noted, datetime.min.time(), tzinfo=UTC),
                    created_by_name="Demo SENCO (fictional)",
                )
            )
    return len(found)
