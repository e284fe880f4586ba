"""Peer assignments: an admin, or an LA user for a school of their LA, names a peer reviewer for a school and cycle.

The assignment is what lets a peer in (see data/access.py): from ``starts_on`` the peer writes their
own peer review of the school for that cycle and, if the school shares with its peer reviewers,
reads its submitted self-reviews, until the assignment is withdrawn (the row stays, marked) or the
school's agreed review for the cycle is submitted.

    >>> assignment_id = assign_peer(db, advisor, peer_email="peer@oak.example", school_urn="900001", cycle="2025/26")
    >>> review_id = start_peer_review(db, peer, assignment_id)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from data import access, frameworks, reviews
from data.access import PEER_REVIEWERS, Actor, AssignmentRef, NotAllowed, NotFound, SchoolRef
from data.audit import now, record
from data.db import Database
from data.tables import peer_assignments, schools, users
from data.tables import reviews as reviews_table
from framework.problems import InvalidInput, Problem

State = Literal["waiting", "open", "closed", "withdrawn"]
STATE_WORDS = {
    "waiting": "Not started yet",
    "open": "Open",
    "closed": "Closed: the agreed review is submitted",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class Assignment:
    id: int
    peer_id: int
    peer_name: str
    peer_email: str
    school_urn: str
    school_name: str
    la: str
    cycle: str
    starts_on: date
    created_at: datetime
    state: State
    ended_at: datetime | None = None
    end_reason: str = ""

    @property
    def live(self) -> bool:
        """Not withdrawn and not closed: the peer has (or, once it starts, will have) access."""
        return self.state in ("waiting", "open")

    @property
    def ref(self) -> AssignmentRef:
        return AssignmentRef(SchoolRef(self.school_urn, self.la), self.peer_id)


@dataclass(frozen=True)
class PeerReviewer:
    id: int
    name: str
    email: str


_closing = reviews_table.alias("closing")
_CLOSED = (
    sa.exists()
    .where(
        _closing.c.school_urn == peer_assignments.c.school_urn,
        _closing.c.cycle == peer_assignments.c.cycle,
        _closing.c.role == "agreed",
        _closing.c.status == "submitted",
    )
    .label("closed")
)
_COLUMNS = [
    peer_assignments.c.id,
    peer_assignments.c.user_id.label("peer_id"),
    users.c.name.label("peer_name"),
    users.c.email.label("peer_email"),
    peer_assignments.c.school_urn,
    schools.c.name.label("school_name"),
    schools.c.la,
    peer_assignments.c.cycle,
    peer_assignments.c.starts_on,
    peer_assignments.c.created_at,
    peer_assignments.c.ended_at,
    peer_assignments.c.end_reason,
    _CLOSED,
]
_FROM = peer_assignments.join(schools, schools.c.urn == peer_assignments.c.school_urn).join(
    users, users.c.id == peer_assignments.c.user_id
)


def list_assignments(db: Database, actor: Actor, *, cycle: str | None = None) -> list[Assignment]:
    """The assignments the actor may see: all (admin), their LA's, their own (peer), their school's."""
    query = sa.select(*_COLUMNS).select_from(_FROM).where(access.visible_assignments(actor))
    if cycle:
        query = query.where(peer_assignments.c.cycle == cycle)
    with db.read() as conn:
        rows = conn.execute(query.order_by(peer_assignments.c.cycle.desc(), schools.c.name, users.c.name)).all()
    return [_assignment(row) for row in rows]


def get_assignment(db: Database, actor: Actor, assignment_id: int) -> Assignment:
    with db.read() as conn:
        found = _fetch(conn, assignment_id)
    if found is None or not access.allowed(actor, "read", found.ref):
        raise NotFound(f"There is no peer assignment {assignment_id} that you can see.")
    return found


def may_manage(actor: Actor) -> bool:
    """Whether the actor assigns peers anywhere (admins; LA users, for their LA): pages ask this to offer the forms."""
    return access.allowed(actor, "read", PEER_REVIEWERS)


def peer_reviewers(db: Database, actor: Actor) -> list[PeerReviewer]:
    """The active peer reviewer accounts, for choosing whom to assign (admins and LA users)."""
    access.require(actor, "read", PEER_REVIEWERS)
    query = sa.select(users.c.id, users.c.name, users.c.email).where(users.c.role == "peer", users.c.active)
    with db.read() as conn:
        rows = conn.execute(query.order_by(users.c.name, users.c.email)).all()
    return [PeerReviewer(r.id, r.name, r.email) for r in rows]


def assign_peer(
    db: Database, actor: Actor, *, peer_email: str, school_urn: str, cycle: str, starts_on: date | None = None
) -> int:
    """Give a peer reviewer access to a school's review for a cycle, from ``starts_on`` (default: today)."""
    email = peer_email.strip().lower()
    school_urn = school_urn.strip()
    starts_on = starts_on or access.today()
    problems = [] if re.fullmatch(reviews.CYCLE_PATTERN, cycle or "") else [_cycle_problem(cycle)]
    with db.write() as conn:
        school = conn.execute(sa.select(schools.c.urn, schools.c.la).where(schools.c.urn == school_urn)).first()
        if school is None:
            raise NotFound(f"There is no school with URN {school_urn}.")
        peer = conn.execute(sa.select(users).where(users.c.email == email)).first()
        access.require(actor, "write", AssignmentRef(SchoolRef(school.urn, school.la), peer.id if peer else None))
        if peer is None or peer.role != "peer" or not peer.active:
            problems.append(Problem("Peer reviewer", f"{email} is not an active peer reviewer account."))
        elif _duplicate(conn, peer.id, school_urn, cycle):
            problems.append(Problem("Peer reviewer", f"{email} is already assigned to this school for {cycle}."))
        if problems:
            raise InvalidInput(problems)
        assert peer is not None  # without problems, an active peer account was found
        assignment_id = conn.execute(
            sa.insert(peer_assignments)
            .values(
                user_id=peer.id,
                school_urn=school_urn,
                cycle=cycle,
                starts_on=starts_on,
                created_at=now(),
                created_by=actor.id,
            )
            .returning(peer_assignments.c.id)
        ).scalar_one()
        detail = f"{email} for {cycle}, from {starts_on:%d %b %Y}"
        record(conn, actor, "peer_assigned", school_urn=school_urn, detail=detail)
    return assignment_id


