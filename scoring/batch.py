"""Checking a batch of reviews and their response rows, and reading them, before any arithmetic.

Every problem in either table is collected and raised at once; one school (``one_review``) is the
same path with a batch of one, so a single review and a batch can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framework.models import PHASES, Framework, ReviewContext
from framework.problems import InvalidInput, Problem
from scoring.answer_rules import apply_answer_rules
from scoring.layout import FrameworkLayout, layout_of
from scoring.readings import Readings, positions, read_rows

_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0", ""})


@dataclass(frozen=True)
class Batch:
    """Checked and read: the reviews in table order and the grid of their answers."""

    layout: FrameworkLayout
    review_ids: pd.Index
    readings: Readings


def read_batch(framework: Framework, responses: pd.DataFrame, reviews: pd.DataFrame) -> Batch:
    """Validate both tables and read every row; raises InvalidInput listing every problem."""
    layout = layout_of(framework)
    _require(reviews, ("review_id", "phase"), "reviews")
    _require(responses, ("review_id", "criterion_id", "response"), "responses")
    review_problems: list[tuple[int, str]] = []
    review_ids = pd.Index(reviews["review_id"])
    for repeated in np.flatnonzero(review_ids.duplicated()):
        review_problems.append((int(repeated), f'review "{review_ids[repeated]}" is listed more than once'))
    phases = reviews["phase"].to_numpy(dtype=object)
    for row, phase in enumerate(phases):
        if phase not in PHASES:
            review_problems.append((int(row), f'phase "{phase}" is not one of {", ".join(PHASES)}'))
    flags = {flag: _flag_values(reviews, flag, review_problems) for flag in layout.flags}
    if review_problems:
        raise _invalid(review_problems, "reviews")

    applicability, combination_of_review = _combinations(layout, phases, flags)
    review_of_row = positions(responses["review_id"], review_ids)
    problems: list[tuple[int, str]] = []
    if (review_of_row < 0).any():
        ids = responses["review_id"].to_numpy()
        for unknown in np.flatnonzero(review_of_row < 0):
            problems.append((int(unknown), f'review "{ids[unknown]}" is not in the reviews table'))
    applies = applicability[combination_of_review]
    readings = read_rows(layout, responses, review_of_row, applies, problems)
    if problems:
        raise _invalid(problems, "responses")
    measures = {m: _measure_values(reviews, m) for m in layout.measures}
    return Batch(layout, review_ids, apply_answer_rules(layout, readings, measures))


def one_review(
    framework: Framework, responses: pd.DataFrame, context: ReviewContext
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (responses, reviews) tables of a batch holding just this review, with id 0."""
    layout = layout_of(framework)
    reviews = pd.DataFrame(
        {"review_id": [0], "phase": [context.phase]}
        | {f: [f in context.flags] for f in layout.flags}
        | {m: [context.measure(m)] for m in layout.measures}
    )
    rows = responses.assign(review_id=np.zeros(len(responses), dtype=np.int64))
    for column in ("criterion_id", "response"):
        if column not in rows.columns and len(rows) == 0:
            rows[column] = pd.Series(dtype=object)
    return rows, reviews


def _combinations(
    layout: FrameworkLayout, phases: np.ndarray, flags: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Reviews share few (phase, flags) combinations: work out what applies once per combination."""
    code = pd.Index(PHASES).get_indexer(phases).astype(np.int64)
    for flag in layout.flags:
        code = code * 2 + flags[flag]
    distinct, combination_of_review = np.unique(code, return_inverse=True)
    rows = []
    for value in distinct.tolist():
        present = []
        for flag in reversed(layout.flags):
            if value % 2:
                present.append(flag)
            value //= 2
        rows.append(layout.applicable(PHASES[value], frozenset(present)))
    applicability = np.array(rows, dtype=bool).reshape(len(rows), layout.n_criteria)
    return applicability, combination_of_review.reshape(-1)


def _flag_values(reviews: pd.DataFrame, flag: str, problems: list[tuple[int, str]]) -> np.ndarray:
    """A school flag column as booleans; absent means no school has it."""
    if flag not in reviews.columns:
        return np.zeros(len(reviews), dtype=np.int64)
    column = reviews[flag]
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.fillna(False).to_numpy(dtype=bool).astype(np.int64)
    out = np.zeros(len(reviews), dtype=np.int64)
    for row, value in enumerate(column.to_numpy(dtype=object)):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        whole = isinstance(value, (bool, np.bool_, int, np.integer)) or (
            isinstance(value, float) and value.is_integer()
        )
        text = str(int(value)) if whole else str(value).strip().lower()
        if text in _TRUE:
            out[row] = 1
        elif text not in _FALSE:
            problems.append((row, f'{flag} must be yes or no (got "{value}")'))
    return out


def _measure_values(reviews: pd.DataFrame, name: str) -> np.ndarray:
    """A school measure column (e.g. pupils on roll) as floats; absent or unreadable is unknown (NaN)."""
    if name not in reviews.columns:
        return np.full(len(reviews), np.nan)
    return pd.to_numeric(reviews[name], errors="coerce").to_numpy(dtype=float)


def _require(table: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InvalidInput([Problem(name, f"missing column {c}") for c in missing])


def _invalid(problems: list[tuple[int, str]], sheet: str) -> InvalidInput:
    """Every problem, in row order, placed as ``responses row N`` (N counted from 1)."""
    ordered = sorted(problems, key=lambda p: p[0])
    return InvalidInput([Problem(f"{sheet} row {row + 1}", message) for row, message in ordered])
