"""The audit log: who did what to which school's record, and when.

Rows are written inside the transaction of the change they describe (``record``), so an event
exists exactly when its change does. Nobody edits or deletes them. Admins read all rows; an LA
user reads the rows of their LA: those about its schools, and those with no school made by its
users (their sign-ins, say).

    >>> page = read_log(db, advisor, AuditFilter(action="exported"))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access
from data.access import ENGLAND, Actor, AuditRef
from data.db import Database
from data.tables import audit_log, schools, users

VIEW_EVERY = timedelta(hours=1)  # a "viewed" row per user and review at most this often, to keep the log small
PAGE_ROWS = 500
COLUMNS = ["at", "who", "action", "school_urn", "school", "review", "detail"]

_row_school = schools.alias("row_school")
_row_user = users.alias("row_user")
_user_school = schools.alias("user_school")
_FROM = (
    audit_log.outerjoin(_row_school, _row_school.c.urn == audit_log.c.school_urn)
    .outerjoin(_row_user, _row_user.c.id == audit_log.c.user_id)
    .outerjoin(_user_school, _user_school.c.urn == _row_user.c.school_urn)
)
# The LA a row belongs to: its school's, else that of the user who acted (an LA user, or a school's staff).
_ROW_LA = sa.func.coalesce(_row_school.c.la, _row_user.c.la, _user_school.c.la)


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
    at: datetime | None = None,
) -> None:
    """Written inside the caller's transaction, so an event exists exactly when its change does."""
    conn.execute(
        sa.insert(audit_log).values(
            at=at or now(),
            user_id=actor.id,
            user_email=actor.email,
            action=action,
            school_urn=school_urn,
            review_id=review_id,
            detail=detail,
        )
    )


def log_event(db: Database, actor: Actor, action: str, *, school_urn: str | None = None, detail: str = "") -> None:
    """An event with no change of its own to ride on (a refused single sign-on, say)."""
    with db.write() as conn:
        record(conn, actor, action, school_urn=school_urn, detail=detail)


def record_view(db: Database, actor: Actor, *, school_urn: str, review_id: int, at: datetime | None = None) -> bool:
    """Note that ``actor`` opened another school's review; at most once per user, review and hour.

    Returns True when a row was written. The check runs before taking the write lock, so an
    ordinary page view costs one indexed read.
    """
    at = at or now()
    recent = (
        sa.select(audit_log.c.id)
        .where(
            audit_log.c.at > at - VIEW_EVERY,
            audit_log.c.action == "viewed",
            audit_log.c.review_id == review_id,
            audit_log.c.user_email == actor.email,
        )
        .limit(1)
    )
    with db.read() as conn:
        if conn.execute(recent).first() is not None:
            return False
    with db.write() as conn:
        if conn.execute(recent).first() is not None:
            return False
        record(conn, actor, "viewed", school_urn=school_urn, review_id=review_id, at=at)
    return True


@dataclass(frozen=True)
class AuditFilter:
    """Which rows: dates are days in England, both ends included; None means any."""

    since: date | None = None
    until: date | None = None
    action: str | None = None
    school_urn: str | None = None

    def describe(self) -> str:
        parts = [
            f"from {self.since:%d %b %Y}" if self.since else "",
            f"to {self.until:%d %b %Y}" if self.until else "",
            f"action {self.action}" if self.action else "",
            f"school {self.school_urn}" if self.school_urn else "",
        ]
        return ", ".join(p for p in parts if p) or "all rows"


@dataclass(frozen=True)
class AuditRow:
    at: datetime  # in England's time zone
    who: str
    action: str
    school_urn: str | None
    school: str
    review: int | None
    detail: str

    def cells(self) -> list[object]:
        return [
            self.at.isoformat(timespec="seconds"),
            self.who,
            self.action,
            self.school_urn or "",
            self.school,
            self.review or "",
            self.detail,
        ]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]  # newest first, at most PAGE_ROWS
    total: int  # how many rows match


def read_log(db: Database, actor: Actor, wanted: AuditFilter = AuditFilter(), *, limit: int = PAGE_ROWS) -> AuditPage:
    """The newest matching rows the actor may read, and how many match in all."""
    _require(actor, "read")
    where = _where(actor, wanted)
    with db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(_FROM).where(where)).scalar_one()
        rows = conn.execute(_query(where).limit(limit)).all()
    return AuditPage([_row(r) for r in rows], total)


def export_log(db: Database, actor: Actor, wanted: AuditFilter = AuditFilter()) -> list[AuditRow]:
    """Every matching row, for a CSV download; the export itself is recorded."""
    _require(actor, "export")
    where = _where(actor, wanted)
    with db.write() as conn:
        rows = [_row(r) for r in conn.execute(_query(where)).all()]
        detail = f"audit log, {wanted.describe()}: {len(rows)} rows"
        record(conn, actor, "exported", school_urn=wanted.school_urn, detail=detail)
    return rows


def logged_actions(db: Database, actor: Actor) -> list[str]:
    """The actions that occur in the rows the actor may read, for a filter."""
    _require(actor, "read")
    query = sa.select(audit_log.c.action).select_from(_FROM).where(access.visible_audit(actor, _ROW_LA)).distinct()
    with db.read() as conn:
        return sorted(conn.execute(query).scalars())


def _require(actor: Actor, action: access.Action) -> None:
    access.require(actor, action, AuditRef(actor.la if actor.role == "la" else None))


def _where(actor: Actor, wanted: AuditFilter) -> sa.ColumnElement[bool]:
    clauses = [access.visible_audit(actor, _ROW_LA)]
    if wanted.since:
        clauses.append(audit_log.c.at >= _england_midnight(wanted.since))
    if wanted.until:
        clauses.append(audit_log.c.at < _england_midnight(wanted.until + timedelta(days=1)))
    if wanted.action:
        clauses.append(audit_log.c.action == wanted.action)
    if wanted.school_urn:
        clauses.append(audit_log.c.school_urn == wanted.school_urn)
    return sa.and_(*clauses)


def _query(where: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(
            audit_log.c.at,
            audit_log.c.user_email,
            audit_log.c.action,
            audit_log.c.school_urn,
            _row_school.c.name.label("school_name"),
            audit_log.c.review_id,
            audit_log.c.detail,
        )
        .select_from(_FROM)
        .where(where)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
    )


def _england_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ENGLAND).astimezone(UTC)


def _row(row: sa.Row) -> AuditRow:
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return AuditRow(
        at=at.astimezone(ENGLAND),
        who=row.user_email,
        action=row.action,
        school_urn=row.school_urn,
        school=row.school_name or "",
        review=row.review_id,
        detail=row.detail,
    )
