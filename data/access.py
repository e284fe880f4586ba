"""The one access policy. Every repository, export and CLI command asks it; pages never decide.

Modelled on datasette's ``allowed(action, resource, actor)``: a single function that
answers yes or no, plus a SQL filter form of the same rules for listings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from data.tables import reviews, schools

Role = Literal["school", "peer", "la", "admin"]
Action = Literal["read", "write", "export"]
ROLES: tuple[str, ...] = ("school", "peer", "la", "admin")


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
    urn: str
    la: str


@dataclass(frozen=True)
class ReviewRef:
    school: SchoolRef
    role: str  # self | peer | la
    reviewer_id: int | None
    status: str


def allowed(actor: Actor, action: Action, school: SchoolRef, review: ReviewRef | None = None) -> bool:
    """May ``actor`` do ``action`` to this school's record (or to this review of it)?"""
    if actor.role == "admin":
        return True
    if actor.role == "la":
        in_la = actor.la is not None and school.la == actor.la
        if review is None or action != "write":
            return in_la
        return in_la and review.role == "la" and review.reviewer_id == actor.id
    if actor.role == "school":
        own = actor.school_urn is not None and school.urn == actor.school_urn
        if review is None or action != "write":
            return own and (review is None or review.role == "self" or review.status == "submitted")
        return own and review.role == "self"
    # peers reach only the reviews they are writing; assignments arrive with the accounts work
    return review is not None and review.role == "peer" and review.reviewer_id == actor.id


def require(actor: Actor, action: Action, school: SchoolRef, review: ReviewRef | None = None) -> None:
    if not allowed(actor, action, school, review):
        raise NotAllowed(f"You do not have permission to {action} this record.")


def visible_schools(actor: Actor) -> sa.ColumnElement[bool]:
    """The same rules as ``allowed(read)`` on a school, as a WHERE clause on ``schools``."""
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
        )
    if actor.role == "peer":
        return sa.and_(reviews.c.role == "peer", reviews.c.reviewer_id == actor.id)
    return visible_schools(actor)
