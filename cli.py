"""SEND Review without the browser: the same capabilities as the app, for LA data teams and for tests.

Bad input exits with status 2 and every problem on standard error, one per line, e.g.
criteria!D14: kind must be one of rating, yes_no, number, text (got "slider").
A command the acting user may not run exits with status 3.

examples:
  python cli.py frameworks --json
  python cli.py framework-workbook send-review -o my-framework.xlsx
  python cli.py validate my-framework.xlsx
  python cli.py template my-framework.xlsx -o review.xlsx --phase primary
  python cli.py score review.xlsx --framework my-framework.xlsx --json result.json
  python cli.py demo --seed 7
"""

from __future__ import annotations

import argparse
import sys

import commands.access  # importing a command module registers its subcommands
import commands.demo_data
import commands.frameworks
import commands.overview
import commands.register
import commands.reports
import commands.storage
import commands.users
import commands.visits  # noqa: F401
from commands import COMMANDS
from data.access import NotAllowed, NotFound
from framework.problems import InvalidInput, Problem, capped

INVALID_INPUT = 2
NOT_ALLOWED = 3


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cli.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    top.add_argument(
        "--as", dest="as_user", metavar="EMAIL", help="act as this user, with exactly their permissions in the app"
    )
    subcommands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for cmd in COMMANDS.values():
        cmd.arguments(subcommands.add_parser(cmd.name, help=cmd.help, description=cmd.help))
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.as_user is not None and not args.as_user.strip():
        print('--as: no such user: the email given is empty ("")', file=sys.stderr)
        return INVALID_INPUT
    try:
        return COMMANDS[args.command].run(args)
    except InvalidInput as exc:
        problems = exc.problems
    except OSError as exc:
        problems = [Problem(str(exc.filename or ""), exc.strerror or str(exc))]
    except (NotAllowed, NotFound) as exc:
        print(exc, file=sys.stderr)
        return NOT_ALLOWED
    for problem in capped(problems):  # the first 200 and a count of the rest
        print(problem, file=sys.stderr)
    return INVALID_INPUT


if __name__ == "__main__":
    sys.exit(main())
