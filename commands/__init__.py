"""The command registry behind cli.py: each module here adds its subcommands with @command.

Commands that touch the database act as the server operator (who can read the database file
anyway) unless ``--as EMAIL`` is given; then they see and may do exactly what that user could do
in the app, because they go through the same repositories and the same access policy.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from data.access import OPERATOR, Actor, NotFound
from data.db import Database
from data.setup import open_database
from framework.library import builtin_framework, load_framework_file
from framework.models import Framework
from framework.problems import InvalidInput, Problem


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# Each subcommand is one function registered with @command below: adding one never touches the others.
COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda _: None):
    """Register ``run(args) -> exit status`` as the subcommand ``name``; ``arguments`` adds its options."""

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = Command(name, help, arguments, run)
        return run

    return register


def framework_from(text: str) -> Framework:
    """A built-in framework by id, or a framework file (.xlsx, .yaml, .json) by path."""
    path = Path(text)
    if path.suffix.lower() in (".xlsx", ".yaml", ".yml", ".json") or path.exists():
        return load_framework_file(path)
    return builtin_framework(text)


def write_output(path: str, data: bytes) -> None:
    Path(path).write_bytes(data)
    print(f"wrote {path}")


def database() -> Database:
    """The database DATABASE_URL names (or the default SQLite file), migrated; never loads demo data."""
    return open_database()


def acting(args: argparse.Namespace, db: Database) -> Actor:
    """The operator, or the user named by --as: the same permissions as that user has in the app."""
    email = getattr(args, "as_user", None)
    if email is None:
        return OPERATOR
    if not email.strip():  # an empty --as is a mistake, never a quiet way to act as the operator
        raise InvalidInput([Problem("--as", 'no such user: the email given is empty ("")')])
    from data.users import actor_by_email

    actor = actor_by_email(db, email)
    if actor is None:
        raise NotFound(f"There is no active user with the email {email}.")
    return actor
