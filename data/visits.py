"""Peer review visits: the visit, its team, the plan and log, the lines of enquiry.

A visit belongs to one school, cycle and framework version. An LA user (for their LA's schools), an
admin or the school itself sets it up with the review team: assigned peer reviewers and optionally
an LA advisor of the school's LA, one of them the lead. Every read and write asks the visit rules in
data/access.py inside the transaction that does it; invalid input is reported all at once and
nothing is stored. Who was met is recorded by role, never by name (the page says so too).

    >>> visit_id = create_visit(db, advisor, school_urn="900001", cycle="2025/26", framework=fw,
    ...     starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 4), team=["peer@oak.example"], lead="peer@oak.example")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.roles import ColumnsClauseRole

from data import access
from data.access import Actor, NotAllowed, NotFound, SchoolRef, VisitRecordRef, VisitRef
from data.audit import now, record
from data.db import Database
from data.reviews import CYCLE_PATTERN
from data.tables import (
    lines_of_enquiry,
    peer_assignments,
    reviews,
    schools,
    users,
    visit_activities,
    visit_members,
    visits,
)
from framework.models import Framework
from framework.problems import InvalidInput, Problem

ACTIVITY_KINDS = {
    "meeting": "Meeting",
    "interview": "Interview",
    "pupil_voice": "Pupil voice",
    "parent_voice": "Parent voice",
    "document_scrutiny": "Document scrutiny",
    "learning_walk": "Learning walk",
    "observation": "Lesson observation",
    "feedback": "Feedback to leaders",
}
MET_ROLES = {
    "senco": "SENCO",
    "head": "Headteacher",
    "slt": "Senior leader",
    "sen_governor": "SEN governor",
    "teacher": "Teachers",
    "ta": "Teaching assistants",
    "pupils": "Pupils (a group)",
    "parents": "Parents and carers (a group)",
    "other_staff": "Other staff",
}
NO_NAMES = "Record who was met by role only: never a pupil's or parent's name."


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str
    role: str  # the user's role: peer or la
    position: int
    lead: bool
    review_id: int | None
    review_status: str | None

    @property
    def key(self) -> str:
        """The stable rater key of the moderation JSON."""
        return f"r{self.position}"

    @property
    def submitted(self) -> bool:
        return self.review_status == "submitted"


@dataclass(frozen=True)
class Visit:
    id: int
    school_urn: str
    school_name: str
    la: str
    cycle: str
    framework_id: str
    framework_version: str
    starts_on: date
    ends_on: date
    school_contact: str
    enquiry_release_on: date | None
    agreed_review_id: int | None
    agreed_status: str | None
    shares_with_la: bool
    shares_with_peers: bool
    members: tuple[Member, ...] = ()

    @property
    def closed(self) -> bool:
        return self.agreed_status == "submitted"

    @property
    def lead(self) -> Member | None:
        return next((m for m in self.members if m.lead), None)

    @property
    def enquiry_released(self) -> bool:
        return self.enquiry_release_on is not None and self.enquiry_release_on <= access.today()

    @property
    def ref(self) -> VisitRef:
        shares = {access.SHARE_WITH_LA: self.shares_with_la, access.SHARE_WITH_PEERS: self.shares_with_peers}
        school = SchoolRef(self.school_urn, self.la, frozenset(s for s, given in shares.items() if given))
        lead = self.lead
        return VisitRef(
            school,
            frozenset(m.user_id for m in self.members),
            lead.user_id if lead else None,
            self.closed,
            self.enquiry_released,
        )

    def part(self, part: access.VisitPart, author_id: int | None = None, submitted: bool = False) -> VisitRecordRef:
        return VisitRecordRef(self.ref, part, author_id, submitted)

    def member(self, user_id: int | None) -> Member | None:
        return next((m for m in self.members if m.user_id == user_id), None)


@dataclass(frozen=True)
class Activity:
    id: int
    kind: str
    at: datetime
    member_name: str
    met: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class LineOfEnquiry:
    id: int
    domain_id: str
    text: str


_agreed = reviews.alias("agreed_review")
_COLUMNS: list[ColumnsClauseRole] = [
    visits,
    schools.c.name.label("school_name"),
    schools.c.la,
    _agreed.c.status.label("agreed_status"),
    access.shares(visits.c.school_urn, access.SHARE_WITH_LA).label("shares_with_la"),
    access.shares(visits.c.school_urn, access.SHARE_WITH_PEERS).label("shares_with_peers"),
]
_FROM = visits.join(schools, schools.c.urn == visits.c.school_urn).outerjoin(
    _agreed, _agreed.c.id == visits.c.agreed_review_id
)
_FIELDS = [f for f in Visit.__dataclass_fields__ if f != "members"]


def fetch(conn: Connection, visit_id: int) -> Visit | None:
    """The visit with its team, unchecked: for repositories that check it in the same transaction."""
    row = conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(visits.c.id == visit_id)).first()
    if row is None:
        return None
    return Visit(**{f: row._mapping[f] for f in _FIELDS}, members=_members(conn, [visit_id])[visit_id])


def _members(conn: Connection, visit_ids: list[int]) -> dict[int, tuple[Member, ...]]:
    query = (
        sa.select(visit_members, users.c.name, users.c.email, users.c.role, reviews.c.status.label("review_status"))
        .select_from(
            visit_members.join(users, users.c.id == visit_members.c.user_id).outerjoin(
                reviews, reviews.c.id == visit_members.c.review_id
            )
        )
        .where(visit_members.c.visit_id.in_(visit_ids))
        .order_by(visit_members.c.position)
    )
    found: dict[int, list[Member]] = {v: [] for v in visit_ids}
    for r in conn.execute(query).all():
        found[r.visit_id].append(
            Member(r.user_id, r.name or r.email, r.email, r.role, r.position, r.lead, r.review_id, r.review_status)
        )
    return {v: tuple(m) for v, m in found.items()}


def checked(conn: Connection, actor: Actor, visit_id: int, part: access.VisitPart = "visit") -> Visit:
    """The visit, when the actor may read it (else it does not exist for them) and read ``part``."""
    visit = fetch(conn, visit_id)
    if visit is None or not access.visit_allowed(actor, "read", visit.part("visit")):
        raise NotFound(f"There is no visit {visit_id} that you can open.")
    access.visit_require(actor, "read", visit.part(part))
    return visit


def insert_review(conn: Connection, actor: Actor, visit: Visit, role: str) -> int:
    """A draft review of the visit's school, cycle and framework by ``actor`` (a member's rating or the
    agreed review), inside the caller's checked transaction; phase and flags from the register."""
    school = conn.execute(sa.select(schools).where(schools.c.urn == visit.school_urn)).first()
    assert school is not None  # a visit's school is in the register (foreign key)
    stamp = now()
    return conn.execute(
        sa.insert(reviews)
        .values(
            school_urn=visit.school_urn,
            framework_id=visit.framework_id,
            framework_version=visit.framework_version,
            cycle=visit.cycle,
            role=role,
            reviewer_id=actor.id,
            reviewer_name=actor.label,
            phase=school.phase,
            resourced_provision=school.resourced_provision,
            status="draft",
            created_at=stamp,
            updated_at=stamp,
        )
        .returning(reviews.c.id)
    ).scalar_one()


