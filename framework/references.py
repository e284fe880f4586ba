"""Checks that a criterion's conditions and per-unit measure name questions that can serve them.

Kept apart from the model so the model file stays about the framework's shape; called by the
framework's own validator, so a YAML file and a workbook are held to the same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framework.conditions import SCHOOL_MEASURES, school_measure

if TYPE_CHECKING:
    from framework.models import Criterion, Framework


def check_references(framework: Framework, crit: Criterion, earlier: set[str]) -> None:
    """Conditions and measures name earlier number or yes/no questions, so answers come in order."""
    by_id = framework.criteria_by_id
    for cond in crit.applies_if:
        ref = by_id.get(cond.criterion)
        if ref is None or cond.criterion not in earlier or cond.criterion == crit.id:
            raise ValueError(f'criterion "{crit.id}": applies_if names "{cond.criterion}", not an earlier question')
        if ref.kind == "yes_no" and not isinstance(cond.value, str):
            raise ValueError(f'criterion "{crit.id}": "{cond.criterion}" is a yes/no question; compare with yes or no')
        if ref.kind == "number" and isinstance(cond.value, str):
            raise ValueError(f'criterion "{crit.id}": "{cond.criterion}" is a number question; compare with a number')
        if ref.kind not in ("number", "yes_no"):
            raise ValueError(f'criterion "{crit.id}": applies_if can only use a number or yes/no question')
        if ref.applies_if:
            raise ValueError(f'criterion "{crit.id}": "{cond.criterion}" has conditions of its own; name its source')
    for part in crit.per_measure:
        name = school_measure(part)
        if name is not None:
            if name not in SCHOOL_MEASURES:
                raise ValueError(f'criterion "{crit.id}": no school measure "{name}" ({", ".join(SCHOOL_MEASURES)})')
            continue
        ref = by_id.get(part)
        if ref is None or part not in earlier or ref.kind != "number" or ref.per_unit:
            raise ValueError(f'criterion "{crit.id}": per_measure names "{part}", not an earlier plain number question')
