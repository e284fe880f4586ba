"""The audit log: who did what to which school's record, and when."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.access import Actor
from data.tables import audit_log


def now() -> datetime:
    return datetime.now(UTC)


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    school_urn: str | None = None,
    review_id: int | None = None,
    detail: str = "",
) -> None:
    """Written inside the caller's transaction, so an event exists exactly when its change does."""
    conn.execute(
        sa.insert(audit_log).values(
            at=now(),
            user_id=actor.id,
            user_email=actor.email,
            action=action,
            school_urn=school_urn,
            review_id=review_id,
            detail=detail,
        )
    )
