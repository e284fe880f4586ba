"""Peer review visits headless: the visits you can see, and a visit's moderation with its agreement
statistics as the JSON of docs/agreement.md. ``--as EMAIL`` sees exactly what that user sees."""

from __future__ import annotations

import argparse
import json

from commands import acting, command, database
from data import moderation, visits
from scoring.agreement_words import alpha_sentence, pair_sentence, rater_names, to_json


@command("visits", "list the peer review visits you can see", lambda p: p.add_argument("--json", action="store_true"))
def list_visits(args: argparse.Namespace) -> int:
    db = database()
    rows = [
        {
            "id": v.id,
            "urn": v.school_urn,
            "school": v.school_name,
            "cycle": v.cycle,
            "framework_id": v.framework_id,
            "framework_version": v.framework_version,
            "starts_on": v.starts_on.isoformat(),
            "ends_on": v.ends_on.isoformat(),
            "team": [{"key": m.key, "email": m.email, "role": m.role, "lead": m.lead} for m in v.members],
            "status": "closed" if v.closed else "open",
        }
        for v in visits.list_visits(db, acting(args, db))
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['id']}  {r['urn']}  {r['cycle']}  {r['starts_on']}  {r['status']}  {r['school']}")
    return 0


def _moderation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("visit", type=int, metavar="VISIT_ID", help="the visit's number (see: cli.py visits)")
    parser.add_argument("--json", action="store_true", help="the ratings and statistics as JSON")


@command("moderation", "a visit's ratings side by side and how far the raters agree", _moderation_arguments)
def show_moderation(args: argparse.Namespace) -> int:
    db = database()
    found = moderation.moderation(db, acting(args, db), args.visit)
    agreement = found.agreement
    if args.json:
        print(json.dumps(to_json(agreement, found.header), indent=2))
        return 0
    names = rater_names(agreement, {r.key: r.name for r in found.raters})
    print(f"Visit {found.visit.id}: {found.visit.school_name} ({found.visit.school_urn}), {found.visit.cycle}")
    for scope in (agreement.overall, *agreement.domains):
        print(f"\n{scope.domain_id or 'Overall'}")
        print(f"  {alpha_sentence(scope)}")
        for pair in scope.pairs:
            print(f"  {pair_sentence(pair, names)}")
    if found.waiting_for:
        print(f"\nNot submitted yet: {', '.join(found.waiting_for)}")
    return 0
