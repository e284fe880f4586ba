"""Raw response rows to a review x criterion grid of answers, each distinct answer read once.

Millions of rows hold few distinct (criterion, raw answer) pairs, so the rows are factorised into
those pairs, ``framework.responses.read_response`` (the one rule book) interprets each pair once,
and each (review, criterion) cell of a grid holds the index of its pair. Scoring then works on the
grid with array indexing only. Problems are collected for every row at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framework.responses import read_response
from scoring.layout import FrameworkLayout


@dataclass(frozen=True)
class Readings:
    """``answer[review, criterion]`` indexes the per-answer arrays; the last answer means "not listed".

    Per-answer arrays describe what the raw answer means for its criterion; whether the criterion
    applies to the review's school is ``applies[review, criterion]`` (before any N/A answer).
    """

    answer: np.ndarray  # (reviews x criteria) index of the distinct answer in each cell
    applies: np.ndarray  # (reviews x criteria) the criterion applies to the review's school
    criterion: np.ndarray  # per answer: the criterion it answers (-1 for "not listed")
    points: np.ndarray  # per answer; NaN when blank, N/A, text or not listed
    q: np.ndarray  # (points - scale min) / (scale max - scale min); NaN like points
    not_applicable: np.ndarray  # answered N/A
    said_yes: np.ndarray  # a yes_no criterion answered yes
    said_no: np.ndarray  # a yes_no criterion answered no
    number: np.ndarray  # the answer as a number (number: its value; yes 1, no 0); NaN otherwise


def positions(values: pd.Series, index: pd.Index, key=None) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent); ids repeat, so look up only distinct ones."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if key is not None:
        uniques = pd.Index([key(u) for u in uniques], dtype=object)
    lookup = index.get_indexer(uniques) if len(uniques) else np.empty(0, dtype=np.intp)
    return np.append(lookup, -1)[codes]


def criterion_positions(layout: FrameworkLayout, criterion_ids: pd.Series) -> np.ndarray:
    """Position of each row's criterion in the framework, -1 when the framework has no such criterion."""
    return positions(criterion_ids, layout.criterion_ids, key=_as_id)


