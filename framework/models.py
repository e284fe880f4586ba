"""What a review framework is: scales, domains and criteria, frozen once loaded.

The same model is built from the built-in YAML library and from an LA's Excel
authoring workbook (see ``docs/workbooks.md``), so every check that
does not depend on where a value came from lives here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from framework.conditions import Condition, parse_conditions, parse_measure, school_measure
from framework.references import check_references

PHASES: tuple[str, ...] = (
    "early_years",
    "primary",
    "secondary",
    "all_through",
    "special",
    "post_16",
)
PHASE_LABELS: dict[str, str] = {
    "early_years": "Early years",
    "primary": "Primary",
    "secondary": "Secondary",
    "all_through": "All-through",
    "special": "Special",
    "post_16": "Post-16",
}
KINDS: tuple[str, ...] = ("rating", "yes_no", "number", "text")
SCORED_KINDS: frozenset[str] = frozenset({"rating", "yes_no", "number"})
SCHOOL_FLAGS: tuple[str, ...] = ("resourced_provision", "has_nursery", "has_sixth_form", "mainstream")
FLAG_LABELS: dict[str, str] = {
    "resourced_provision": "schools with resourced provision (ARC/ARP)",
    "has_nursery": "schools with nursery classes",
    "has_sixth_form": "schools with a sixth form",
    "mainstream": "mainstream schools (not special schools)",
}
# a school with nursery classes also covers early years; one with a sixth form also covers post-16
PHASE_OF_FLAG: dict[str, str] = {"has_nursery": "early_years", "has_sixth_form": "post_16"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Phase = Literal["early_years", "primary", "secondary", "all_through", "special", "post_16"]
Kind = Literal["rating", "yes_no", "number", "text"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(_Frozen):
    points: int
    label: str = Field(min_length=1)
    descriptor: str = ""


class Scale(_Frozen):
    id: str = Field(min_length=1)
    levels: tuple[Level, ...]

    @field_validator("levels")
    @classmethod
    def _levels_are_distinct(cls, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        if len(levels) < 2:
            raise ValueError("a scale needs at least two levels")
        points = [lv.points for lv in levels]
        if len(set(points)) != len(points):
            raise ValueError("points must be distinct within a scale")
        labels = [lv.label.strip().lower() for lv in levels]
        if len(set(labels)) != len(labels):
            raise ValueError("labels must be unique within a scale (ignoring case)")
        return tuple(sorted(levels, key=lambda lv: lv.points))

    @property
    def min_points(self) -> int:
        return self.levels[0].points

    @property
    def max_points(self) -> int:
        return self.levels[-1].points

    def level(self, points: int) -> Level | None:
        return next((lv for lv in self.levels if lv.points == points), None)

    def find(self, label_or_points: str | int | float) -> Level | None:
        """The level named by a label (any case) or by its points, as a respondent may write either."""
        if isinstance(label_or_points, (int, float)) and not isinstance(label_or_points, bool):
            if float(label_or_points).is_integer():
                return self.level(int(label_or_points))
            return None
        text = str(label_or_points).strip().lower()
        for lv in self.levels:
            if lv.label.strip().lower() == text:
                return lv
        try:
            number = float(text)
        except ValueError:
            return None
        return self.level(int(number)) if number.is_integer() else None


class Band(_Frozen):
    """The half-open interval [low, high) of a number answer that earns ``points``."""

    low: float | None = None
    high: float | None = None
    points: int

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)

    def __str__(self) -> str:
        return f"{_fmt(self.low)}..{_fmt(self.high)}={self.points}"


def _fmt(bound: float | None) -> str:
    if bound is None:
        return ""
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def parse_bands(text: str) -> tuple[Band, ...]:
    """Parse ``..2=1; 2..5=2; 10..=4`` into bands; raises ValueError with a readable reason."""
    bands = []
    for part in (p.strip() for p in str(text).split(";")):
        if not part:
            continue
        match = re.fullmatch(r"\s*([^=]*?)\s*\.\.\s*([^=]*?)\s*=\s*([+-]?\d+)\s*", part)
        if not match:
            raise ValueError(f'"{part}" is not of the form LOW..HIGH=POINTS')
        low_text, high_text, points = match.groups()
        try:
            low = float(low_text) if low_text else None
            high = float(high_text) if high_text else None
        except ValueError:
            raise ValueError(f'"{part}": LOW and HIGH must be numbers or blank') from None
        bands.append(Band(low=low, high=high, points=int(points)))
    if not bands:
        raise ValueError("at least one band is needed, e.g. ..2=1; 2..5=2; 5..=3")
    return tuple(bands)


def format_bands(bands: tuple[Band, ...]) -> str:
    return "; ".join(str(b) for b in bands)


def _overlap(a: Band, b: Band) -> bool:
    inf = float("inf")
    a_low, a_high = (a.low if a.low is not None else -inf), (a.high if a.high is not None else inf)
    b_low, b_high = (b.low if b.low is not None else -inf), (b.high if b.high is not None else inf)
    return a_low < b_high and b_low < a_high


def _as_tuple(value: object) -> object:
    """Accept ``"primary, secondary"`` as well as a list, as authors write either."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return value


