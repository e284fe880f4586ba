"""A progress line for long commands, rewritten in place, only when a person is watching a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[int, int], None]  # (done, total)


def progress_line(what: str) -> Progress | None:
    """``None`` when standard output is a file or a pipe (scripts and logs get the result line only)."""
    if not sys.stdout.isatty():
        return None

    def show(done: int, total: int) -> None:
        print(f"\r{what}: {done} of {total}", end="\n" if done >= total else "", flush=True)

    return show