def _as_id(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def answer_codes(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Factorise raw answers (-1 for None/NaN), keeping True/False apart from 1/0, which they equal in Python."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    suspect = np.append([_bool_like(u) for u in uniques], False).astype(bool)  # the last one is for -1
    if values.dtype != object or not suspect.any():
        return codes, uniques
    rows = np.flatnonzero(suspect[codes])
    raw = values.to_numpy()[rows]
    if pd.api.types.infer_dtype(raw, skipna=False) in _NO_BOOLS:  # one fast C pass settles the usual case
        return codes, uniques
    row_is_bool = np.frompyfunc(isinstance, 2, 1)(raw, _BOOL_TYPES_ARG).astype(bool)
    unique_is_bool = np.array([isinstance(u, _BOOL_TYPES) for u in uniques])
    mixed = row_is_bool != unique_is_bool[codes[rows]]
    if not mixed.any():
        return codes, uniques
    codes = codes.copy()
    extra: dict[tuple[bool, object], int] = {}
    for row, value, is_bool in zip(rows[mixed], raw[mixed], row_is_bool[mixed], strict=True):
        tag = (bool(is_bool), value)
        if tag not in extra:
            extra[tag] = len(uniques)
            uniques.append(value)
        codes[row] = extra[tag]
    return codes, uniques


_BOOL_TYPES = (bool, np.bool_)
_NO_BOOLS = frozenset({"integer", "floating", "mixed-integer-float"})
_BOOL_TYPES_ARG = np.empty((), dtype=object)  # the tuple as one argument, not broadcast as an array
_BOOL_TYPES_ARG[()] = _BOOL_TYPES


def _bool_like(value: object) -> bool:
    return isinstance(value, (bool, int, float, np.bool_, np.number)) and (value == 0 or value == 1)


def read_rows(
    layout: FrameworkLayout,
    responses: pd.DataFrame,
    review_of_row: np.ndarray,
    applies: np.ndarray,
    problems: list[tuple[int, str]],
) -> Readings:
    """Read every row into the grid; appends (row position, message) for every problem found.

    ``applies`` is the (review x criterion) grid of what applies to each school. Rows of criteria that
    do not apply are ignored, whatever they hold. Rows with ``review_of_row`` -1 have been reported.
    """
    framework = layout.framework
    n_reviews, n_crit = applies.shape
    crit = criterion_positions(layout, responses["criterion_id"])
    codes, uniques = answer_codes(responses["response"])
    valid = (crit >= 0) & (review_of_row >= 0)
    all_valid = bool(valid.all())
    if not all_valid:
        ids = responses["criterion_id"].to_numpy()
        for row in np.flatnonzero(crit < 0):
            shown = _shown(ids[row])
            message = f'criterion "{shown}" is not in framework "{framework.id}"' if shown else "criterion_id is blank"
            problems.append((int(row), message))

    width = len(uniques) + 1
    pair_key = (crit if all_valid else np.where(valid, crit, 0)) * width
    pair_key += codes + 1
    pair_of_row, pair_keys = _factorize_small(pair_key, n_crit * width)
    meaning, errors = _meanings(layout, pair_keys // width, pair_keys % width - 1, uniques)

    not_listed = len(pair_keys)
    rows = slice(None) if all_valid else np.flatnonzero(valid)
    cell = review_of_row[rows] * n_crit
    cell += crit[rows]
    answer = np.full(n_reviews * n_crit, not_listed, dtype=np.int64)
    answer[cell] = pair_of_row[rows]
    if any(e is not None for e in errors):
        _report_errors(layout, np.arange(len(crit))[rows], cell, pair_of_row, errors, applies.ravel(), problems)
    if np.count_nonzero(answer != not_listed) < len(cell):
        _report_duplicates(layout, np.arange(len(crit))[rows], cell, applies.ravel(), problems)

    with_not_listed = {
        name: np.append(values, False if values.dtype == bool else np.nan) for name, values in meaning.items()
    }
    criterion = np.append(pair_keys // width, -1)
    return Readings(answer=answer.reshape(n_reviews, n_crit), applies=applies, criterion=criterion, **with_not_listed)


def _factorize_small(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` for keys in 0..space-1; a dense lookup is faster when the space is small."""
    if space > 4 * len(key) + 1024:
        codes, uniques = pd.factorize(key)
        return codes, np.asarray(uniques)
    present = np.bincount(key, minlength=space) > 0
    renumber = np.cumsum(present) - 1
    return renumber[key], np.flatnonzero(present)


def _meanings(
    layout: FrameworkLayout, crit: np.ndarray, code: np.ndarray, uniques: list[object]
) -> tuple[dict[str, np.ndarray], list[str | None]]:
    """Read each distinct (criterion, raw answer) pair with the rule book."""
    framework = layout.framework
    n = len(crit)
    out = {
        "points": np.full(n, np.nan),
        "q": np.full(n, np.nan),
        "not_applicable": np.zeros(n, dtype=bool),
        "said_yes": np.zeros(n, dtype=bool),
        "said_no": np.zeros(n, dtype=bool),
        "number": np.full(n, np.nan),
    }
    errors: list[str | None] = []
    for i, (c, r) in enumerate(zip(crit.tolist(), code.tolist(), strict=True)):
        criterion = layout.criteria[c]
        reading = read_response(framework, criterion, None if r < 0 else uniques[r])
        errors.append(reading.error)
        out["not_applicable"][i] = reading.not_applicable
        if reading.number is not None:
            out["number"][i] = reading.number
        if reading.points is not None and criterion.scored:
            scale = framework.scale_of(criterion)
            out["points"][i] = reading.points
            out["q"][i] = (reading.points - scale.min_points) / (scale.max_points - scale.min_points)
            out["said_yes"][i] = criterion.kind == "yes_no" and reading.value == "yes"
            out["said_no"][i] = criterion.kind == "yes_no" and reading.value == "no"
    return out, errors


def _report_duplicates(
    layout: FrameworkLayout,
    rows: np.ndarray,
    cell: np.ndarray,
    applies: np.ndarray,
    problems: list[tuple[int, str]],
) -> None:
    """A criterion listed twice for one review is ambiguous: report every repeat with its first row."""
    live = applies[cell]
    cells = pd.Series(cell[live])
    first = cells.drop_duplicates(keep="first")
    first_row = dict(zip(first.to_numpy().tolist(), rows[live][first.index.to_numpy()].tolist(), strict=True))
    for at in np.flatnonzero(cells.duplicated(keep="first").to_numpy()):
        row, where = int(rows[live][at]), int(cells.iloc[at])
        crit_id = layout.criteria[where % layout.n_criteria].id
        problems.append((row, f'criterion "{crit_id}" is listed more than once (first at row {first_row[where] + 1})'))


def _report_errors(
    layout: FrameworkLayout,
    rows: np.ndarray,
    cell: np.ndarray,
    pair_of_row: np.ndarray,
    errors: list[str | None],
    applies: np.ndarray,
    problems: list[tuple[int, str]],
) -> None:
    """Invalid answers, but only where the criterion applies: other rows are ignored."""
    wrong = np.flatnonzero(np.array([e is not None for e in errors]))
    for at in np.flatnonzero(np.isin(pair_of_row[rows], wrong) & applies[cell]):
        row = int(rows[at])
        crit_id = layout.criteria[int(cell[at]) % layout.n_criteria].id
        problems.append((row, f'criterion "{crit_id}": {errors[pair_of_row[row]]}'))


def _shown(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else _as_id(value)
