"""A framework laid out as arrays, so scoring can look criteria up by position instead of looping.

Built once per framework (frameworks are frozen and hashable) and shared by every scoring call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from framework.models import PHASES, Criterion, Framework, ReviewContext, criterion_applies


@dataclass(frozen=True, eq=False)
class FrameworkLayout:
    """Per-criterion and per-domain arrays in framework order; criteria are indexed by position."""

    framework: Framework
    criterion_ids: pd.Index
    criteria: tuple[Criterion, ...]
    domain_of: np.ndarray  # criterion -> domain position
    scored: np.ndarray
    counted: np.ndarray  # scored and adding to the domain percent: not a statutory item under compliance_gate
    statutory: np.ndarray
    weight: np.ndarray
    domain_ids: tuple[str, ...]
    domain_weight: np.ndarray
    flags: tuple[str, ...]  # school flags the framework asks about, in a fixed order
    measures: tuple[str, ...]  # school measures some criterion is banded per unit of
    _applicability: dict[tuple[str, frozenset[str]], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def positions(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.criteria)}

    @property
    def n_criteria(self) -> int:
        return len(self.criteria)

    @property
    def n_domains(self) -> int:
        return len(self.domain_ids)

    @cached_property
    def membership(self) -> np.ndarray:
        """The (criterion x domain) 0/1 matrix: a product with it sums a (review x criterion) grid per domain."""
        matrix = np.zeros((self.n_criteria, self.n_domains))
        matrix[np.arange(self.n_criteria), self.domain_of] = 1.0
        matrix.setflags(write=False)
        return matrix

    def applicable(self, phase: str, flags: frozenset[str]) -> np.ndarray:
        """Which criteria apply to a school of this phase with these flags (all False for an unknown phase)."""
        key = (phase, flags & frozenset(self.flags))
        found = self._applicability.get(key)
        if found is None:
            if phase in PHASES:
                context = ReviewContext.model_validate({"phase": phase, "flags": key[1]})
                found = np.array([criterion_applies(self.framework, c, context) for c in self.criteria], dtype=bool)
            else:
                found = np.zeros(self.n_criteria, dtype=bool)
            found.setflags(write=False)
            self._applicability[key] = found
        return found


@lru_cache(maxsize=16)
def layout_of(framework: Framework) -> FrameworkLayout:
    criteria = tuple(framework.criteria)
    domain_pos = {d.id: i for i, d in enumerate(framework.domains)}
    return FrameworkLayout(
        framework=framework,
        criterion_ids=pd.Index([c.id for c in criteria], dtype=object),
        criteria=criteria,
        domain_of=np.array([domain_pos[c.domain_id] for c in criteria], dtype=np.int64),
        scored=np.array([c.scored for c in criteria], dtype=bool),
        counted=np.array([c.scored and not (c.statutory and framework.compliance_gate) for c in criteria], dtype=bool),
        statutory=np.array([c.statutory for c in criteria], dtype=bool),
        weight=np.array([c.weight for c in criteria], dtype=np.float64),
        domain_ids=tuple(d.id for d in framework.domains),
        domain_weight=np.array([d.weight for d in framework.domains], dtype=np.float64),
        flags=framework.flags_used,
        measures=framework.school_measures_used,
    )
