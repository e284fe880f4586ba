"""Sign-in sessions that outlive a browser refresh and a server restart, and die when left idle.

The browser keeps a random token in a cookie; the database keeps only its sha256, so a copy of
the database cannot be replayed as someone's session. Any app replica can check a token.

    >>> token = start_session(db, actor)
    >>> session_actor(db, token) == actor
    True
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from data import audit
from data.access import Actor
from data.db import Database
from data.demo_accounts import is_demo_account_closed
from data.tables import sessions, users
from data.users import actor_from_row, utc

DEFAULT_IDLE_MINUTES = 30
MAX_LIFETIME = timedelta(hours=12)  # also the cookie's Max-Age: a working day, then sign in again
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often, to keep writes down


def idle_timeout() -> timedelta:
    """SEND_REVIEW_IDLE_MINUTES, else 30 minutes."""
    raw = os.environ.get("SEND_REVIEW_IDLE_MINUTES", "").strip()
    try:
        minutes = float(raw) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return timedelta(minutes=max(minutes, 1))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, actor: Actor, *, now: datetime | None = None) -> str:
    """Store a new session for a signed-in user and return the token for the browser (never stored)."""
    if actor.id is None:
        raise ValueError("the server operator has no browser sessions")
    at = now or audit.now()
    token = secrets.token_urlsafe(32)
    with db.write() as conn:
        # Tidy up: expired sessions are dead anyway, and this is the moment we are writing.
        conn.execute(sa.delete(sessions).where(_dead(at)))
        conn.execute(
            sa.insert(sessions).values(token_hash=token_hash(token), user_id=actor.id, created_at=at, last_seen=at)
        )
        # Every way in (password, first administrator, a chosen password, single sign-on) is a sign-in,
        # so "Last sign-in" never reads "never" for someone who is signed in.
        conn.execute(sa.update(users).where(users.c.id == actor.id).values(last_login=at))
    return token


def session_actor(db: Database, token: str, *, now: datetime | None = None) -> Actor | None:
    """The active user behind a live token, else None. Refreshes ``last_seen`` at most once a minute."""
    if not token:
        return None
    at = now or audit.now()
    key = token_hash(token)
    with db.read() as conn:
        row = conn.execute(
            sa.select(users, sessions.c.created_at.label("session_created"), sessions.c.last_seen)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.token_hash == key)
        ).first()
    if row is None:
        return None
    last_seen, created = utc(row.last_seen), utc(row.session_created)
    expired = at - last_seen > idle_timeout() or at - created > MAX_LIFETIME
    if not row.active or expired or is_demo_account_closed(db, row.demo):
        with db.write() as conn:
            conn.execute(sa.delete(sessions).where(sessions.c.token_hash == key))
        return None
    if at - last_seen >= TOUCH_EVERY:
        with db.write() as conn:
            conn.execute(sa.update(sessions).where(sessions.c.token_hash == key).values(last_seen=at))
    return actor_from_row(row)


def end_session(db: Database, token: str) -> None:
    """Sign out: the session row goes, so the cookie is worthless even if the browser keeps it."""
    key = token_hash(token)
    with db.write() as conn:
        row = conn.execute(
            sa.select(users).join(sessions, sessions.c.user_id == users.c.id).where(sessions.c.token_hash == key)
        ).first()
        conn.execute(sa.delete(sessions).where(sessions.c.token_hash == key))
        if row is not None:
            audit.record(conn, actor_from_row(row), "sign_out")


def _dead(at: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(sessions.c.last_seen < at - idle_timeout(), sessions.c.created_at < at - MAX_LIFETIME)
