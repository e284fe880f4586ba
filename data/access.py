"""The one access policy. Every repository, export and CLI command asks it; pages never decide.

Modelled on datasette's ``allowed(action, resource, actor)``: one function that answers yes or
no for a record, plus SQL filter forms of the same rules for listings (``visible_*``).

    >>> allowed(actor, "read", review.ref, assigned=holds_assignment(conn, actor, urn, cycle))

Judgements about a school are the school's: they go further only by its consent. A school gives
(and withdraws) two consents, recorded in ``consents`` and carried on its ``SchoolRef``:
``"la"`` lets its LA's advisors read and export its reviews by name; ``"peers"`` lets the peer
reviewers assigned to it read its submitted self-review. Without them its results still count,
anonymised, in other schools' comparisons (groups under 5 are never shown).

The rules, by the kind of record:

- a school's register row (public facts: name, phase, size): admins; LA users for their LA
  (read, write, export); school users read their own school's row. Peers read no register row,
  so they see every school anonymised.
- a review (and its answers, results and exports): admins; school users read their school's
  self-reviews and any submitted review of their school, and write its self-reviews. LA users
  read and export every review of a school in their LA that shares with the LA, and read, write
  and export their own LA reviews. A peer holding a *live* assignment to the school for the
  review's cycle reads, writes and exports their own peer review, and reads the school's
  submitted self-reviews when the school shares with its peer reviewers; nothing else.
- a school's consents: its own users and admins read and change them; LA users read those of
  their LA's schools.
- a peer assignment: admins, and LA users for schools in their LA, make and withdraw them; the
  peer and the school's own users read them.
- audit rows: admins read and export all; LA users those of their LA. Nobody edits them.
- user accounts: only admins manage them; LA users may read the list of peer reviewers to
  assign one.

A peer assignment is *live* from its ``starts_on`` date until it is withdrawn (the row stays, with
who ended it, when and why) or the school's review for that cycle closes: an
``agreed`` review of the school for that cycle is submitted. Reopening the agreed review opens
the assignment again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.tables import consents, peer_assignments, reviews, schools

Role = Literal["school", "peer", "la", "admin"]
Action = Literal["read", "write", "export"]
ROLES: tuple[str, ...] = ("school", "peer", "la", "admin")
ENGLAND = ZoneInfo("Europe/London")
SHARE_WITH_LA = "la"
SHARE_WITH_PEERS = "peers"


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``id`` is None for the server operator (CLI without --as)."""

    id: int | None
    email: str
    role: Role
    name: str = ""
    school_urn: str | None = None
    la: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.email


OPERATOR = Actor(id=None, email="operator", role="admin", name="Server operator")


class NotAllowed(Exception):
    """The actor may not do this; the message is safe to show."""


class NotFound(Exception):
    """No such record, or none the actor may know about (the two look the same on purpose)."""


@dataclass(frozen=True)
class SchoolRef:
    """A school's register row (and the school every other record belongs to), with what it shares."""

    urn: str
    la: str
    shares: frozenset[str] = frozenset()  # the consents given: SHARE_WITH_LA, SHARE_WITH_PEERS


@dataclass(frozen=True)
class ReviewRef:
    """A review of a school; its answers, results and exports follow the review's rules."""

    school: SchoolRef
    role: str  # self | peer | la | agreed
    reviewer_id: int | None
    status: str
    cycle: str = ""
    held_back: bool = False  # a visit team member's rating before the agreed review (see held_back_rating)


@dataclass(frozen=True)
class AssignmentRef:
    """A peer reviewer's assignment to a school."""

    school: SchoolRef
    peer_id: int | None


@dataclass(frozen=True)
class ConsentRef:
    """A school's consents to share its reviews."""

    school: SchoolRef


@dataclass(frozen=True)
class AuditRef:
    """Audit rows of one LA: about its schools, or by its users when no school is named."""

    la: str | None


@dataclass(frozen=True)
class Accounts:
    """User accounts: ``all`` of them, or only the ``peers`` (peer reviewers one can assign)."""

    kind: Literal["all", "peers"] = "all"


ACCOUNTS = Accounts("all")
PEER_REVIEWERS = Accounts("peers")

# --- action plans (issue #13) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionPlanRef:
    """A school's action plan (its actions and their notes): the school's own staff and admins read and
    write it; LA users read and export it only while the school shares with its LA; peers never."""

    school: SchoolRef


