"""Commands for the written report and the action plan, with the acting user's permissions (``--as``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from commands import acting, command, database, write_output
from data import action_plans
from data.reports import report_bundle
from exports.report import FORMATS, write_report
from framework.problems import InvalidInput, Problem
from scoring.actions import ACTION_STATUSES


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("review", type=int, metavar="REVIEW_ID", help="the review's number (see: cli.py reviews)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.docx|OUT.pdf", help="Word or PDF, by extension")
    parser.add_argument("--evidence", action="store_true", help="include evidence notes (if the school agrees)")
    parser.add_argument("--line", action="append", default=[], metavar="TEXT", help="a line of enquiry (repeatable)")


@command("report", "write a review's report for the head and governors as Word or PDF; audited", _report_arguments)
def report(args: argparse.Namespace) -> int:
    fmt = Path(args.output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput([Problem(args.output, "the output must end in .docx or .pdf")])
    db = database()
    bundle = report_bundle(
        db, acting(args, db), args.review, fmt, include_evidence=args.evidence, lines_of_enquiry=args.line
    )
    write_output(args.output, write_report(bundle, fmt))
    return 0


def _actions_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("school", nargs="?", metavar="URN", help="one school (default: every plan you can read)")
    parser.add_argument("--cycle", help="only this review cycle, e.g. 2025/26")
    parser.add_argument("--json", action="store_true")


@command("actions", "list action plans you can read, overdue actions first", _actions_arguments)
def actions(args: argparse.Namespace) -> int:
    db = database()
    actor = acting(args, db)
    urns = [args.school] if args.school else [urn for urn, _ in action_plans.plan_schools(db, actor)]
    rows = []
    for urn in urns:
        for a in action_plans.list_actions(db, actor, urn, args.cycle):
            rows.append(
                {
                    "id": a.id,
                    "urn": a.school_urn,
                    "cycle": a.cycle,
                    "what": a.what,
                    "domain_id": a.domain_id,
                    "criteria": list(a.criteria),
                    "lead": a.lead,
                    "due_on": a.due_on.isoformat() if a.due_on else None,
                    "success": a.success,
                    "status": a.status,
                    "flags": a.flags(),
                    "notes": [{"on": n.noted_on.isoformat(), "by": n.by, "text": n.text} for n in a.notes],
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        flags = f"  [{', '.join(r['flags'])}]" if r["flags"] else ""
        due = r["due_on"] or "no date"
        print(f"{r['id']}  {r['urn']}  {r['cycle']}  {ACTION_STATUSES[r['status']]}  {due}  {r['what']}{flags}")
    if not rows:
        print("no actions")
    return 0
