"""Commands on reviews, exports, peer assignments and the audit log, with the acting user's permissions.

Each goes through the repositories with ``acting(args, db)``: the operator, or the ``--as`` user.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from commands import acting, command, database, write_output
from data import assignments, audit, consent, reviews
from data.access import NotFound
from exports.cells import csv_bytes
from exports.review_export import review_workbook
from framework.problems import InvalidInput, Problem
from framework.words import ROLE_WORDS, STATUS_WORDS, word


@command("reviews", "list the reviews you can see", lambda p: p.add_argument("--json", action="store_true"))
def list_reviews(args: argparse.Namespace) -> int:
    db = database()
    found = reviews.list_reviews(db, acting(args, db))
    rows = [
        {"id": r.id, "urn": r.school_urn, "school": r.school_name, "cycle": r.cycle, "role": r.role, "status": r.status}
        for r in found
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    for r in rows if not args.json else []:
        role, status = word(ROLE_WORDS, r["role"]), word(STATUS_WORDS, r["status"])
        print(f"{r['id']}  {r['urn']}  {r['cycle']}  {role}  {status}  {r['school']}")
    return 0


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("review", type=int, metavar="ID", help="the review's number (see: cli.py reviews)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="where to write the workbook")
    parser.add_argument("--answers", action="store_true", help="the answers as a response workbook, not the results")


@command("review-export", "write a review's results (or answers) workbook; the export is audited", _export_arguments)
def review_export(args: argparse.Namespace) -> int:
    db = database()
    bundle = reviews.export_bundle(db, acting(args, db), args.review, "answers" if args.answers else "results")
    write_output(args.output, review_workbook(bundle))
    return 0


def _audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="from this day (England)")
    parser.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="to this day, included")
    parser.add_argument("--action", help="only this action, e.g. exported, viewed, sign_in")
    parser.add_argument("--school", metavar="URN", help="only rows about this school")
    parser.add_argument("--csv", metavar="OUT.csv", help="write every matching row as CSV (UTF-8 with BOM)")


@command("audit", "show the audit log rows you may read (newest first), or export them as CSV", _audit_arguments)
def audit_log(args: argparse.Namespace) -> int:
    db = database()
    actor = acting(args, db)
    wanted = audit.AuditFilter(since=args.since, until=args.until, action=args.action, school_urn=args.school)
    if args.csv:
        rows = audit.export_log(db, actor, wanted)
        write_output(args.csv, csv_bytes(audit.COLUMNS, (row.cells() for row in rows)))
        return 0
    page = audit.read_log(db, actor, wanted)
    for row in page.rows:
        print("  ".join(str(cell) for cell in row.cells()))
    if page.total > len(page.rows):
        print(f"(the newest {len(page.rows)} of {page.total}; use --csv for all)")
    return 0


def _assign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("peer", metavar="EMAIL", help="the peer reviewer's account email")
    parser.add_argument("school", metavar="URN", help="the school to review")
    parser.add_argument("cycle", metavar="CYCLE", help="the review cycle, e.g. 2025/26")
    parser.add_argument("--starts", type=date.fromisoformat, metavar="YYYY-MM-DD", help="access begins (default today)")


@command("assign-peer", "assign a peer reviewer to a school for a review cycle", _assign_arguments)
def assign_peer(args: argparse.Namespace) -> int:
    db = database()
    assignment_id = assignments.assign_peer(
        db, acting(args, db), peer_email=args.peer, school_urn=args.school, cycle=args.cycle, starts_on=args.starts
    )
    print(f"assignment {assignment_id}: {args.peer} reviews {args.school} for {args.cycle}")
    return 0


def _withdraw_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", type=int, metavar="ID", help="the assignment's number (see: cli.py assignments)")
    parser.add_argument("--reason", default="", help="why, for the audit log")


@command("withdraw-peer", "end a peer assignment now", _withdraw_arguments)
def withdraw_peer(args: argparse.Namespace) -> int:
    db = database()
    assignments.withdraw(db, acting(args, db), args.assignment, args.reason)
    print(f"assignment {args.assignment} withdrawn")
    return 0


@command("assignments", "list the peer assignments you can see", lambda p: p.add_argument("--cycle"))
def list_assignments(args: argparse.Namespace) -> int:
    db = database()
    for a in assignments.list_assignments(db, acting(args, db), cycle=args.cycle):
        print(f"{a.id}  {a.cycle}  {a.school_urn}  {a.peer_email}  {a.state}  {a.school_name}")
    return 0


def _sharing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("school", metavar="URN", nargs="?", help="one school (default: every school you may see)")
    change = parser.add_mutually_exclusive_group()
    change.add_argument("--give", choices=list(consent.SCOPES), help="give this consent (la or peers)")
    change.add_argument("--withdraw", choices=list(consent.SCOPES), help="withdraw this consent")
    parser.add_argument("--reason", default="", help="why, for the audit log")
    parser.add_argument("--json", action="store_true")


@command("sharing", "show what schools share with their LA and peer reviewers, or change it", _sharing_arguments)
def sharing(args: argparse.Namespace) -> int:
    db = database()
    actor = acting(args, db)
    scope = args.give or args.withdraw
    if scope:
        if not args.school:
            raise InvalidInput([Problem("URN", "name the school whose consent changes")])
        changed = consent.set_consent(db, actor, args.school, scope, give=bool(args.give), reason=args.reason)
        print(("Changed: " if changed else "Already so, nothing written: ") + f"{args.school} {scope}")
    listed = consent.list_sharing(db, actor, urns=[args.school] if args.school else None)
    if args.school and not listed:
        raise NotFound(f"There is no school with URN {args.school} whose sharing you can see.")
    rows = [{"urn": s.urn, "school": s.name, **{scope: s.shares(scope) for scope in consent.SCOPES}} for s in listed]
    if args.json:
        print(json.dumps(rows, indent=2))
    for r in rows if not args.json else []:
        given = ", ".join(f"{scope} {'yes' if r[scope] else 'no'}" for scope in consent.SCOPES)
        print(f"{r['urn']}  {given}  {r['school']}")
    return 0
