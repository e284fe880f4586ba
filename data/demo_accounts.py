"""Explore as...: fictional accounts of the demo LA that a newcomer can look around with.

The rule, decided here and nowhere else (the sign-in page only asks ``explore_open``):
the offer is open, and the demo accounts can sign in, only while

- ``SEND_REVIEW_DEMO`` is not ``0``, and
- the database holds demo schools, and
- there is no real school and no real review (``demo`` false), and
- there is no real account other than administrators (the administrator created at first start,
  and any other administrator, are allowed: they are the people exploring).

The moment any of these stops being true the offer is gone, the demo accounts are refused at sign-in
and their open sessions end at their next check (``sessions.session_actor``). The accounts have no
password at all, so the only way in is ``explore_as``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access, audit
from data.access import OPERATOR, Actor, NotAllowed
from data.db import Database
from data.demo import DEMO_LA
from data.tables import consents, peer_assignments, reviews, schools, users

DEMO_SWITCH = "SEND_REVIEW_DEMO"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    offer: str  # the button's words on the sign-in page


DEMO_ACCOUNTS: dict[str, DemoAccount] = {
    "school": DemoAccount("school", "senco@demo-school.example", "Sam Senco (demo)", "the SENCO of a demo school"),
    "peer": DemoAccount("peer", "peer@demo-school.example", "Pat Peer (demo)", "an assigned peer reviewer"),
    "la": DemoAccount("la", "advisor@demo-la.example", "Alex Advisor (demo)", "an LA advisor of the demo LA"),
}


def demo_switched_on() -> bool:
    """``SEND_REVIEW_DEMO=0`` switches the demo off: no demo load on an empty database, no Explore as."""
    return os.environ.get(DEMO_SWITCH, "1") != "0"


def explore_open(db: Database) -> bool:
    """True while the demo accounts may be used (see the module's rule)."""
    if not demo_switched_on():
        return False
    with db.read() as conn:
        return _open(conn)


def _open(conn: Connection) -> bool:
    def exists(query: sa.Select) -> bool:
        return conn.execute(query.limit(1)).first() is not None

    one = sa.select(sa.literal(1))
    return (
        exists(one.select_from(schools).where(schools.c.demo))
        and not exists(one.select_from(schools).where(~schools.c.demo))
        and not exists(one.select_from(reviews).where(~reviews.c.demo))
        and not exists(one.select_from(users).where(~users.c.demo, users.c.role != "admin"))
    )


def explore_as(db: Database, role: str) -> Actor:
    """Sign in as the demo account for ``role`` (made on first use); refused once the offer is closed."""
    if role not in DEMO_ACCOUNTS:
        raise NotAllowed("There is no such demo account.")
    if not demo_switched_on():
        raise NotAllowed("Exploring with demo accounts is switched off on this installation.")
    account = DEMO_ACCOUNTS[role]
    at = audit.now()
    with db.write() as conn:
        if not _open(conn):
            raise NotAllowed("Exploring with demo accounts ends once an installation holds real schools or people.")
        row = conn.execute(sa.select(users).where(users.c.email == account.email)).first()
        if row is not None and (not row.demo or not row.active):  # a real account, or one an admin switched off
            raise NotAllowed("This demo account is not available.")
        user_id = _create(conn, account, at) if row is None else row.id
        if role == "peer":
            _ensure_assignment(conn, user_id, at)
        conn.execute(sa.update(users).where(users.c.id == user_id).values(last_login=at))
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).one()
        actor = Actor(id=row.id, email=row.email, role=row.role, name=row.name, school_urn=row.school_urn, la=row.la)
        audit.record(conn, actor, "sign_in", detail="demo account (Explore as)")
    return actor


def is_demo_account_closed(db: Database, is_demo: bool) -> bool:
    """For sign-in and session checks: a demo account whose offer has closed must not get in."""
    return bool(is_demo) and not explore_open(db)


def _create(conn: Connection, account: DemoAccount, at: datetime) -> int:
    school_urn = senco_school(conn) if account.role == "school" else None
    la = DEMO_LA if account.role == "la" else None
    return conn.execute(
        sa.insert(users)
        .values(
            email=account.email,
            name=account.name,
            role=account.role,
            school_urn=school_urn,
            la=la,
            password_hash=None,
            created_at=at,
            demo=True,
        )
        .returning(users.c.id)
    ).scalar_one()


def _latest_cycle(conn: Connection) -> str | None:
    return conn.execute(sa.select(sa.func.max(reviews.c.cycle)).where(reviews.c.demo)).scalar_one_or_none()


def senco_school(conn: Connection) -> str:
    """The demo school with a review in progress in the latest cycle (the lowest URN), so there is work to do."""
    cycle = _latest_cycle(conn)
    urn = conn.execute(
        sa.select(sa.func.min(reviews.c.school_urn)).where(
            reviews.c.demo, reviews.c.cycle == cycle, reviews.c.status == "draft", reviews.c.role == "self"
        )
    ).scalar_one_or_none()
    return urn or conn.execute(sa.select(sa.func.min(schools.c.urn)).where(schools.c.demo)).scalar_one()


def _ensure_assignment(conn: Connection, peer_id: int, at: datetime) -> None:
    """The demo peer holds one live assignment: a demo school that shares with peers, in the latest cycle."""
    live = sa.select(peer_assignments.c.id).where(
        peer_assignments.c.user_id == peer_id, peer_assignments.c.ended_at.is_(None)
    )
    if conn.execute(live.limit(1)).first() is not None:
        return
    cycle = _latest_cycle(conn)
    senco_urn = senco_school(conn)
    urn = conn.execute(
        sa.select(sa.func.min(reviews.c.school_urn))
        .join(consents, sa.and_(consents.c.school_urn == reviews.c.school_urn, consents.c.scope == "peers"))
        .where(
            reviews.c.demo,
            reviews.c.cycle == cycle,
            reviews.c.status == "submitted",
            reviews.c.role == "self",
            reviews.c.school_urn != senco_urn,
        )
    ).scalar_one_or_none()
    if urn is None or cycle is None:
        return
    conn.execute(
        sa.insert(peer_assignments).values(
            user_id=peer_id, school_urn=urn, cycle=cycle, starts_on=access.today(), created_at=at
        )
    )
    detail = f"{DEMO_ACCOUNTS['peer'].email} for {cycle} (demo account)"
    audit.record(conn, OPERATOR, "peer_assigned", school_urn=urn, detail=detail)
