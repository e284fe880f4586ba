"""Problems found in user input, each tied to its place, reported all at once.

Every importer (framework workbooks, response workbooks, register CSVs) collects
``Problem`` values and raises one ``InvalidInput`` so that a user can fix everything
in a single pass and nothing is stored while anything is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    place: str  # e.g. "criteria!D14", "line 12, column FSM", or a file name
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


MAX_SHOWN = 200  # problems listed to a user; the rest are counted ("… and 12 more")


def capped(problems: list[Problem], limit: int = MAX_SHOWN) -> list[Problem]:
    """The first ``limit`` problems and, when there are more, one line that counts the rest."""
    if len(problems) <= limit:
        return list(problems)
    return [*problems[:limit], Problem("", f"… and {len(problems) - limit:,} more problems")]


class InvalidInput(Exception):
    """Raised with every problem found; callers show them and store nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def readable(errors: Iterable[Mapping[str, object]]) -> list[str]:
    """Turn pydantic error dicts into plain sentences (no 'Value error,' prefixes)."""
    out = []
    for err in errors:
        msg = str(err.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        out.append(msg)
    return out
