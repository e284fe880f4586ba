"""SEND Review without the browser: list and check frameworks, make workbooks, score a completed review.

Bad input exits with status 2 and every problem on standard error, one per line, e.g.
criteria!D14: kind must be one of rating, yes_no, number, text (got "slider").

examples:
  python cli.py frameworks --json
  python cli.py framework-workbook send-review -o my-framework.xlsx
  python cli.py validate my-framework.xlsx
  python cli.py template my-framework.xlsx -o review.xlsx --phase primary
  python cli.py score review.xlsx --framework my-framework.xlsx --json result.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from exports.framework_workbook import write_framework_workbook
from exports.response_workbook import read_response_workbook, write_response_template
from framework.library import builtin_framework, builtin_frameworks, load_framework_file
from framework.models import PHASES, Framework
from framework.problems import InvalidInput, Problem
from scoring import score_review

INVALID_INPUT = 2


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


# --- commands ------------------------------------------------------------------------------------


@command("frameworks", "list the built-in frameworks", lambda p: p.add_argument("--json", action="store_true"))
def list_frameworks(args: argparse.Namespace) -> int:
    frameworks = builtin_frameworks()
    if args.json:
        print(json.dumps([{"id": fw.id, "title": fw.title, "version": fw.version} for fw in frameworks], indent=2))
    else:
        for fw in frameworks:
            print(f"{fw.id}  {fw.version}  {fw.title}")
    return 0


@command(
    "validate",
    "check a framework file (.xlsx workbook, .yaml or .json) and report every problem",
    lambda p: p.add_argument("file", help="the framework file to check"),
)
def validate(args: argparse.Namespace) -> int:
    fw = load_framework_file(args.file)
    criteria = list(fw.criteria)
    statutory = sum(c.statutory for c in criteria)
    print(
        f'{args.file}: framework "{fw.id}" version {fw.version} is valid: {len(fw.domains)} domains, '
        f"{len(criteria)} criteria ({statutory} statutory), {len(fw.scales)} scales"
    )
    return 0


def _framework_workbook_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("framework", metavar="ID_OR_FILE", help="a built-in framework id, or a framework file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="where to write the workbook")


@command("framework-workbook", "write a framework as an authoring workbook to edit", _framework_workbook_arguments)
def framework_workbook(args: argparse.Namespace) -> int:
    write_output(args.output, write_framework_workbook(framework_from(args.framework)))
    return 0


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    _framework_workbook_arguments(parser)
    parser.add_argument("--phase", choices=PHASES, help="list only the questions that apply to this phase")
    parser.add_argument("--resourced-provision", action="store_true", help="the school has an ARC/ARP")


@command("template", "write a response workbook to answer a review offline", _template_arguments)
def template(args: argparse.Namespace) -> int:
    fw = framework_from(args.framework)
    data = write_response_template(fw, phase=args.phase, resourced_provision=args.resourced_provision)
    write_output(args.output, data)
    return 0


def _score_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("responses", metavar="RESPONSES.xlsx", help="a completed response workbook")
    parser.add_argument("--framework", metavar="FILE", help="framework file (default: the built-in named in it)")
    parser.add_argument("--json", metavar="OUT", help="also write the result to this file")


@command("score", "score a completed response workbook and print the result as JSON", _score_arguments)
def score(args: argparse.Namespace) -> int:
    given = load_framework_file(args.framework) if args.framework else None
    path = Path(args.responses)
    sheet = read_response_workbook(path.read_bytes(), framework=given, source=path.name)
    answers = sheet.responses[["criterion_id", "response", "evidence"]]
    urn = sheet.meta.get("school_urn") or None
    result = score_review(sheet.framework, answers, sheet.context, school_urn=urn).to_spec_json()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


# --- entry point ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cli.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    subcommands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for cmd in COMMANDS.values():
        cmd.arguments(subcommands.add_parser(cmd.name, help=cmd.help, description=cmd.help))
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except InvalidInput as exc:
        problems = exc.problems
    except OSError as exc:
        problems = [Problem(str(exc.filename or ""), exc.strerror or str(exc))]
    for problem in problems:
        print(problem, file=sys.stderr)
    return INVALID_INPUT


if __name__ == "__main__":
    sys.exit(main())
