"""Framework commands: list, validate, authoring workbooks, response templates and scoring. No database."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from commands import command, framework_from, write_output
from exports.framework_workbook import write_framework_workbook
from exports.response_workbook import read_response_workbook, write_response_template
from framework.library import builtin_frameworks, load_framework_file
from framework.models import PHASES
from scoring import score_review


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