def withdraw(db: Database, actor: Actor, assignment_id: int, reason: str = "") -> None:
    """End an assignment now: the access ends; the row stays with who ended it, when and why (so does the audit log)."""
    with db.write() as conn:
        found = _fetch(conn, assignment_id)
        if found is None or not access.allowed(actor, "read", found.ref):
            raise NotFound(f"There is no peer assignment {assignment_id} that you can see.")
        access.require(actor, "write", found.ref)
        if found.state == "withdrawn":
            raise InvalidInput([Problem("Assignment", f"Assignment {assignment_id} is already withdrawn.")])
        conn.execute(
            sa.update(peer_assignments)
            .where(peer_assignments.c.id == assignment_id)
            .values(ended_at=now(), ended_by=actor.id, end_reason=reason.strip())
        )
        detail = f"{found.peer_email} for {found.cycle}" + (f": {reason.strip()}" if reason.strip() else "")
        record(conn, actor, "peer_withdrawn", school_urn=found.school_urn, detail=detail)


def start_peer_review(db: Database, actor: Actor, assignment_id: int) -> int:
    """The peer's own review of the assigned school, started on first use (then the same one again).

    It uses the framework, phase and resourced provision of the school's latest submitted
    self-review for the cycle, so that the two can be lined up in moderation.
    """
    assignment = get_assignment(db, actor, assignment_id)
    if actor.role != "peer" or assignment.peer_id != actor.id:
        raise NotAllowed("Only the assigned peer reviewer can start this peer review.")
    if assignment.state == "waiting":
        raise NotAllowed(f"This peer assignment starts on {assignment.starts_on:%d %b %Y}.")
    if assignment.state == "closed":
        raise NotAllowed(f"This peer assignment has closed: the agreed review for {assignment.cycle} is submitted.")
    if assignment.state == "withdrawn":
        raise NotAllowed("This peer assignment has been withdrawn.")
    visible = [
        r
        for r in reviews.list_reviews(db, actor)
        if (r.school_urn, r.cycle) == (assignment.school_urn, assignment.cycle)
    ]
    mine = [r for r in visible if r.role == "peer" and r.reviewer_id == actor.id]
    if mine:
        return mine[0].id
    submitted = [r for r in visible if r.role == "self" and r.status == "submitted"]
    if not submitted:
        raise NotAllowed(
            f"{assignment.school_name} has not submitted its self-review for {assignment.cycle} yet. "
            "You can start your peer review once it has."
        )
    latest = submitted[0]  # list_reviews gives the most recently changed first
    return reviews.start_review(
        db,
        actor,
        school_urn=assignment.school_urn,
        framework=frameworks.get_framework(db, latest.framework_id, latest.framework_version),
        cycle=assignment.cycle,
        phase=latest.phase,
        resourced_provision=latest.resourced_provision,
        role="peer",
        has_nursery=latest.has_nursery,
        has_sixth_form=latest.has_sixth_form,
    )


def _fetch(conn: Connection, assignment_id: int) -> Assignment | None:
    row = conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(peer_assignments.c.id == assignment_id)).first()
    return _assignment(row) if row is not None else None


def _duplicate(conn: Connection, peer_id: int, school_urn: str, cycle: str) -> bool:
    query = sa.select(peer_assignments.c.id).where(
        peer_assignments.c.user_id == peer_id,
        peer_assignments.c.school_urn == school_urn,
        peer_assignments.c.cycle == cycle,
        peer_assignments.c.ended_at.is_(None),
    )
    return conn.execute(query).first() is not None


def _cycle_problem(cycle: str) -> Problem:
    return Problem("Review cycle", f'must be an academic year such as 2025/26 (got "{cycle}").')


def _assignment(row: Row) -> Assignment:
    starts_on = row.starts_on
    state: State = (
        "withdrawn"
        if row.ended_at is not None
        else "closed"
        if row.closed
        else "waiting"
        if starts_on > access.today()
        else "open"
    )
    return Assignment(
        id=row.id,
        peer_id=row.peer_id,
        peer_name=row.peer_name,
        peer_email=row.peer_email,
        school_urn=row.school_urn,
        school_name=row.school_name,
        la=row.la,
        cycle=row.cycle,
        starts_on=starts_on,
        created_at=row.created_at,
        state=state,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )
