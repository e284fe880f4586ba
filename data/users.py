"""Local accounts: argon2id password hashes, sign-in with lock-out, and the administrator's user list.

Invitations and resets hand out a *temporary password*, shown once to the administrator and
stored only as an argon2 hash. Its stored hash carries the prefix ``temporary:<unix expiry>:``
so that sign-in knows to make the user choose their own password first, and refuses it after
``TEMPORARY_DAYS``. No password or token is ever stored, logged or audited in clear.

    >>> token = invite_user(db, admin, "senco@school.example", "A. Senco", "school", school_urn="100001")
    >>> actor = authenticate(db, "senco@school.example", token)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, overload

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Row

from data import audit
from data.access import ACCOUNTS, ROLES, Actor, NotAllowed, NotFound, require
from data.db import Database
from data.demo_accounts import is_demo_account_closed
from data.tables import schools, sessions, users
from framework.problems import InvalidInput, Problem

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is a denial of service
MAX_FAILED_SIGN_INS = 5
LOCK_OUT = timedelta(minutes=15)
TEMPORARY_DAYS = 7
_TEMPORARY = "temporary:"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults; stored hashes carry their parameters
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# Audit rows for sign-ins to no known account: what was typed is not stored (it may be a password).
_UNKNOWN = Actor(id=None, email="(unknown account)", role="school", name="")


class SignInFailed(Exception):
    """Any refused sign-in. The message is the same whatever the reason, so it never says whether an email exists."""

    MESSAGE = (
        "We could not sign you in with that email and password. After 5 failed attempts in a row, "
        "sign-in to an account is paused for 15 minutes. If you have forgotten your password, "
        "ask your administrator to reset it."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


@dataclass(frozen=True)
class User:
    """An account as the administrator sees it (never with its hash)."""

    id: int
    email: str
    name: str
    role: str
    school_urn: str | None
    la: str | None
    active: bool
    temporary_password: bool
    locked_until: datetime | None
    last_login: datetime | None
    created_at: datetime


@overload
def utc(value: datetime) -> datetime: ...


@overload
def utc(value: None) -> None: ...


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problems(password: str, email: str) -> list[Problem]:
    """The password rules, as problems to show; empty when the password is acceptable."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(Problem("Password", f"must be at least {PASSWORD_MIN_LENGTH} characters long."))
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(Problem("Password", f"must be at most {PASSWORD_MAX_LENGTH} characters long."))
    address = normalise_email(email)
    if address and address in password.lower():
        problems.append(Problem("Password", "must not contain your email address."))
    return problems


def hash_password(password: str, *, temporary_until: datetime | None = None) -> str:
    hashed = _hasher.hash(password)
    if temporary_until is None:
        return hashed
    return f"{_TEMPORARY}{int(temporary_until.timestamp())}:{hashed}"


