"""Accounts as the tests reach them: by id, which the app itself never needs (it signs in by email or session)."""

from __future__ import annotations

import sqlalchemy as sa

from data import access
from data.access import Actor, AuditRef
from data.db import Database
from data.tables import users
from data.users import actor_from_row


def actor_for(db: Database, user_id: int) -> Actor | None:
    """The acting user for an account id, or None when there is no such active account."""
    with db.read() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id, users.c.active)).first()
    return actor_from_row(row) if row is not None else None


def may_read_log(actor: Actor) -> bool:
    """Whether the policy lets the actor read any part of the audit log (what the navigation must agree with)."""
    return access.allowed(actor, "read", AuditRef(actor.la if actor.role == "la" else None))