def _action_plan_rule(actor: Actor, action: Action, plan: ActionPlanRef) -> bool:
    if actor.role == "school":
        return _own_school(actor, plan.school)
    if actor.role == "la":
        return action != "write" and _in_la(actor, plan.school) and SHARE_WITH_LA in plan.school.shares
    return False


Resource = SchoolRef | ReviewRef | AssignmentRef | ConsentRef | AuditRef | Accounts | ActionPlanRef


def allowed(
    actor: Actor, action: Action, resource: Resource, review: ReviewRef | None = None, *, assigned: bool = False
) -> bool:
    """May ``actor`` do ``action`` to this record?

    ``assigned`` is a fact only repositories know: the actor holds a live peer assignment to the
    record's school for the review's cycle (see ``holds_assignment``). The older call shape
    ``allowed(actor, action, school, review)`` still works.
    """
    target = review if review is not None else resource
    if isinstance(target, AuditRef) and action == "write":
        return False  # the audit log is written only as a side effect of the change it records
    if actor.role == "admin":
        return True
    if isinstance(target, ReviewRef):
        return _review_rule(actor, action, target, assigned)
    if isinstance(target, SchoolRef):
        return _school_rule(actor, action, target)
    if isinstance(target, AssignmentRef):
        return _assignment_rule(actor, action, target)
    if isinstance(target, ActionPlanRef):
        return _action_plan_rule(actor, action, target)
    if isinstance(target, ConsentRef):
        if actor.role == "la":
            return action == "read" and _in_la(actor, target.school)
        return actor.role == "school" and _own_school(actor, target.school)
    if isinstance(target, AuditRef):
        return actor.role == "la" and actor.la is not None and target.la == actor.la
    if isinstance(target, Accounts):
        return actor.role == "la" and action == "read" and target.kind == "peers"
    return False


def require(
    actor: Actor, action: Action, resource: Resource, review: ReviewRef | None = None, *, assigned: bool = False
) -> None:
    if not allowed(actor, action, resource, review, assigned=assigned):
        target = review if review is not None else resource
        if isinstance(target, Accounts):
            raise NotAllowed("Only an administrator can manage user accounts.")
        if isinstance(target, ConsentRef) and action == "write":
            raise NotAllowed("Only the school's own users (or an administrator) can change what it shares.")
        raise NotAllowed(f"You do not have permission to {action} this record.")


def _school_rule(actor: Actor, action: Action, school: SchoolRef) -> bool:
    if actor.role == "la":
        return _in_la(actor, school)
    if actor.role == "school":
        return action != "write" and _own_school(actor, school)
    return False


def _review_rule(actor: Actor, action: Action, review: ReviewRef, assigned: bool) -> bool:
    if review.held_back and actor.role in ("school", "la") and not _is_reviewer(actor, review):
        return False  # visits: independent ratings reach the school (and LA) with the agreed review
    if actor.role == "la":
        if not _in_la(actor, review.school):
            return False
        own = review.role == "la" and _is_reviewer(actor, review)
        return own or (action != "write" and SHARE_WITH_LA in review.school.shares)
    if actor.role == "school":
        if not _own_school(actor, review.school):
            return False
        if action == "write":
            return review.role == "self"
        return review.role == "self" or review.status == "submitted"
    if actor.role == "peer" and assigned:
        own = review.role == "peer" and _is_reviewer(actor, review)
        if action == "read":
            shared = SHARE_WITH_PEERS in review.school.shares
            return own or (shared and review.role == "self" and review.status == "submitted")
        return own
    return False


def _assignment_rule(actor: Actor, action: Action, assignment: AssignmentRef) -> bool:
    if actor.role == "la":
        return _in_la(actor, assignment.school)
    if action == "write":
        return False
    if actor.role == "school":
        return _own_school(actor, assignment.school)
    return actor.role == "peer" and actor.id is not None and assignment.peer_id == actor.id


def _in_la(actor: Actor, school: SchoolRef) -> bool:
    return actor.la is not None and school.la == actor.la


def _own_school(actor: Actor, school: SchoolRef) -> bool:
    return actor.school_urn is not None and school.urn == actor.school_urn


def _is_reviewer(actor: Actor, review: ReviewRef) -> bool:
    # the operator and not-yet-stored actors have no id: they are nobody's reviewer
    return actor.id is not None and review.reviewer_id == actor.id


# --- peer assignments: the one fact the policy needs from the database ---------------------------


def today() -> date:
    """The date in England, which is when an assignment's ``starts_on`` begins."""
    return datetime.now(ENGLAND).date()


