"""Independent ratings, evidence tags, moderation and the agreed review of a peer review visit.

Each team member rates on their own: an ordinary review (role ``peer`` or ``la``) linked to their
place on the team, answered with the questionnaire, with evidence tags per answer. Until a member
submits, nobody else on the team reads it (data/access.py). Moderation lines up the school's
submitted self-review, the submitted ratings and the agreed review; the agreed review (role
``agreed``) is started once by the lead, pre-filled with the reviewers' median, and scored by the
same engine. Submitting it closes the visit, which ends the peers' access to the school.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access, frameworks
from data.access import Actor, NotAllowed, NotFound
from data.audit import now, record
from data.db import Database
from data.tables import answers, evidence_tags, reviews, schools, visit_members
from data.visits import Visit, checked, insert_review
from framework.models import Framework, ReviewContext
from framework.problems import InvalidInput, Problem
from scoring import ReviewScore, score_review
from scoring.agreement import VisitAgreement, visit_agreement

EVIDENCE_TAGS = {
    "interview": "Interview",
    "pupil_voice": "Pupil voice",
    "parent_voice": "Parent voice",
    "document_scrutiny": "Document scrutiny",
    "observation": "Observation",
    "data": "Data",
}


@dataclass(frozen=True)
class RaterAnswers:
    """One rater's answers as moderation shows them."""

    key: str  # self, r1, r2, ..., agreed
    role: str  # self, peer, la, agreed
    name: str
    review_id: int
    answers: pd.DataFrame = field(repr=False)  # criterion_id, response, evidence (note or rationale), tags


@dataclass(frozen=True)
class Moderation:
    """Everything the moderation page and the CLI show, after the visit rules were applied."""

    visit: Visit
    framework: Framework
    context: ReviewContext
    raters: tuple[RaterAnswers, ...]  # self (when readable), submitted team ratings, agreed (when readable)
    waiting_for: tuple[str, ...]  # team members who have not submitted

    @cached_property
    def agreement(self) -> VisitAgreement:
        table = [
            {
                "rater": r.key,
                "role": r.role,
                "phase": self.context.phase,
                "resourced_provision": bool(self.context.flags),
            }
            for r in self.raters
        ]
        return visit_agreement(self.framework, table, {r.key: r.answers for r in self.raters})

    def rater(self, key: str) -> RaterAnswers | None:
        return next((r for r in self.raters if r.key == key), None)

    def score(self, key: str) -> ReviewScore | None:
        found = self.rater(key)
        if found is None:
            return None
        return score_review(self.framework, found.answers, self.context, school_urn=self.visit.school_urn)

    @property
    def header(self) -> dict[str, object]:
        v = self.visit
        return {
            "visit_id": v.id,
            "school_urn": v.school_urn,
            "framework_id": v.framework_id,
            "framework_version": v.framework_version,
            "cycle": v.cycle,
        }


