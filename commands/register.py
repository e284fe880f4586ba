"""Register and comparison commands: list the register, import it from the public files, compare a school.

Each runs as the operator or as the ``--as`` user, through the same repositories as the app, so a
school user gets exactly the anonymised comparison the app would show them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from commands import acting, command
from data.comparison import Comparison, compare_school
from data.db import Database
from data.register_import import read_register
from data.schools import list_schools, upsert_schools
from data.setup import open_database
from framework.words import STATUS_WORDS, word


@command(
    "schools", "list the schools in the register you may see", lambda p: p.add_argument("--json", action="store_true")
)
def schools(args: argparse.Namespace) -> int:
    db = _database()
    found = list_schools(db, acting(args, db))
    if args.json:
        fields = ("urn", "name", "la", "phase", "type", "pupils", "fsm_pct", "sen_support_pct", "ehcp_pct")
        rows = [{f: getattr(s, f) for f in fields} | {"resourced_provision": s.resourced_provision} for s in found]
        print(json.dumps(rows, indent=2))
    else:
        for s in found:
            print(f"{s.urn}  {s.name}  ({s.phase}, {s.la})")
    return 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gias", metavar="GIAS.csv", help="a GIAS establishment extract (edubasealldata*.csv)")
    parser.add_argument(
        "--sen", metavar="SEN.csv", help="the DfE school-level SEN file, for SEN support and EHC plan %%"
    )


@command("import-register", "add or update schools from the GIAS and DfE SEN files (all or nothing)", _import_arguments)
def import_register(args: argparse.Namespace) -> int:
    """Both files are read and checked before anything is stored; every problem in either is reported."""
    sen = (Path(args.sen).name, Path(args.sen).read_bytes()) if args.sen else None
    register = read_register((Path(args.gias).name, Path(args.gias).read_bytes()), sen)
    db = _database()
    stored = upsert_schools(db, acting(args, db), register)
    print(f"stored {stored} schools from {Path(args.gias).name}" + (f" and {Path(args.sen).name}" if args.sen else ""))
    return 0


def _peers_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urn", metavar="URN", help="the school to compare")
    parser.add_argument("--framework", required=True, metavar="ID", help="the framework of the self-reviews")
    parser.add_argument("--cycle", metavar="C", help="the review cycle, e.g. 2025/26 (default: the school's latest)")
    parser.add_argument(
        "--group",
        default="similar",
        metavar="similar|la|phase|GROUP_ID",
        help="the peers: similar schools (DfE method, default), the LA, the phase, or a named group's number",
    )
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")


@command("peers", "compare a school's self-review with its peers (anonymised as in the app)", _peers_arguments)
def peers(args: argparse.Namespace) -> int:
    db = _database()
    choice = f"group:{args.group}" if args.group.isdigit() else args.group
    result = compare_school(db, acting(args, db), args.urn, args.framework, args.cycle, choice)
    print(json.dumps(result.to_json(), indent=2) if args.json else _text(result))
    return 0


def _text(c: Comparison) -> str:
    status = word(STATUS_WORDS, c.own_status, "no review in this cycle").lower()
    lines = [
        f"{c.school_name} (URN {c.urn}), {c.phase}, {c.la}",
        f"{c.framework_title}, {c.cycle}; this school's self-review: {status}",
        c.summary(),
        "Peers: "
        + ", ".join(
            p.label + (f" ({p.urn})" if p.urn else "") + ("" if p.has_result else " [no result]") for p in c.peers
        ),
        "",
        c.overall.sentence(c.noun),
        *(f"  {m.sentence(c.noun)}" for m in c.domains),
    ]
    if c.senco is not None:
        lines += ["", "SENCO time:", *(f"  {m.sentence(c.noun)}" for m in c.senco.measures)]
        lines += [f"  {c.senco.note}", "  Published figures, national survey (self-selected sample), not targets:"]
        lines += [f"    {f.year}: {f.finding} ({f.source})" for f in c.senco.survey]
    lines += ["", c.to_json()["note"]]
    return "\n".join(lines)


def _database() -> Database:
    """``commands.database()``, which the ``commands.database`` module shadows once cli.py imports it."""
    return open_database()
