"""When a criterion applies because of an earlier answer, and how a number is read per unit of a measure.

Both are small value types the framework model holds. They live apart from ``models`` so the model
file stays about the framework's shape, and so the text forms authors write in a workbook cell
(``ehcp-count > 0``; ``sen-support-count + ehcp-count``) are parsed in one place.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import overload

from pydantic import BaseModel, ConfigDict, Field

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
OPERATOR_WORDS = {">": "more than", ">=": "at least", "<": "less than", "<=": "at most", "=": "", "!=": "not"}
SCHOOL_MEASURE_PREFIX = "school:"
SCHOOL_MEASURES: dict[str, str] = {
    "pupils": "pupils on roll",
    "sen_pupils": "pupils on the SEN register",
}
_CONDITION = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(>=|<=|!=|>|<|=)\s*(\S.*?)\s*$")


class Condition(BaseModel):
    """``criterion op value``: the criterion applies only while an earlier answer satisfies this.

    ``value`` is a number for a number question, ``yes`` or ``no`` for a yes/no question (compared
    with ``=`` or ``!=``). An earlier answer that is blank or N/A leaves the criterion applicable:
    nobody is excused from a duty on an unanswered question.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion: str = Field(min_length=1)
    op: str = "="
    value: float | str

    def holds(self, answer: float) -> bool:
        """``answer`` is the earlier answer as a number (yes = 1, no = 0)."""
        return OPERATORS[self.op](answer, self.number)

    @property
    def number(self) -> float:
        if isinstance(self.value, str):
            return 1.0 if self.value == "yes" else 0.0
        return float(self.value)

    def __str__(self) -> str:
        value = self.value if isinstance(self.value, str) else f"{self.value:g}"
        return f"{self.criterion} {self.op} {value}"


def parse_condition(text: str) -> Condition:
    """``ehcp-count > 0`` or ``has-deputy = yes``; raises ValueError with a readable reason."""
    match = _CONDITION.match(str(text))
    if not match:
        raise ValueError(f'"{text}" is not of the form CRITERION OP VALUE, e.g. ehcp-count > 0 or has-deputy = yes')
    criterion, op, raw = match.groups()
    value: float | str
    if raw.lower() in ("yes", "no"):
        value = raw.lower()
        if op not in ("=", "!="):
            raise ValueError(f'"{text}": a yes/no answer is compared with = or != only')
    else:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f'"{text}": the value must be a number, yes or no') from None
    return Condition(criterion=criterion, op=op, value=value)


@overload
def parse_conditions(value: str) -> tuple[Condition, ...]: ...
@overload
def parse_conditions(value: object) -> object: ...
def parse_conditions(value: object) -> object:
    """Conditions from ``a > 0; b = yes`` text, or a list of texts or mappings (YAML)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(parse_condition(p) for p in value.split(";") if p.strip())
    if isinstance(value, (list, tuple)):
        return tuple(parse_condition(v) if isinstance(v, str) else v for v in value)
    return value


def format_conditions(conditions: tuple[Condition, ...]) -> str:
    return "; ".join(str(c) for c in conditions)


@overload
def parse_measure(value: str) -> tuple[str, ...]: ...
@overload
def parse_measure(value: object) -> object: ...
def parse_measure(value: object) -> object:
    """``sen-support-count + ehcp-count`` (criteria summed) or ``school:pupils`` as a tuple of parts."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split("+") if p.strip())
    return value


def format_measure(parts: tuple[str, ...]) -> str:
    return " + ".join(parts)


def school_measure(part: str) -> str | None:
    """The school measure a part names (``school:pupils`` -> ``pupils``), None for a criterion id."""
    return part[len(SCHOOL_MEASURE_PREFIX) :] if part.startswith(SCHOOL_MEASURE_PREFIX) else None