def get_visit(db: Database, actor: Actor, visit_id: int) -> Visit:
    with db.read() as conn:
        return checked(conn, actor, visit_id)


def list_visits(db: Database, actor: Actor, *, demo: bool | None = None) -> list[Visit]:
    """The visits the actor may see, newest first."""
    query = sa.select(*_COLUMNS).select_from(_FROM).where(access.visible_visits(actor))
    if demo is not None:
        query = query.where(visits.c.demo == demo)
    with db.read() as conn:
        rows = conn.execute(query.order_by(visits.c.starts_on.desc(), visits.c.id.desc())).all()
        members = _members(conn, [r.id for r in rows]) if rows else {}
    return [Visit(**{f: r._mapping[f] for f in _FIELDS}, members=members[r.id]) for r in rows]


def may(actor: Actor, visit: Visit, action: access.Action, part: access.VisitPart, **facts: object) -> bool:
    """For pages deciding what to offer; the repository functions check again."""
    return access.visit_allowed(actor, action, visit.part(part, **facts))  # type: ignore[arg-type]


def may_set_up(actor: Actor) -> bool:
    return actor.role in ("admin", "la", "school")


# --- setting a visit up --------------------------------------------------------------------------


def create_visit(
    db: Database,
    actor: Actor,
    *,
    school_urn: str,
    cycle: str,
    framework: Framework,
    starts_on: date,
    ends_on: date,
    team: list[str],
    lead: str,
    school_contact: str = "",
    demo: bool = False,
) -> int:
    """Set a visit up with its team (emails, in order; ``lead`` one of them). Every problem at once."""
    emails = [e.strip().lower() for e in team if e.strip()]
    lead = lead.strip().lower()
    problems: list[Problem] = []
    if not re.fullmatch(CYCLE_PATTERN, cycle or ""):
        problems.append(Problem("Review cycle", f'must be an academic year such as 2025/26 (got "{cycle}").'))
    if ends_on < starts_on:
        problems.append(Problem("Dates", "the last day of the visit is before its first day."))
    if not emails:
        problems.append(Problem("Team", "name at least one reviewer."))
    if len(set(emails)) != len(emails):
        problems.append(Problem("Team", "a reviewer is named twice."))
    if emails and lead not in emails:
        problems.append(Problem("Lead", f"{lead or 'the lead'} must be one of the team."))
    with db.write() as conn:
        school = conn.execute(sa.select(schools).where(schools.c.urn == school_urn.strip())).first()
        if school is None:
            raise NotFound(f"There is no school with URN {school_urn}.")
        if actor.role == "la" and school.la != actor.la:
            raise NotAllowed(
                f"{school.name} is a school of {school.la}, not of your LA ({actor.la}): "
                "you can set up visits only for your LA's schools."
            )
        access.visit_require(actor, "write", VisitRecordRef(VisitRef(SchoolRef(school.urn, school.la)), "visit"))
        if conn.execute(
            sa.select(visits.c.id).where(visits.c.school_urn == school.urn, visits.c.cycle == cycle)
        ).first():
            problems.append(Problem("Visit", f"{school.name} already has a peer review visit for {cycle}."))
        people = _team(conn, emails, school, cycle, problems)
        if problems:
            raise InvalidInput(problems)
        visit_id = conn.execute(
            sa.insert(visits)
            .values(
                school_urn=school.urn,
                cycle=cycle,
                framework_id=framework.id,
                framework_version=framework.version,
                starts_on=starts_on,
                ends_on=ends_on,
                school_contact=school_contact.strip(),
                created_at=now(),
                created_by=actor.id,
                demo=demo,
            )
            .returning(visits.c.id)
        ).scalar_one()
        for position, person in enumerate(people, start=1):
            conn.execute(
                sa.insert(visit_members).values(
                    visit_id=visit_id, user_id=person.id, position=position, lead=person.email == lead
                )
            )
        detail = f"{cycle}, {starts_on:%d %b %Y}, team {', '.join(emails)} (lead {lead})"
        record(conn, actor, "visit_set_up", school_urn=school.urn, detail=detail)
    return visit_id


