"""A school's consents: whether its LA, and its assigned peer reviewers, may read its reviews.

The school decides. Its own users (or an administrator acting for it) give and withdraw each
consent; every change is written to the audit log as ``consent_changed`` with who, when and the
reason given, in the same transaction. ``data.access`` honours them; this module only stores them.

    >>> set_consent(db, senco, "900001", SHARE_WITH_LA, give=True, reason="Agreed by the head")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access
from data.access import SHARE_WITH_LA, SHARE_WITH_PEERS, Actor, ConsentRef, NotFound, SchoolRef
from data.audit import now, record
from data.db import Database, in_chunks
from data.tables import consents, schools
from framework.problems import InvalidInput, Problem

# What each consent lets others do, in the words the audit log, the CLI and the pages use.
SCOPES: dict[str, str] = {
    SHARE_WITH_LA: "its LA's advisors read and export its reviews, by name",
    SHARE_WITH_PEERS: "peer reviewers assigned to it read its submitted self-review",
}


@dataclass(frozen=True)
class Consent:
    scope: str
    given: bool
    given_at: datetime | None = None
    given_by: str = ""


@dataclass(frozen=True)
class SchoolSharing:
    """One school's consents, for an overview of many schools."""

    urn: str
    name: str
    la: str
    consents: dict[str, Consent]

    def shares(self, scope: str) -> bool:
        return self.consents[scope].given


def shared_by(conn: Connection, urns: Iterable[str]) -> dict[str, frozenset[str]]:
    """The consents each of these schools has given (schools with none are left out)."""
    wanted = list(set(urns))
    given: dict[str, set[str]] = {}
    for chunk in in_chunks(wanted):
        query = sa.select(consents.c.school_urn, consents.c.scope).where(consents.c.school_urn.in_(chunk))
        for urn, scope in conn.execute(query):
            given.setdefault(urn, set()).add(scope)
    return {urn: frozenset(scopes) for urn, scopes in given.items()}


def sharing(db: Database, actor: Actor, urn: str) -> SchoolSharing:
    """One school's consents, for its own users, admins and its LA's advisors."""
    found = list_sharing(db, actor, urns=[urn])
    if not found:
        raise NotFound(f"There is no school with URN {urn} whose sharing you can see.")
    return found[0]


def list_sharing(db: Database, actor: Actor, *, urns: list[str] | None = None) -> list[SchoolSharing]:
    """Every school whose consents the actor may read (an LA advisor: their LA's), by name.

    Reading a school's consents follows the same rule as reading its register row, so the
    register's SQL filter serves for both.
    """
    query = (
        sa.select(schools.c.urn, schools.c.name, schools.c.la, consents)
        .outerjoin(consents, consents.c.school_urn == schools.c.urn)
        .where(access.visible_schools(actor))
        .order_by(schools.c.name, schools.c.urn)
    )
    if urns is not None:
        query = query.where(schools.c.urn.in_(urns))
    with db.read() as conn:
        rows = conn.execute(query).all()
    found: dict[str, SchoolSharing] = {}
    for row in rows:
        none_given = {s: Consent(s, False) for s in SCOPES}
        school = found.setdefault(row.urn, SchoolSharing(row.urn, row.name, row.la, none_given))
        if row.scope in SCOPES:
            school.consents[row.scope] = Consent(row.scope, True, row.given_at, row.given_by_name)
    return list(found.values())


def set_consent(db: Database, actor: Actor, urn: str, scope: str, *, give: bool, reason: str = "") -> bool:
    """Give or withdraw one consent; False (and nothing written) when it is already so.

    Withdrawing takes effect at once: the next page anyone opens is checked against it.
    """
    if scope not in SCOPES:
        raise InvalidInput([Problem("scope", f"'{scope}' is not a kind of sharing; use one of {', '.join(SCOPES)}.")])
    with db.write() as conn:
        school = conn.execute(sa.select(schools.c.urn, schools.c.la).where(schools.c.urn == urn)).first()
        if school is None or not access.allowed(actor, "read", ConsentRef(SchoolRef(school.urn, school.la))):
            raise NotFound(f"There is no school with URN {urn} whose sharing you can see.")
        access.require(actor, "write", ConsentRef(SchoolRef(school.urn, school.la)))
        where = (consents.c.school_urn == urn, consents.c.scope == scope)
        current = conn.execute(sa.select(consents.c.scope).where(*where)).first() is not None
        if current == give:
            return False
        if give:
            conn.execute(
                sa.insert(consents).values(
                    school_urn=urn, scope=scope, given_at=now(), given_by=actor.id, given_by_name=actor.label
                )
            )
        else:
            conn.execute(sa.delete(consents).where(*where))
        detail = f"{'Given' if give else 'Withdrawn'}: {SCOPES[scope]}."
        if reason.strip():
            detail += f" Reason: {reason.strip()}"
        record(conn, actor, "consent_changed", school_urn=urn, detail=detail)
    return True


def may_change(actor: Actor, school: SchoolSharing) -> bool:
    """For pages deciding whether to offer the controls; ``set_consent`` still checks."""
    return access.allowed(actor, "write", ConsentRef(SchoolRef(school.urn, school.la)))