def live_assignment(actor: Actor, school_urn: object, cycle: object) -> sa.ColumnElement[bool]:
    """SQL: ``actor`` holds a live peer assignment to this school for this cycle.

    ``school_urn`` and ``cycle`` are values or columns of the enclosing query (then correlated).
    """
    if actor.role != "peer" or actor.id is None:
        return sa.false()
    closing = reviews.alias("closing")
    return sa.and_(
        sa.exists().where(
            peer_assignments.c.user_id == actor.id,
            peer_assignments.c.school_urn == school_urn,
            peer_assignments.c.cycle == cycle,
            peer_assignments.c.starts_on <= today(),
            peer_assignments.c.ended_at.is_(None),
        ),
        ~sa.exists().where(
            closing.c.school_urn == school_urn,
            closing.c.cycle == cycle,
            closing.c.role == "agreed",
            closing.c.status == "submitted",
        ),
    )


def holds_assignment(conn: Connection, actor: Actor, school_urn: str, cycle: str) -> bool:
    """The ``assigned`` fact for ``allowed``; always False (and no query) for anyone but a peer."""
    if actor.role != "peer" or actor.id is None:
        return False
    return bool(conn.execute(sa.select(live_assignment(actor, school_urn, cycle))).scalar())


def shares(school_urn: object, scope: str) -> sa.ColumnElement[bool]:
    """SQL: the school has given this consent; ``school_urn`` is a value or a correlated column."""
    return sa.exists().where(consents.c.school_urn == school_urn, consents.c.scope == scope)


def may_name(actor: Actor, school: SchoolRef) -> bool:
    """May the actor see this school's results under its name (else it appears as "School A"...)?

    The question is whether they could read its submitted self-review; a peer is asked without
    an assignment, so peers see every other school anonymised.
    """
    return allowed(actor, "read", ReviewRef(school, "self", None, "submitted"))


# --- the same rules as WHERE clauses, for listings --------------------------------------------


def visible_schools(actor: Actor) -> sa.ColumnElement[bool]:
    """``allowed(read)`` on a register row, as a WHERE clause on ``schools``."""
    if actor.role == "admin":
        return sa.true()
    if actor.role == "la":
        return schools.c.la == (actor.la or "")
    if actor.role == "school":
        return schools.c.urn == (actor.school_urn or "")
    return sa.false()


def visible_reviews(actor: Actor) -> sa.ColumnElement[bool]:
    """``allowed(read)`` on a review as a WHERE clause; the query must join ``schools``."""
    if actor.role == "school":
        return sa.and_(
            schools.c.urn == (actor.school_urn or ""),
            sa.or_(reviews.c.role == "self", reviews.c.status == "submitted"),
            ~held_back_rating(reviews.c.id),
        )
    if actor.role == "peer":
        if actor.id is None:
            return sa.false()
        return sa.and_(
            live_assignment(actor, reviews.c.school_urn, reviews.c.cycle),
            sa.or_(
                sa.and_(reviews.c.role == "peer", reviews.c.reviewer_id == actor.id),
                sa.and_(
                    reviews.c.role == "self",
                    reviews.c.status == "submitted",
                    shares(reviews.c.school_urn, SHARE_WITH_PEERS),
                ),
            ),
        )
    if actor.role == "la":
        own = sa.and_(reviews.c.role == "la", reviews.c.reviewer_id == actor.id) if actor.id is not None else sa.false()
        theirs = sa.and_(shares(reviews.c.school_urn, SHARE_WITH_LA), ~held_back_rating(reviews.c.id))
        return sa.and_(visible_schools(actor), sa.or_(own, theirs))
    return visible_schools(actor)


def visible_assignments(actor: Actor) -> sa.ColumnElement[bool]:
    """``allowed(read)`` on an assignment; the query must join ``schools``."""
    if actor.role == "peer":
        return peer_assignments.c.user_id == actor.id if actor.id is not None else sa.false()
    return visible_schools(actor)


