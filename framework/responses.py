"""What one answer means for one criterion: the single rule book for reading responses.

The response-workbook importer calls it per cell to report problems; the scoring
engine calls it once per distinct (criterion, answer) pair, so both always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from framework.models import Criterion, Framework, format_bands

NA_TOKENS = frozenset({"n/a", "na"})


@dataclass(frozen=True)
class Reading:
    """``points`` is None when blank, N/A or in error; ``error`` says why an answer is wrong."""

    points: int | None = None
    blank: bool = False
    not_applicable: bool = False
    error: str | None = None
    value: str = ""  # the answer in canonical form, as stored and shown (a label, yes/no, a number)
    number: float | None = None  # a number answer's value; yes 1 and no 0; None otherwise


def is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def read_response(framework: Framework, criterion: Criterion, raw: object) -> Reading:
    """Interpret a raw answer (text as typed, or a number from a spreadsheet cell)."""
    if is_blank(raw):
        return Reading(blank=True)
    text = _text(raw)
    if text.lower() in NA_TOKENS:
        if criterion.statutory:
            return Reading(error="N/A is not allowed on a statutory criterion: answer yes or no")
        return Reading(not_applicable=True, value="N/A")
    if criterion.kind == "text":
        return Reading(value=text)
    default = framework.default_scale
    if criterion.kind == "yes_no":
        answer = text.lower()
        if answer in ("yes", "no") and criterion.fact:
            return Reading(value=answer, number=float(answer == "yes"))
        if answer == "yes":
            return Reading(points=default.max_points, value="yes", number=1.0)
        if answer == "no":
            return Reading(points=default.min_points, value="no", number=0.0)
        return Reading(error=f'answer yes or no (got "{text}")')
    if criterion.kind == "rating":
        scale = framework.scale_of(criterion)
        level = scale.find(raw if isinstance(raw, (int, float)) else text)
        if level is None:
            labels = ", ".join(lv.label for lv in scale.levels)
            return Reading(error=f'"{text}" is not an answer to this question (use one of {labels})')
        return Reading(points=level.points, value=level.label)
    number = parse_number(raw)
    if number is None:
        return Reading(error=f'expected a number (got "{text}")')
    if criterion.fact:
        return Reading(value=_text(number), number=number)
    if criterion.per_unit:  # banded per unit of a measure, once the measure is known (scoring does it)
        if number < 0:
            return Reading(error=f"expected a number of 0 or more (got {_text(number)})")
        return Reading(value=_text(number), number=number)
    band = criterion.band_for(number)
    if band is None:
        return Reading(
            error=f"{_text(number)} is outside every band of this question ({format_bands(criterion.bands)})"
        )
    return Reading(points=band.points, value=_text(number), number=number)


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def parse_number(raw: object) -> float | None:
    """A finite number from a cell or a typed answer (``1,200`` too); None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    try:
        value = float(str(raw).strip().replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
