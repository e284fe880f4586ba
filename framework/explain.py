"""Why a question does not apply, and how a per-unit number was judged, in words a reviewer reads.

Pure functions of the framework, the school's context and the answers given so far, so the
questionnaire, exports and tests all say the same thing. Scoring reaches the same decisions on
arrays (``scoring.answer_rules``); these sentences explain them one question at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

from framework.conditions import OPERATOR_WORDS, SCHOOL_MEASURES, school_measure
from framework.models import (
    FLAG_LABELS,
    PHASE_LABELS,
    Criterion,
    Framework,
    ReviewContext,
    applicable_criteria,
    applies,
)
from framework.responses import read_response


def answer_numbers(framework: Framework, answers: Mapping[str, object]) -> dict[str, float]:
    """Stored answers (criterion id -> raw answer) read as numbers where they are numbers or yes/no."""
    numbers: dict[str, float] = {}
    for cid, raw in answers.items():
        criterion = framework.criteria_by_id.get(cid)
        if criterion is not None and criterion.kind in ("number", "yes_no"):
            number = read_response(framework, criterion, raw).number
            if number is not None:
                numbers[cid] = number
    return numbers


def not_applicable_reason(
    framework: Framework, criterion: Criterion, context: ReviewContext, numbers: Mapping[str, float]
) -> str | None:
    """Why the question does not apply to this school, or None when it applies."""
    domain = framework.domains_by_id[criterion.domain_id]
    for phases, requires in ((domain.phases, domain.requires), (criterion.phases, criterion.requires)):
        if phases and not applies(phases, (), context):
            wanted = ", ".join(PHASE_LABELS[p].lower() for p in phases)
            return (
                f"Does not apply because it is for {wanted} settings only, "
                f"and this is a {PHASE_LABELS[context.phase].lower()} review."
            )
        missing = [f for f in requires if f not in context.all_flags]
        if missing:
            return f"Does not apply because it is for {FLAG_LABELS.get(missing[0], missing[0])} only."
    for cond in criterion.applies_if:
        value = numbers.get(cond.criterion)
        if value is not None and not cond.holds(value):
            earlier = framework.criteria_by_id[cond.criterion]
            shown = ("yes" if value else "no") if earlier.kind == "yes_no" else f"{value:g}"
            return (
                f'Does not apply because the answer to "{earlier.text}" is {shown} '
                f"(it applies only when that answer is {_wanted(cond.op, cond.value)})."
            )
    return None


def questions_that_apply(
    framework: Framework, context: ReviewContext, answers: Mapping[str, object]
) -> list[Criterion]:
    """The questions this school is asked and that still apply given its answers so far: what "n of m
    questions answered" counts. A question whose earlier-answer condition fails (an EHC plan duty when
    the school has no pupil with an EHC plan) is shown with its reason but is not one of the m."""
    numbers = answer_numbers(framework, answers)
    return [
        c
        for c in applicable_criteria(framework, context)
        if not c.applies_if or not_applicable_reason(framework, c, context, numbers) is None
    ]


def _wanted(op: str, value: float | str) -> str:
    shown = value if isinstance(value, str) else f"{value:g}"
    return f"{OPERATOR_WORDS[op]} {shown}".strip()


def measure_of(
    framework: Framework, criterion: Criterion, context: ReviewContext, numbers: Mapping[str, float]
) -> float | None:
    """The measure a per-unit question divides by, or None while a part of it is unknown."""
    total = 0.0
    for part in criterion.per_measure:
        name = school_measure(part)
        value = context.measure(name) if name else numbers.get(part)
        if value is None:
            return None
        total += value
    return total


def per_unit_sentence(
    framework: Framework, criterion: Criterion, context: ReviewContext, numbers: Mapping[str, float]
) -> str | None:
    """E.g. "6 hours for 48 pupils on the SEN register = 1.25 hours per 10 pupils on the SEN register:
    Developing"; what is still missing when the answer or the measure is unknown; None if not per unit."""
    if not criterion.per_unit:
        return None
    assert criterion.per is not None  # per_unit
    what = criterion.per_label or _measure_words(framework, criterion)
    value = numbers.get(criterion.id)
    measure = measure_of(framework, criterion, context, numbers)
    unit = criterion.unit or ""
    per = f"{criterion.per:g}"
    if value is None:
        return f"Judged per {per} {what}: {unit or 'the answer'} ÷ ({what} ÷ {per})."
    if measure is None:
        return f"To judge this, answer how many {what} there are: it is judged per {per} {what}."
    if measure <= 0:
        return f"Not judged: with no {what} there is nothing to divide by."
    rate = value / (measure / criterion.per)
    band = criterion.band_for(rate)
    level = framework.default_scale.level(band.points) if band else None
    verdict = level.label if level else "outside every band"
    return f"{value:g} {unit} for {measure:g} {what} = {rate:.2f} {unit} per {per} {what}: {verdict}".replace("  ", " ")


def _measure_words(framework: Framework, criterion: Criterion) -> str:
    parts = []
    for part in criterion.per_measure:
        name = school_measure(part)
        parts.append(SCHOOL_MEASURES.get(name, name) if name else framework.criteria_by_id[part].text.lower())
    return " plus ".join(parts)