def visible_audit(actor: Actor, row_la: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """``allowed(read)`` on audit rows, given the SQL expression for a row's LA."""
    if actor.role == "admin":
        return sa.true()
    if actor.role == "la" and actor.la is not None:
        return row_la == actor.la
    return sa.false()


# --- peer review visits (issue #12) ------------------------------------------------------------------
# A visit's team (its members, one of them the lead) sees everything of the visit: the plan and log,
# the lines of enquiry, every member's rating once that member has submitted it (independence: a
# rating in progress is its author's alone), moderation and the agreed review. The school sees its
# visit, the lines of enquiry once the lead has released them, the agreed review once submitted, and
# the members' ratings only after that. An LA user of the school's LA sees what the school sees, when
# the school shares with its LA, and sets visits up; admins see everything. Nobody else sees a visit.
# Who may set a visit up: admins, LA users for a school of their LA, the school itself.


@dataclass(frozen=True)
class VisitRef:
    """A peer review visit and the facts its rules need."""

    school: SchoolRef
    team: frozenset[int] = frozenset()  # member user ids
    lead_id: int | None = None
    closed: bool = False  # its agreed review is submitted
    enquiry_released: bool = False  # the release date the lead chose has come


VisitPart = Literal["visit", "plan", "enquiry", "rating", "agreed", "moderation"]


@dataclass(frozen=True)
class VisitRecordRef:
    """One part of a visit: ``rating`` is a member's rating (``author_id``, ``submitted``); ``agreed``
    the agreed review; ``plan`` the plan and log; ``enquiry`` the lines of enquiry; ``moderation``
    the side-by-side view and its statistics; ``visit`` the visit itself (set up, team, dates)."""

    visit: VisitRef
    part: VisitPart
    author_id: int | None = None
    submitted: bool = False


def visit_allowed(actor: Actor, action: Action, record: VisitRecordRef) -> bool:
    """May ``actor`` do ``action`` to this part of a visit?"""
    visit = record.visit
    if actor.role == "admin":
        return True
    member = actor.id is not None and actor.id in visit.team
    lead = member and actor.id == visit.lead_id
    if record.part == "visit" and action == "write":
        return (actor.role == "la" and _in_la(actor, visit.school)) or (
            actor.role == "school" and _own_school(actor, visit.school) and not visit.closed
        )
    if action == "write":
        if not member or visit.closed:
            return False
        if record.part == "rating":
            return actor.id == record.author_id
        if record.part == "agreed":
            return lead
        return record.part in ("plan", "enquiry")
    if member:  # read and export
        return record.part != "rating" or actor.id == record.author_id or record.submitted
    school_sees = actor.role == "school" and _own_school(actor, visit.school)
    la_sees = actor.role == "la" and _in_la(actor, visit.school) and SHARE_WITH_LA in visit.school.shares
    if not (school_sees or la_sees):
        return False
    if record.part == "enquiry":
        return visit.enquiry_released or la_sees
    if record.part in ("rating", "moderation"):
        return visit.closed and (record.part == "moderation" or record.submitted)
    if record.part == "agreed":
        return record.submitted
    return record.part == "visit" or la_sees


def visit_require(actor: Actor, action: Action, record: VisitRecordRef) -> None:
    if not visit_allowed(actor, action, record):
        if record.part == "agreed" and action == "write":
            raise NotAllowed("Only the visit's lead reviewer can record the agreed review, while the visit is open.")
        if record.visit.closed and action == "write":
            raise NotAllowed("This visit is closed: its agreed review has been submitted.")
        raise NotAllowed(f"You do not have permission to {action} this part of the visit.")


def visible_visits(actor: Actor) -> sa.ColumnElement[bool]:
    """``visit_allowed(read, visit)`` as a WHERE clause; the query must join ``schools`` and ``visits``."""
    from data.tables import visit_members, visits

    if actor.role == "admin":
        return sa.true()
    member = (
        sa.exists().where(visit_members.c.visit_id == visits.c.id, visit_members.c.user_id == actor.id)
        if actor.id is not None
        else sa.false()
    )
    if actor.role == "school":
        return sa.or_(member, schools.c.urn == (actor.school_urn or ""))
    if actor.role == "la":
        return sa.or_(member, sa.and_(visible_schools(actor), shares(visits.c.school_urn, SHARE_WITH_LA)))
    return member


def held_back_rating(review_id: object) -> sa.ColumnElement[bool]:
    """SQL: the review is a team member's rating in a visit whose agreed review is not submitted yet:
    the school and LA users other than its author do not read it through the review rules meanwhile."""
    from data.tables import visit_members, visits

    closing = reviews.alias("closing_visit")
    return sa.exists().where(
        visit_members.c.review_id == review_id,
        visits.c.id == visit_members.c.visit_id,
        ~sa.exists().where(closing.c.id == visits.c.agreed_review_id, closing.c.status == "submitted"),
    )


# --- whole-database backup and restore (issue 16) ---------------------------------------------------


def require_whole_database(actor: Actor) -> None:
    """A backup holds every account's password hash and a restore replaces everything: administrators only."""
    if actor.role != "admin":
        raise NotAllowed("Backups and restores are for administrators only.")
