"""``cli.py users list|add|import|deactivate|set-role``: provision an authority's accounts headlessly.

Only administrators may (the data layer checks; ``--as EMAIL`` acts as that user). One-time
passwords are printed once, on standard output; with single sign-on configured
(``.streamlit/secrets.toml`` has an ``[auth]`` section) accounts get none.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from commands import acting, command, database
from commands.progress import progress_line
from data import user_import, users
from data.access import NotFound
from framework.words import USER_ROLE_WORDS, word

SECRETS = Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml"


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="every account, its role, school or LA, and last sign-in")
    add = actions.add_parser("add", help="create one account (prints its one-time password)")
    add.add_argument("email")
    add.add_argument("name")
    add.add_argument("role", help="school, peer, la or admin")
    add.add_argument("where", nargs="?", default="", metavar="URN_OR_LA", help="the school's URN or the LA's name")
    imp = actions.add_parser("import", help="create every account in a CSV file, or none (every bad line reported)")
    imp.add_argument("file", metavar="USERS.csv", help="columns: email, name, role, school URN or LA")
    off = actions.add_parser("deactivate", help="stop an account signing in (it is kept, and can be reactivated)")
    off.add_argument("email")
    role = actions.add_parser("set-role", help="give an account another role (and school or LA)")
    role.add_argument("email")
    role.add_argument("role", help="school, peer, la or admin")
    role.add_argument("where", nargs="?", default="", metavar="URN_OR_LA", help="the school's URN or the LA's name")


@command("users", "list, add, import, deactivate accounts or change their role (administrators only)", _arguments)
def users_command(args: argparse.Namespace) -> int:
    db = database()
    actor = acting(args, db)
    if args.action == "list":
        for u in users.list_users(db, actor):
            scope = u.school_urn or u.la or ""
            seen = u.last_login.strftime("%d %b %Y %H:%M") if u.last_login else "never signed in"
            state = "" if u.active else "  [deactivated]"
            print(f"{u.email}  {u.name}  {word(USER_ROLE_WORDS, u.role)}  {scope}  {seen}{state}".replace("    ", "  "))
        return 0
    if args.action in ("add", "import"):
        if args.action == "add":
            values = ",".join(_csv(v) for v in (args.email, args.name, args.role, args.where))
            line = f"email,name,role,school URN or LA\n{values}"
            accounts = user_import.read_users_csv(line.encode(), source="command line")
        else:
            path = Path(args.file)
            accounts = user_import.read_users_csv(path.read_bytes(), source=path.name)
        progress = progress_line("preparing accounts")
        created = user_import.import_users(db, actor, accounts, sso=_sso(), progress=progress)
        _print_created(created)
        return 0
    person = _person(db, actor, args.email)
    if args.action == "deactivate":
        users.set_active(db, actor, person.id, False)
        print(f"{person.email} can no longer sign in (deactivated; the account is kept)")
        return 0
    role = user_import.ROLE_SPELLINGS.get(args.role.strip().lower(), args.role)
    users.change_role(
        db, actor, person.id, role, args.where if role == "school" else None, args.where if role == "la" else None
    )
    print(f"{person.email} is now: {word(USER_ROLE_WORDS, role)}")
    return 0


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _person(db, actor, email: str) -> users.User:  # type: ignore[no-untyped-def]
    wanted = users.normalise_email(email)
    for u in users.list_users(db, actor):
        if u.email == wanted:
            return u
    raise NotFound(f"There is no account with the email {email}.")


def _sso() -> bool:
    """Single sign-on is configured the way the app reads it: an [auth] section in secrets.toml."""
    try:
        return "auth" in tomllib.loads(SECRETS.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _print_created(created: list[user_import.Created]) -> None:
    print(f"created {len(created)} account{'s' if len(created) != 1 else ''}")
    if created[0].temporary_password is None:
        print("single sign-on is configured: they sign in through their organisation, with no password here")
        return
    print(f"one-time passwords (shown only now; each works for {users.TEMPORARY_DAYS} days, then must be changed):")
    for c in created:
        print(f"{c.email}\t{c.temporary_password}")