def _split(stored: str) -> tuple[str, datetime | None]:
    """(argon2 hash, expiry of a temporary password or None)."""
    if not stored.startswith(_TEMPORARY):
        return stored, None
    expiry, hashed = stored.removeprefix(_TEMPORARY).split(":", 1)
    return hashed, datetime.fromtimestamp(int(expiry), UTC)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; with no stored hash it still spends the time of one check."""
    try:
        _hasher.verify(_split(stored)[0] if stored else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError, ValueError):
        return False
    return stored is not None


def needs_first_admin(db: Database) -> bool:
    """A brand-new installation: no accounts at all, so the first visitor creates the administrator."""
    with db.read() as conn:
        return conn.execute(sa.select(sa.literal(1)).where(~users.c.demo).limit(1)).first() is None


def create_first_admin(db: Database, email: str, name: str, password: str, *, now: datetime | None = None) -> Actor:
    """Create the first administrator; refused once any account exists (there are no default passwords)."""
    email = normalise_email(email)
    problems = _identity_problems(email, name) + password_problems(password, email)
    if problems:
        raise InvalidInput(problems)
    hashed = hash_password(password)
    at = now or audit.now()
    with db.write() as conn:
        _lock_users(conn)
        if conn.execute(sa.select(sa.literal(1)).where(~users.c.demo).limit(1)).first() is not None:
            raise NotAllowed("This installation already has an administrator. Please sign in.")
        user_id = conn.execute(
            sa.insert(users)
            .values(email=email, name=name.strip(), role="admin", password_hash=hashed, created_at=at)
            .returning(users.c.id)
        ).scalar_one()
        actor = Actor(id=user_id, email=email, role="admin", name=name.strip())
        audit.record(conn, actor, "first_admin_created", detail=email)
    return actor


def invite_user(
    db: Database,
    actor: Actor,
    email: str,
    name: str,
    role: str,
    school_urn: str | None = None,
    la: str | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """Create an account and return its temporary password, to be shown once and passed on by hand."""
    require(actor, "write", ACCOUNTS)
    email = normalise_email(email)
    temporary = _temporary_password()
    at = now or audit.now()
    hashed = hash_password(temporary, temporary_until=at + timedelta(days=TEMPORARY_DAYS))
    with db.write() as conn:
        school_urn, la = _check_role(conn, role, school_urn, la, _identity_problems(email, name))
        if conn.execute(sa.select(users.c.id).where(users.c.email == email)).first() is not None:
            raise InvalidInput([Problem("Email", "there is already an account with this email address.")])
        conn.execute(
            sa.insert(users).values(
                email=email,
                name=name.strip(),
                role=role,
                school_urn=school_urn,
                la=la,
                password_hash=hashed,
                created_at=at,
            )
        )
        audit.record(conn, actor, "user_invited", school_urn=school_urn, detail=_describe(email, role, school_urn, la))
    return temporary


def reset_password(db: Database, actor: Actor, user_id: int, *, now: datetime | None = None) -> str:
    """Replace a user's password with a new temporary one (returned once), end their sessions, lift any lock."""
    require(actor, "write", ACCOUNTS)
    temporary = _temporary_password()
    at = now or audit.now()
    hashed = hash_password(temporary, temporary_until=at + timedelta(days=TEMPORARY_DAYS))
    with db.write() as conn:
        user = _get(conn, user_id)
        _update(conn, user_id, password_hash=hashed, failed_logins=0, locked_until=None)
        audit.record(conn, actor, "password_reset", detail=user.email)
    return temporary


def set_password(db: Database, actor: Actor, user_id: int, password: str, *, now: datetime | None = None) -> None:
    """Set a password. Your own becomes permanent; one an administrator sets for someone else is temporary."""
    own = actor.id is not None and actor.id == user_id
    if not own:
        require(actor, "write", ACCOUNTS)
    at = now or audit.now()
    with db.write() as conn:
        user = _get(conn, user_id)
        if own and not user.active:
            raise NotAllowed("This account has been deactivated.")
        problems = password_problems(password, user.email)
        if problems:
            raise InvalidInput(problems)
        hashed = hash_password(password, temporary_until=None if own else at + timedelta(days=TEMPORARY_DAYS))
        values: dict[str, Any] = {"password_hash": hashed}
        if not own:
            values.update(failed_logins=0, locked_until=None)
        # Either way every session of the account ends: whoever else knew the old password (another
        # device, someone who took it) is signed out; the app starts a new session for this tab.
        _update(conn, user_id, **values)
        audit.record(conn, actor, "password_changed" if own else "password_set", detail=user.email)