def _team(conn: Connection, emails: list[str], school: sa.Row, cycle: str, problems: list[Problem]) -> list[sa.Row]:
    """The team's user rows; a peer must hold an assignment to the school for the cycle, an LA advisor
    must be of the school's LA, and there is at most one LA advisor."""
    found = {u.email: u for u in conn.execute(sa.select(users).where(users.c.email.in_(emails))).all()}
    people = []
    for email in emails:
        person = found.get(email)
        if person is None or not person.active or person.role not in ("peer", "la"):
            problems.append(Problem("Team", f"{email} is not an active peer reviewer or LA advisor account."))
        elif person.role == "la" and person.la != school.la:
            problems.append(Problem("Team", f"{email} is an LA advisor of another LA than {school.la}."))
        elif person.role == "peer" and not _assigned(conn, person.id, school.urn, cycle):
            problems.append(
                Problem("Team", f"{email} is not assigned to {school.name} for {cycle}: assign them first.")
            )
        else:
            people.append(person)
    if sum(p.role == "la" for p in people) > 1:
        problems.append(Problem("Team", "a team has at most one LA advisor."))
    return people


def _assigned(conn: Connection, peer_id: int, school_urn: str, cycle: str) -> bool:
    query = sa.select(peer_assignments.c.id).where(
        peer_assignments.c.user_id == peer_id,
        peer_assignments.c.school_urn == school_urn,
        peer_assignments.c.cycle == cycle,
        peer_assignments.c.ended_at.is_(None),
    )
    return conn.execute(query).first() is not None


# --- lines of enquiry --------------------------------------------------------------------------------


def add_enquiry(db: Database, actor: Actor, visit_id: int, framework: Framework, domain_id: str, text: str) -> int:
    problems = []
    if domain_id not in framework.domains_by_id:
        problems.append(Problem("Domain", f'"{domain_id}" is not a domain of {framework.title}.'))
    if not text.strip():
        problems.append(Problem("Line of enquiry", "write the question the team will explore."))
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        access.visit_require(actor, "write", visit.part("enquiry"))
        if problems:
            raise InvalidInput(problems)
        line_id = conn.execute(
            sa.insert(lines_of_enquiry)
            .values(visit_id=visit_id, domain_id=domain_id, text=text, created_at=now(), created_by=actor.id)
            .returning(lines_of_enquiry.c.id)
        ).scalar_one()
        record(conn, actor, "enquiry_added", school_urn=visit.school_urn, detail=f"visit {visit_id}, {domain_id}")
    return line_id


