"""cli.py overview: the LA advisor's overview, headless, with exactly the acting user's view (--as)."""

from __future__ import annotations

import argparse
import json

from commands import acting, command, write_output
from data.overview import Overview, la_overview
from data.setup import open_database
from exports.overview_workbook import overview_csv, overview_workbook


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--framework", required=True, metavar="ID", help="the framework of the self-reviews")
    parser.add_argument("--cycle", metavar="C", help="the review cycle, e.g. 2025/26 (default: the newest)")
    parser.add_argument("--la", metavar="NAME", help="administrators: one LA only (LA advisors always see their own)")
    parser.add_argument("--json", action="store_true", help="print the overview as JSON")
    parser.add_argument("--xlsx", metavar="OUT", help="write the overview workbook (an audited export)")
    parser.add_argument("--csv", metavar="OUT", help="write the heat map as CSV (an audited export)")


@command("overview", "the LA overview: every school by domain, flags, themes, completion", _arguments)
def overview(args: argparse.Namespace) -> int:
    db = open_database()
    actor = acting(args, db)
    exporting = bool(args.xlsx or args.csv)
    found = la_overview(db, actor, args.framework, args.cycle, la=args.la, action="export" if exporting else "read")
    if args.xlsx:
        write_output(args.xlsx, overview_workbook(found.document()))
    if args.csv:
        write_output(args.csv, overview_csv(found.document()))
    if args.json:
        print(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    elif not exporting:
        print(_text(found))
    return 0


def _text(o: Overview) -> str:
    c = o.completion
    lines = [
        f"{o.framework_title}, {o.cycle}: {c['schools']} schools counted, {len(o.schools)} named "
        f"({o.not_named} do not share with their LA and are only counted)",
        f"Not started {c['not_started']}, in progress {c['in_progress']}, submitted {c['submitted']}, "
        f"peer reviewed {c['peer_reviewed']}",
        "",
    ]
    for s in o.schools:
        bands = ", ".join(f"{cell.domain_id} {cell.band}{' (limited)' if cell.limited else ''}" for cell in s.cells)
        lines.append(f"{s.name} (URN {s.urn}), {s.phase}: {s.progress.words()}" + (f"; {bands}" if bands else ""))
        lines += [f"  flag: {f.reason}" for f in s.flags]
    if o.themes:
        lines += ["", "Most often at the lowest level:", *(f"  {t.sentence()}" for t in o.themes)]
    return "\n".join(lines)
