"""Rules that depend on a review's other answers: questions that stop applying, and per-unit bands.

Both work on the whole (review x criterion) grid at once, after every answer has been read:

- a criterion with ``applies_if`` conditions stops applying to a review whose earlier answer breaks
  one (an unanswered or N/A earlier answer leaves it applying);
- a number criterion banded ``per`` unit of a measure is banded on answer / (measure / per), the
  measure being earlier answers summed or a school figure from the register. Its points differ per
  review, so each such cell gets an answer entry of its own, appended to the per-answer arrays.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from framework.conditions import OPERATORS, school_measure
from scoring.layout import FrameworkLayout
from scoring.readings import Readings


def apply_answer_rules(layout: FrameworkLayout, readings: Readings, measures: dict[str, np.ndarray]) -> Readings:
    """``measures`` maps a school measure name to one value per review (NaN where unknown)."""
    narrowed = replace(readings, applies=_narrow(layout, readings))
    return _per_unit(layout, narrowed, measures)


def answer_numbers(readings: Readings, position: int) -> np.ndarray:
    """Per review, the answer to the criterion at ``position`` as a number; NaN when blank, N/A or
    when the criterion does not apply to the review's school."""
    values = readings.number[readings.answer[:, position]]
    return np.where(readings.applies[:, position], values, np.nan)


def _narrow(layout: FrameworkLayout, readings: Readings) -> np.ndarray:
    applies = readings.applies
    positions = layout.positions
    for pos, criterion in enumerate(layout.criteria):
        if not criterion.applies_if:
            continue
        if applies is readings.applies:
            applies = applies.copy()
        for cond in criterion.applies_if:
            values = answer_numbers(readings, positions[cond.criterion])
            with np.errstate(invalid="ignore"):
                broken = ~np.isnan(values) & ~OPERATORS[cond.op](values, cond.number)  # type: ignore[arg-type]  # elementwise on arrays
            applies[:, pos] &= ~broken
    return applies


def measure_values(layout: FrameworkLayout, readings: Readings, parts: tuple[str, ...], measures: dict) -> np.ndarray:
    """Per review, the measure a per-unit criterion divides by: its parts summed (NaN if any is unknown)."""
    total = np.zeros(readings.answer.shape[0])
    for part in parts:
        name = school_measure(part)
        if name is None:
            total = total + answer_numbers(readings, layout.positions[part])
        else:
            total = total + measures.get(name, np.full(len(total), np.nan))
    return total


def _per_unit(layout: FrameworkLayout, readings: Readings, measures: dict[str, np.ndarray]) -> Readings:
    extra: dict[str, list[np.ndarray]] = {k: [] for k in ("criterion", "points", "q", "number")}
    answer = readings.answer
    next_index = len(readings.points)
    scale = layout.framework.default_scale
    span = scale.max_points - scale.min_points
    for pos, criterion in enumerate(layout.criteria):
        if not criterion.per_unit:
            continue
        if answer is readings.answer:
            answer = answer.copy()
        raw = readings.number[answer[:, pos]]
        measure = measure_values(layout, readings, criterion.per_measure, measures)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(measure > 0, raw / (measure / criterion.per), np.nan)
        points = np.full(len(rate), np.nan)
        for band in criterion.bands:
            low = -np.inf if band.low is None else band.low
            high = np.inf if band.high is None else band.high
            with np.errstate(invalid="ignore"):
                points[(rate >= low) & (rate < high)] = band.points
        rows = np.flatnonzero(~np.isnan(raw))
        answer[rows, pos] = next_index + np.arange(len(rows))
        next_index += len(rows)
        extra["criterion"].append(np.full(len(rows), pos))
        extra["points"].append(points[rows])
        extra["q"].append((points[rows] - scale.min_points) / span)
        extra["number"].append(raw[rows])
    if answer is readings.answer:
        return readings
    n_extra = next_index - len(readings.points)
    none = np.zeros(n_extra, dtype=bool)
    return replace(
        readings,
        answer=answer,
        criterion=np.concatenate([readings.criterion, *extra["criterion"]]),
        points=np.concatenate([readings.points, *extra["points"]]),
        q=np.concatenate([readings.q, *extra["q"]]),
        number=np.concatenate([readings.number, *extra["number"]]),
        not_applicable=np.concatenate([readings.not_applicable, none]),
        said_yes=np.concatenate([readings.said_yes, none]),
        said_no=np.concatenate([readings.said_no, none]),
    )