class Criterion(_Frozen):
    id: str = Field(min_length=1)
    domain_id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    kind: Kind
    scale: str | None = None
    weight: float = Field(default=1.0, gt=0)
    statutory: bool = False
    bands: tuple[Band, ...] = ()
    unit: str = ""
    guidance: str = ""
    evidence: str = ""
    source: str = ""
    phases: tuple[Phase, ...] = ()
    requires: tuple[str, ...] = ()
    applies_if: tuple[Condition, ...] = ()  # earlier answers that must hold for this to apply
    per: float | None = Field(default=None, gt=0)  # number: banded per this many of per_measure
    per_measure: tuple[str, ...] = ()  # criteria ids (summed) or school:pupils / school:sen_pupils
    per_label: str = ""  # what the measure counts, e.g. "pupils on the SEN register"
    one_question_reason: str = ""  # why a text joining two things with "and" still asks one thing
    fact: bool = False  # a fact about the school other questions use (e.g. pupils on roll): asked, never scored

    @field_validator("phases", "requires", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _as_tuple(value)

    @field_validator("applies_if", mode="before")
    @classmethod
    def _conditions_from_text(cls, value: object) -> object:
        return parse_conditions(value)

    @field_validator("per_measure", mode="before")
    @classmethod
    def _measure_from_text(cls, value: object) -> object:
        return parse_measure(value)

    @field_validator("bands", mode="before")
    @classmethod
    def _bands_from_text(cls, value: object) -> object:
        if value is None or value == "":
            return ()
        return parse_bands(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _kind_rules(self) -> Criterion:
        if self.statutory and self.kind != "yes_no":
            raise ValueError("only a yes_no criterion may be statutory")
        if self.fact and (self.statutory or self.kind not in ("number", "yes_no") or self.bands or self.per_unit):
            raise ValueError("a fact is a plain number or yes/no question without bands, never statutory")
        if self.kind == "number" and not self.bands and not self.fact:
            raise ValueError("a number criterion needs bands, e.g. ..2=1; 2..5=2; 5..=3")
        if self.kind != "number" and self.bands:
            raise ValueError("bands are only for number criteria")
        if self.kind != "rating" and self.scale:
            raise ValueError("only a rating criterion takes a scale")
        if (self.per is None) != (not self.per_measure):
            raise ValueError("per and per_measure go together: banded per PER of the measure")
        if self.per is not None and self.kind != "number":
            raise ValueError("only a number criterion can be banded per unit of a measure")
        for i, a in enumerate(self.bands):
            if a.low is not None and a.high is not None and a.low >= a.high:
                raise ValueError(f"band {a} is empty: LOW must be below HIGH")
            for b in self.bands[i + 1 :]:
                if _overlap(a, b):
                    raise ValueError(f"bands {a} and {b} overlap")
        return self

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS and not self.fact

    def band_for(self, value: float) -> Band | None:
        return next((b for b in self.bands if b.contains(value)), None)

    @property
    def per_unit(self) -> bool:
        """Banded on the answer per ``per`` of a measure (e.g. hours per 10 pupils on the register)."""
        return self.per is not None


class Term(_Frozen):
    """A word a reader may not know, explained in plain words beside the questions that use it."""

    term: str = Field(min_length=1)
    meaning: str = Field(min_length=1)


class Domain(_Frozen):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    weight: float = Field(default=1.0, gt=0)
    phases: tuple[Phase, ...] = ()
    requires: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = ()

    @field_validator("phases", "requires", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _as_tuple(value)

    @model_validator(mode="before")
    @classmethod
    def _criteria_know_their_domain(cls, data: object) -> object:
        """YAML nests criteria under their domain, so they need not repeat its id."""
        if isinstance(data, dict) and data.get("id"):
            crits = data.get("criteria") or ()
            data = {
                **data,
                "criteria": [
                    {**c, "domain_id": c.get("domain_id", data["id"])} if isinstance(c, dict) else c for c in crits
                ],
            }
        return data

    @model_validator(mode="after")
    def _criteria_belong_here(self) -> Domain:
        for crit in self.criteria:
            if crit.domain_id != self.id:
                raise ValueError(f'criterion "{crit.id}" names domain "{crit.domain_id}" but sits in "{self.id}"')
        return self


class Framework(_Frozen):
    id: str
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    scale: str
    min_completion: float = Field(default=0.5, ge=0, le=1)
    statutory_cap: str | None = None
    # compliance as the gate (docs/scoring.md): statutory yes/no items cap a domain but add nothing to its
    # percent, so the level is carried by the quality items; off by default, as frameworks authored before it
    compliance_gate: bool = False
    scales: tuple[Scale, ...]
    domains: tuple[Domain, ...]
    glossary: tuple[Term, ...] = ()

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(
                f'id must be lower-case letters, digits and hyphens, starting with a letter or digit (got "{value}")'
            )
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Framework:
        scale_ids = [s.id for s in self.scales]
        if len(set(scale_ids)) != len(scale_ids):
            raise ValueError("scale ids must be unique")
        if self.scale not in scale_ids:
            raise ValueError(f'default scale "{self.scale}" is not defined')
        if self.statutory_cap is not None and self.default_scale.find(self.statutory_cap) is None:
            raise ValueError(f'statutory_cap "{self.statutory_cap}" is not a level of scale "{self.scale}"')
        domain_ids = [d.id for d in self.domains]
        if len(set(domain_ids)) != len(domain_ids):
            raise ValueError("domain ids must be unique")
        if not self.domains:
            raise ValueError("a framework needs at least one domain")
        seen: set[str] = set()
        default_points = {lv.points for lv in self.default_scale.levels}
        for crit in self.criteria:
            if crit.id in seen:
                raise ValueError(f'criterion id "{crit.id}" is used more than once')
            seen.add(crit.id)
            if crit.scale and crit.scale not in scale_ids:
                raise ValueError(f'criterion "{crit.id}": scale "{crit.scale}" is not defined')
            check_references(self, crit, seen)
            for band in crit.bands:
                if band.points not in default_points:
                    raise ValueError(
                        f'criterion "{crit.id}": band points {band.points} are not a level of the default scale'
                    )
        return self

    # --- derived views -------------------------------------------------------------
    @cached_property
    def scales_by_id(self) -> dict[str, Scale]:
        return {s.id: s for s in self.scales}

    @property
    def default_scale(self) -> Scale:
        return next(s for s in self.scales if s.id == self.scale)

    @property
    def criteria(self) -> Iterator[Criterion]:
        for domain in self.domains:
            yield from domain.criteria

    @cached_property
    def criteria_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    @cached_property
    def domains_by_id(self) -> dict[str, Domain]:
        return {d.id: d for d in self.domains}

    def scale_of(self, criterion: Criterion) -> Scale:
        """The scale a criterion's points are read on (rating: its own; others: the default)."""
        return self.scales_by_id[criterion.scale or self.scale]

    @property
    def cap_level(self) -> Level:
        if self.statutory_cap is None:
            return self.default_scale.levels[0]
        level = self.default_scale.find(self.statutory_cap)
        assert level is not None  # checked by the validator
        return level

    @property
    def phases_used(self) -> tuple[str, ...]:
        used = {p for d in self.domains for p in d.phases} | {p for c in self.criteria for p in c.phases}
        return tuple(p for p in PHASES if p in used)

    @property
    def flags_used(self) -> tuple[str, ...]:
        """The school flags that change what applies: those required, and nursery classes or a sixth
        form when some question is for early years or post-16. "mainstream" follows from the phase."""
        used = {f for d in self.domains for f in d.requires} | {f for c in self.criteria for f in c.requires}
        used |= {flag for flag, phase in PHASE_OF_FLAG.items() if phase in self.phases_used}
        return tuple(sorted(used - {"mainstream"}))

    @property
    def school_measures_used(self) -> tuple[str, ...]:
        used = {school_measure(p) for c in self.criteria for p in c.per_measure}
        return tuple(sorted(m for m in used if m))


class ReviewContext(_Frozen):
    """What scoring needs to know about the school under review.

    ``measures`` are school figures from the register (``pupils``, ``sen_pupils``) that a number
    criterion may be banded per unit of; "mainstream" follows from the phase, so it is never stored.
    """

    phase: Phase
    flags: frozenset[str] = frozenset()
    measures: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(
        cls,
        phase: str,
        resourced_provision: bool = False,
        *,
        has_nursery: bool = False,
        has_sixth_form: bool = False,
        measures: dict[str, float | None] | None = None,
    ) -> ReviewContext:
        given = {"resourced_provision": resourced_provision, "has_nursery": has_nursery}
        given["has_sixth_form"] = has_sixth_form
        known = tuple(sorted((k, float(v)) for k, v in (measures or {}).items() if v is not None))
        flags = frozenset(f for f, on in given.items() if on)
        return cls.model_validate({"phase": phase, "flags": flags, "measures": known})  # the phase is checked here

    @property
    def phases(self) -> frozenset[str]:
        """The review's phase, plus early years with nursery classes and post-16 with a sixth form."""
        return frozenset({self.phase} | {p for f, p in PHASE_OF_FLAG.items() if f in self.flags})

    @property
    def all_flags(self) -> frozenset[str]:
        """The school's flags plus "mainstream", which follows from the phase."""
        return self.flags | ({"mainstream"} if self.phase != "special" else frozenset())

    def measure(self, name: str) -> float | None:
        return dict(self.measures).get(name)


def applies(phases: tuple[str, ...], requires: tuple[str, ...], context: ReviewContext) -> bool:
    return (not phases or bool(context.phases & set(phases))) and all(flag in context.all_flags for flag in requires)


def criterion_applies(framework: Framework, criterion: Criterion, context: ReviewContext) -> bool:
    domain = framework.domains_by_id[criterion.domain_id]
    return applies(domain.phases, domain.requires, context) and applies(criterion.phases, criterion.requires, context)


def applicable_criteria(framework: Framework, context: ReviewContext) -> list[Criterion]:
    """The questions a school in this context is asked, in framework order."""
    return [c for c in framework.criteria if criterion_applies(framework, c, context)]
