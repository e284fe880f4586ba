"""Accounts from a CSV file (email, name, role, school URN or LA), all or nothing, like the register import.

Every line is checked first and every problem is reported with its line and column; nothing is
stored unless the whole file is right. Passwords are hashed before the one write transaction (argon2
is slow on purpose), which is where ``progress`` reports; the accounts and one audit entry each are
then written together. With single sign-on, accounts get no password: people sign in through their
organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from data import audit, users
from data.access import ACCOUNTS, Actor, require
from data.db import Database
from data.register_import import _Rows
from data.tables import users as users_table
from framework.problems import InvalidInput, Problem

COLUMNS = {"email": "email", "name": "name", "role": "role", "where": "school URN or LA"}
# The words people write in a role column, as well as the codes.
ROLE_SPELLINGS = {
    "school": "school",
    "school staff": "school",
    "senco": "school",
    "peer": "peer",
    "peer reviewer": "peer",
    "la": "la",
    "la advisor": "la",
    "advisor": "la",
    "admin": "admin",
    "administrator": "admin",
}
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class NewAccount:
    line: int
    email: str
    name: str
    role: str
    school_urn: str | None
    la: str | None


@dataclass(frozen=True)
class Created:
    email: str
    name: str
    role: str
    temporary_password: str | None  # None with single sign-on


def read_users_csv(data: bytes, *, source: str = "users file") -> list[NewAccount]:
    """Parse and check the shape of every line (roles, emails, names, duplicates); raises with every problem."""
    rows = _Rows(data, source, {k: v for k, v in COLUMNS.items() if k != "where"}, {"where": COLUMNS["where"]})
    found: list[NewAccount] = []
    first_line: dict[str, int] = {}
    for line, record in rows:
        email = users.normalise_email(record.get("email", ""))
        name = record.get("name", "")
        role = ROLE_SPELLINGS.get(record.get("role", "").strip().lower())
        where = record.get("where", "") or None
        for problem in users.identity_problems(email, name):
            rows.problems.append(Problem(f"line {line}, column {rows.label[_field(problem.place)]}", problem.message))
        if role is None:
            allowed = "school, peer, la or admin (or School staff, Peer reviewer, LA advisor, Administrator)"
            rows.problems.append(Problem(f"line {line}, column {rows.label['role']}", f"must be one of {allowed}"))
        elif role in ("school", "la") and where is None:
            column = rows.label.get("where", COLUMNS["where"])
            needs = "the school's URN" if role == "school" else "the local authority's name"
            rows.problems.append(Problem(f"line {line}, column {column}", f"a {role} account needs {needs}"))
        if email in first_line:
            rows.problems.append(
                Problem(f"line {line}, column {rows.label['email']}", f"{email} is also on line {first_line[email]}")
            )
        first_line.setdefault(email, line)
        found.append(
            NewAccount(
                line,
                email,
                name.strip(),
                role or "",
                where if role == "school" else None,
                where if role == "la" else None,
            )
        )
    rows.finish()
    if not found:
        raise InvalidInput([Problem(source, "there are no accounts in the file")])
    return found


def import_users(
    db: Database, actor: Actor, accounts: list[NewAccount], *, sso: bool = False, progress: Progress | None = None
) -> list[Created]:
    """Create every account or none; each creation audited. Returns the one-time passwords, to show once."""
    require(actor, "write", ACCOUNTS)
    total = len(accounts)
    at = audit.now()
    prepared: list[tuple[NewAccount, str | None, str | None]] = []
    for done, account in enumerate(accounts, start=1):
        temporary = None if sso else users.temporary_password()
        hashed = (
            None
            if temporary is None
            else users.hash_password(temporary, temporary_until=at + timedelta(days=users.TEMPORARY_DAYS))
        )
        prepared.append((account, temporary, hashed))
        if progress is not None:
            progress(done, total)
    problems: list[Problem] = []
    with db.write() as conn:
        taken = set(conn.execute(sa.select(users_table.c.email)).scalars())
        for account, _, _ in prepared:
            if account.email in taken:
                problems.append(Problem(f"line {account.line}", f"there is already an account with {account.email}"))
            try:
                users.check_role(conn, account.role, account.school_urn, account.la, [])
            except InvalidInput as exc:
                problems += [Problem(f"line {account.line}", f"{p.place}: {p.message}") for p in exc.problems]
        if problems:
            raise InvalidInput(problems)
        for account, _, hashed in prepared:
            conn.execute(
                sa.insert(users_table).values(
                    email=account.email,
                    name=account.name,
                    role=account.role,
                    school_urn=account.school_urn,
                    la=account.la,
                    password_hash=hashed,
                    created_at=at,
                )
            )
            detail = users.describe(account.email, account.role, account.school_urn, account.la) + " (imported)"
            audit.record(conn, actor, "user_invited", school_urn=account.school_urn, detail=detail)
    return [Created(a.email, a.name, a.role, temporary) for a, temporary, _ in prepared]


def _field(where: str) -> str:
    return "email" if where == "Email" else "name"