def change_role(
    db: Database, actor: Actor, user_id: int, role: str, school_urn: str | None = None, la: str | None = None
) -> None:
    """Give a user another role (and school or LA); their sessions end so the new rights apply at once."""
    require(actor, "write", ACCOUNTS)
    with db.write() as conn:
        user = _get(conn, user_id)
        school_urn, la = _check_role(conn, role, school_urn, la, [])
        if user.id == actor.id and role != "admin":
            raise NotAllowed("You cannot remove your own administrator role; ask another administrator.")
        _update(conn, user_id, role=role, school_urn=school_urn, la=la)
        detail = f"{user.role} -> {_describe(user.email, role, school_urn, la)}"
        audit.record(conn, actor, "role_changed", school_urn=school_urn, detail=detail)


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivate (signing the user out everywhere) or reactivate an account. Accounts are never deleted."""
    require(actor, "write", ACCOUNTS)
    with db.write() as conn:
        user = _get(conn, user_id)
        if user.id == actor.id and not active:
            raise NotAllowed("You cannot deactivate your own account.")
        _update(conn, user_id, active=active, failed_logins=0, locked_until=None)
        audit.record(conn, actor, "user_reactivated" if active else "user_deactivated", detail=user.email)


def list_users(db: Database, actor: Actor) -> list[User]:
    require(actor, "read", ACCOUNTS)
    with db.read() as conn:
        rows = conn.execute(sa.select(users).order_by(users.c.active.desc(), users.c.email)).all()
    return [_user(row) for row in rows]


def actor_by_email(db: Database, email: str) -> Actor | None:
    """For ``cli.py --as EMAIL``: the active account with this email, or None."""
    with db.read() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == normalise_email(email), users.c.active)).first()
    return actor_from_row(row) if row is not None else None


def must_choose_password(db: Database, user_id: int) -> bool:
    """True while the account still has the temporary password an administrator gave out."""
    with db.read() as conn:
        stored = conn.execute(sa.select(users.c.password_hash).where(users.c.id == user_id)).scalar_one_or_none()
    return bool(stored and stored.startswith(_TEMPORARY))


def authenticate(db: Database, email: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check an email and password; raises ``SignInFailed`` (one message for every reason) when refused.

    Five wrong passwords in a row lock the account for 15 minutes; while locked even the right
    password is refused. Each attempt is counted *before* its password is hashed, in one conditional
    ``UPDATE … RETURNING`` (``_claim_attempt``), so parallel attempts cannot all slip in before the
    first failure is counted: at most five are ever checked, the rest are refused unhashed. The
    argon2 check itself runs outside any write transaction, so a sign-in never holds SQLite's write
    lock for the length of a hash; the success is stored only if the account is not locked by then.
    """
    at = now or audit.now()
    address = normalise_email(email)
    row = _claim_attempt(db, address, at)
    if row is None:
        _refuse_unclaimed(db, address, password, at)
    actor = actor_from_row(row)
    stored = row.password_hash
    if is_demo_account_closed(db, row.demo):
        _audit_failure(db, actor, "demo account: the installation holds real data")
        raise SignInFailed()
    if not verify_password(stored, password):
        _record_wrong_password(db, actor, at, row.failed_logins)
        raise SignInFailed()
    expiry = _split(stored or "")[1]
    if expiry is not None and at >= expiry:
        _audit_failure(db, actor, "temporary password expired")
        raise SignInFailed()
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login": at}
    hashed = _split(stored or "")[0]
    if _hasher.check_needs_rehash(hashed):
        values["password_hash"] = hash_password(password, temporary_until=expiry)
    with db.write() as conn:
        done = conn.execute(
            sa.update(users).where(users.c.id == actor.id, users.c.active, _unlocked(at)).values(**values)
        ).rowcount
        if done:
            audit.record(conn, actor, "sign_in")
        else:  # locked (or deactivated) by parallel attempts while this one was being hashed
            audit.record(conn, actor, "sign_in_failed", detail="account locked while signing in")
    if not done:
        raise SignInFailed()
    return actor


def _unlocked(at: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(users.c.locked_until.is_(None), users.c.locked_until <= at)


def _claim_attempt(db: Database, address: str, at: datetime) -> Row | None:
    """Count this attempt, atomically, if the account may be tried now: active, not locked and with
    fewer than MAX_FAILED_SIGN_INS attempts outstanding. The row (with this attempt's number) or None."""
    with db.write() as conn:
        return conn.execute(
            sa.update(users)
            .where(
                users.c.email == address,
                users.c.active,
                _unlocked(at),
                users.c.failed_logins < MAX_FAILED_SIGN_INS,
            )
            .values(failed_logins=users.c.failed_logins + 1)
            .returning(*users.c)
        ).first()


def _refuse_unclaimed(db: Database, address: str, password: str, at: datetime) -> NoReturn:
    """Say in the audit log why an attempt could not be counted, then refuse it."""
    with db.read() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == address)).first()
    if row is None:
        verify_password(None, password)  # an unknown email takes the time of a real check
        _audit_failure(db, _UNKNOWN, "unknown account")
    elif not row.active:
        _audit_failure(db, actor_from_row(row), "account deactivated")
    elif (locked_until := utc(row.locked_until)) is not None and at < locked_until:
        _audit_failure(db, actor_from_row(row), f"account locked until {locked_until:%H:%M} UTC")
    else:
        _audit_failure(db, actor_from_row(row), f"refused: {MAX_FAILED_SIGN_INS} attempts already being checked")
    raise SignInFailed()


