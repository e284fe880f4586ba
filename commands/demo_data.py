"""Commands on the database itself: loading the fictional demo LA."""

from __future__ import annotations

import argparse

from commands import command, database
from commands.progress import progress_line
from data.access import NotAllowed
from data.demo_load import load_demo
from data.setup import holds_real_data, is_empty


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="the same seed always gives the same demo data")


@command("demo", "load the fictional demo local authority into the database", _demo_arguments)
def demo(args: argparse.Namespace) -> int:
    db = database()
    if getattr(args, "as_user", None):
        raise NotAllowed("Loading demo data is for the server operator; run it without --as.")
    if holds_real_data(db):
        raise NotAllowed("This database already holds real schools or reviews, so the demo data was not loaded.")
    if not is_empty(db):
        raise NotAllowed("This database already holds the demo data.")
    summary = load_demo(db, seed=args.seed, progress=progress_line("loading the demo frameworks"))
    print(f"loaded {summary.schools} fictional schools, {summary.reviews} reviews and {summary.answers} answers")
    return 0