def _answers(conn: Connection, review_id: int) -> pd.DataFrame:
    rows = conn.execute(
        sa.select(answers.c.criterion_id, answers.c.response, answers.c.evidence, evidence_tags.c.tags)
        .select_from(
            answers.outerjoin(
                evidence_tags,
                (evidence_tags.c.review_id == answers.c.review_id)
                & (evidence_tags.c.criterion_id == answers.c.criterion_id),
            )
        )
        .where(answers.c.review_id == review_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["criterion_id", "response", "evidence", "tags"])
    frame["tags"] = [tuple(t for t in (x or "").split(",") if t) for x in frame["tags"]]
    return frame


def _self_review(conn: Connection, visit: Visit) -> sa.Row | None:
    return conn.execute(
        sa.select(reviews)
        .where(
            reviews.c.school_urn == visit.school_urn,
            reviews.c.cycle == visit.cycle,
            reviews.c.role == "self",
            reviews.c.status == "submitted",
            reviews.c.framework_id == visit.framework_id,
            reviews.c.framework_version == visit.framework_version,
        )
        .order_by(reviews.c.submitted_at.desc(), reviews.c.id.desc())
    ).first()


def moderation(db: Database, actor: Actor, visit_id: int) -> Moderation:
    """The side-by-side ratings the actor may see; raises NotFound/NotAllowed otherwise."""
    with db.read() as conn:
        visit = checked(conn, actor, visit_id, "moderation")
        own = conn.execute(
            sa.select(schools.c.phase, schools.c.resourced_provision).where(schools.c.urn == visit.school_urn)
        ).first()
        raters: list[RaterAnswers] = []
        mine = _self_review(conn, visit)
        shares = visit.ref.school.shares  # the self-review reaches the team under the school's consents
        self_visible = (
            actor.role in ("admin", "school")
            or (access.SHARE_WITH_PEERS if actor.role == "peer" else access.SHARE_WITH_LA) in shares
        )
        assert own is not None  # a visit's school is in the register (foreign key)
        context = ReviewContext.of(own.phase, own.resourced_provision)
        if mine is not None and self_visible:
            context = ReviewContext.of(mine.phase, mine.resourced_provision)
            raters.append(RaterAnswers("self", "self", "School self-review", mine.id, _answers(conn, mine.id)))
        waiting = []
        for m in visit.members:
            if (
                m.review_id is not None
                and access.visit_allowed(actor, "read", visit.part("rating", m.user_id, m.submitted))
                and m.submitted
            ):
                role = "la" if m.role == "la" else "peer"
                raters.append(RaterAnswers(m.key, role, m.name, m.review_id, _answers(conn, m.review_id)))
            elif not m.submitted:
                waiting.append(m.name)
        if visit.agreed_review_id is not None and access.visit_allowed(
            actor, "read", visit.part("agreed", submitted=visit.closed)
        ):
            agreed = _answers(conn, visit.agreed_review_id)
            raters.append(RaterAnswers("agreed", "agreed", "Agreed review", visit.agreed_review_id, agreed))
    framework = frameworks.get_framework(db, visit.framework_id, visit.framework_version)
    return Moderation(visit, framework, context, tuple(raters), tuple(waiting))


# --- each member's independent rating ---------------------------------------------------------------


def start_rating(db: Database, actor: Actor, visit_id: int) -> int:
    """The member's own rating of the school, started on first use (then the same one again)."""
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        member = visit.member(actor.id)
        if member is None:
            raise NotAllowed("Only members of the visit's team rate the school for it.")
        if member.review_id is not None:
            return member.review_id
        role = "la" if actor.role == "la" else "peer"
        access.visit_require(actor, "write", visit.part("rating", actor.id))
        assigned = access.holds_assignment(conn, actor, visit.school_urn, visit.cycle)
        school = conn.execute(sa.select(schools).where(schools.c.urn == visit.school_urn)).first()
        assert school is not None  # a visit's school is in the register (foreign key)
        ref = access.ReviewRef(visit.ref.school, role, actor.id, "draft", visit.cycle)
        if not access.allowed(actor, "write", ref, assigned=assigned):
            raise NotAllowed(
                f"You are not assigned to {school.name} for {visit.cycle} (or the assignment has not started)."
            )
        review_id = insert_review(conn, actor, visit, role)
        conn.execute(
            sa.update(visit_members)
            .where(visit_members.c.visit_id == visit_id, visit_members.c.user_id == actor.id)
            .values(review_id=review_id)
        )
        record(
            conn, actor, "review_started", school_urn=visit.school_urn, review_id=review_id, detail=f"visit {visit_id}"
        )
    return review_id


def _rating_visit(conn: Connection, review_id: int) -> tuple[Visit, sa.Row] | None:
    row = conn.execute(sa.select(visit_members).where(visit_members.c.review_id == review_id)).first()
    if row is None:
        return None
    from data.visits import fetch

    visit = fetch(conn, row.visit_id)
    return (visit, row) if visit is not None else None


def load_tags(db: Database, actor: Actor, review_id: int) -> dict[str, tuple[str, ...]] | None:
    """Evidence tags per criterion of a team member's rating; None when the review is no visit rating."""
    with db.read() as conn:
        found = _rating_visit(conn, review_id)
        if found is None:
            return None
        visit, member = found
        status = conn.execute(sa.select(reviews.c.status).where(reviews.c.id == review_id)).scalar_one()
        access.visit_require(actor, "read", visit.part("rating", member.user_id, status == "submitted"))
        rows = conn.execute(sa.select(evidence_tags).where(evidence_tags.c.review_id == review_id)).all()
    return {r.criterion_id: tuple(t for t in r.tags.split(",") if t) for r in rows}


def save_tags(db: Database, actor: Actor, review_id: int, criterion_id: str, tags: list[str]) -> None:
    """Store what one rating rests on; only its author, while it is in progress and the visit open."""
    unknown = [t for t in tags if t not in EVIDENCE_TAGS]
    with db.write() as conn:
        found = _rating_visit(conn, review_id)
        if found is None:
            raise NotFound(f"Review {review_id} is not a rating of a peer review visit.")
        visit, member = found
        access.visit_require(actor, "write", visit.part("rating", member.user_id))
        status = conn.execute(sa.select(reviews.c.status).where(reviews.c.id == review_id)).scalar_one()
        framework = frameworks.get_framework(db, visit.framework_id, visit.framework_version)
        problems = [Problem("Evidence", f"{', '.join(unknown)} is not an evidence tag.")] if unknown else []
        if criterion_id not in framework.criteria_by_id:
            problems.append(Problem("Criterion", f'"{criterion_id}" is not in framework "{framework.id}".'))
        if status != "draft":
            raise NotAllowed("This rating has been submitted, so its evidence tags are locked.")
        if problems:
            raise InvalidInput(problems)
        key = (evidence_tags.c.review_id == review_id) & (evidence_tags.c.criterion_id == criterion_id)
        values = {"tags": ",".join(t for t in EVIDENCE_TAGS if t in tags), "updated_at": now(), "updated_by": actor.id}
        if conn.execute(sa.update(evidence_tags).where(key).values(**values)).rowcount == 0:
            conn.execute(sa.insert(evidence_tags).values(review_id=review_id, criterion_id=criterion_id, **values))
        record(conn, actor, "evidence_tagged", school_urn=visit.school_urn, review_id=review_id, detail=criterion_id)