def record_sso_sign_in(db: Database, actor: Actor, *, now: datetime | None = None) -> None:
    """A sign-in through the organisation: stamp last_login as a password sign-in does, and audit it.

    Failed-password counts and locks are left alone: they guard the password, which SSO did not use.
    """
    at = now or audit.now()
    with db.write() as conn:
        conn.execute(sa.update(users).where(users.c.id == actor.id).values(last_login=at))
        audit.record(conn, actor, "sign_in", detail="single sign-on", at=at)


def actor_from_row(row: Row) -> Actor:
    return Actor(id=row.id, email=row.email, role=row.role, name=row.name, school_urn=row.school_urn, la=row.la)


def _record_wrong_password(db: Database, actor: Actor, at: datetime, attempt: int) -> None:
    """The attempt was counted when claimed; the one that reaches the limit locks the account."""
    with db.write() as conn:
        if attempt >= MAX_FAILED_SIGN_INS:
            conn.execute(
                sa.update(users).where(users.c.id == actor.id).values(failed_logins=0, locked_until=at + LOCK_OUT)
            )
            detail = f"wrong password ({attempt} in a row); locked for {LOCK_OUT.seconds // 60} minutes"
        else:
            detail = f"wrong password ({attempt} in a row)"
        audit.record(conn, actor, "sign_in_failed", detail=detail)


def _audit_failure(db: Database, actor: Actor, detail: str) -> None:
    with db.write() as conn:
        audit.record(conn, actor, "sign_in_failed", detail=detail)


def _identity_problems(email: str, name: str) -> list[Problem]:
    problems = []
    if not _EMAIL.match(email) or len(email) > 254:
        problems.append(Problem("Email", "please enter a valid email address."))
    if not name.strip():
        problems.append(Problem("Name", "please enter the person's name."))
    elif len(name.strip()) > 200:
        problems.append(Problem("Name", "must be at most 200 characters."))
    return problems


def _check_role(
    conn: Connection, role: str, school_urn: str | None, la: str | None, problems: list[Problem]
) -> tuple[str | None, str | None]:
    """Validate the role's scope; returns (school_urn, la) as they should be stored."""
    problems = list(problems)
    school_urn = (school_urn or "").strip() or None
    la = (la or "").strip() or None
    if role not in ROLES:
        problems.append(Problem("Role", f"must be one of {', '.join(ROLES)}."))
    elif role == "school":
        if school_urn is None:
            problems.append(Problem("School", "a school account needs a school from the register."))
        elif conn.execute(sa.select(schools.c.urn).where(schools.c.urn == school_urn)).first() is None:
            problems.append(Problem("School", f"there is no school with URN {school_urn} in the register."))
        la = None
    elif role == "la":
        if la is None:
            problems.append(Problem("Local authority", "an LA account needs the local authority's name."))
        school_urn = None
    else:
        school_urn, la = None, None
    if problems:
        raise InvalidInput(problems)
    return school_urn, la


def _get(conn: Connection, user_id: int) -> Row:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound("There is no such user.")
    return row


def _update(conn: Connection, user_id: int, *, end_sessions: bool = True, **values: object) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))
    if end_sessions:
        conn.execute(sa.delete(sessions).where(sessions.c.user_id == user_id))


def _lock_users(conn: Connection) -> None:
    """Serialise first-admin creation on PostgreSQL; SQLite's BEGIN IMMEDIATE already does."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")


def _temporary_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters from a 96-bit secret


def _describe(email: str, role: str, school_urn: str | None, la: str | None) -> str:
    scope = f" for school {school_urn}" if school_urn else f" for LA {la}" if la else ""
    return f"{email} as {role}{scope}"


def _user(row: Row) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        school_urn=row.school_urn,
        la=row.la,
        active=bool(row.active),
        temporary_password=bool(row.password_hash and row.password_hash.startswith(_TEMPORARY)),
        locked_until=utc(row.locked_until),
        last_login=utc(row.last_login),
        created_at=utc(row.created_at),
    )


# For data/user_import.py: the same checks and wording as one account at a time.
identity_problems = _identity_problems
check_role = _check_role
temporary_password = _temporary_password
describe = _describe