def remove_enquiry(db: Database, actor: Actor, visit_id: int, line_id: int) -> None:
    """A line written in error goes; whoever may write the visit's lines may remove one, audited."""
    _remove(db, actor, visit_id, "enquiry", lines_of_enquiry, line_id, "enquiry_removed")


def list_enquiries(db: Database, actor: Actor, visit_id: int) -> list[LineOfEnquiry]:
    with db.read() as conn:
        checked(conn, actor, visit_id, "enquiry")
        rows = conn.execute(
            sa.select(lines_of_enquiry).where(lines_of_enquiry.c.visit_id == visit_id).order_by(lines_of_enquiry.c.id)
        ).all()
    return [LineOfEnquiry(r.id, r.domain_id, r.text) for r in rows]


def release_enquiries(db: Database, actor: Actor, visit_id: int, on: date | None) -> None:
    """The lead decides when the school sees the lines of enquiry (None: not released)."""
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        lead = visit.lead
        if actor.role != "admin" and (lead is None or lead.user_id != actor.id):
            raise NotAllowed("Only the visit's lead reviewer decides when the school sees the lines of enquiry.")
        access.visit_require(actor, "write", visit.part("enquiry"))
        conn.execute(sa.update(visits).where(visits.c.id == visit_id).values(enquiry_release_on=on))
        words = f"from {on:%d %b %Y}" if on else "withheld"
        record(conn, actor, "enquiry_released", school_urn=visit.school_urn, detail=f"visit {visit_id}: {words}")


# --- the plan and log ----------------------------------------------------------------------------------


def add_activity(
    db: Database,
    actor: Actor,
    visit_id: int,
    *,
    kind: str,
    at: datetime,
    member_id: int | None,
    met: list[str],
    notes: str = "",
) -> int:
    problems = []
    if kind not in ACTIVITY_KINDS:
        problems.append(Problem("Activity", f'"{kind}" is not one of {", ".join(ACTIVITY_KINDS.values())}.'))
    unknown = [m for m in met if m not in MET_ROLES]
    if unknown:
        problems.append(Problem("Who was met", f"{', '.join(unknown)}: choose roles from the list, never names."))
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        access.visit_require(actor, "write", visit.part("plan"))
        if member_id is not None and visit.member(member_id) is None:
            problems.append(Problem("Team member", "the person leading this activity is not on the visit's team."))
        if problems:
            raise InvalidInput(problems)
        activity_id = conn.execute(
            sa.insert(visit_activities)
            .values(
                visit_id=visit_id,
                kind=kind,
                at=at,
                member_id=member_id,
                met=",".join(met),
                notes=notes,
                created_at=now(),
                created_by=actor.id,
            )
            .returning(visit_activities.c.id)
        ).scalar_one()
        record(conn, actor, "visit_activity", school_urn=visit.school_urn, detail=f"visit {visit_id}: {kind}")
    return activity_id


def remove_activity(db: Database, actor: Actor, visit_id: int, activity_id: int) -> None:
    """An activity planned in error, or not held, goes from the plan and log; audited."""
    _remove(db, actor, visit_id, "plan", visit_activities, activity_id, "visit_activity_removed")


def _remove(
    db: Database, actor: Actor, visit_id: int, part: access.VisitPart, table: sa.Table, row_id: int, event: str
) -> None:
    with db.write() as conn:
        visit = checked(conn, actor, visit_id)
        access.visit_require(actor, "write", visit.part(part))
        gone = conn.execute(sa.delete(table).where(table.c.id == row_id, table.c.visit_id == visit_id)).rowcount
        if not gone:
            raise NotFound(
                f"There is no such entry in this visit's {'lines of enquiry' if part == 'enquiry' else 'plan'}."
            )
        record(conn, actor, event, school_urn=visit.school_urn, detail=f"visit {visit_id}: #{row_id}")


def list_activities(db: Database, actor: Actor, visit_id: int) -> list[Activity]:
    with db.read() as conn:
        visit = checked(conn, actor, visit_id, "plan")
        rows = conn.execute(
            sa.select(visit_activities).where(visit_activities.c.visit_id == visit_id).order_by(visit_activities.c.at)
        ).all()
    names = {m.user_id: m.name for m in visit.members}
    return [
        Activity(r.id, r.kind, r.at, names.get(r.member_id, ""), tuple(x for x in r.met.split(",") if x), r.notes)
        for r in rows
    ]
