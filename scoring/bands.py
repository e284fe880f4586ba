"""From a percent to a band label of the default scale, with the statutory cap applied.

The rule (docs/scoring.md): the level whose points are nearest to min + percent/100 x (max - min),
an exact tie going to the higher level; a limited result is capped at the framework's cap level.
"""

from __future__ import annotations

import numpy as np

from framework.models import Framework

INSUFFICIENT = "Insufficient evidence"
DUTIES_ONLY = "Duties only"  # a domain of statutory items alone under compliance_gate: compliance, no level
TIE_TOLERANCE = 1e-9  # in points per unit of scale range: floating error must not break an exact tie


def band_names(framework: Framework) -> list[str]:
    """The labels ``band_indices`` points into: the default scale's levels, then "Insufficient evidence"."""
    return [lv.label for lv in framework.default_scale.levels] + [INSUFFICIENT]


def band_indices(framework: Framework, percent: np.ndarray, limited: np.ndarray) -> np.ndarray:
    """Index into ``band_names`` for each percent (NaN: "Insufficient evidence"); ``limited`` ones are capped."""
    scale = framework.default_scale
    points = np.array([lv.points for lv in scale.levels], dtype=np.float64)
    low, high = points[0], points[-1]
    cap = next(i for i, lv in enumerate(scale.levels) if lv.points == framework.cap_level.points)

    percent = np.asarray(percent, dtype=np.float64)
    missing = np.isnan(percent)
    target = low + np.where(missing, 0.0, percent) / 100.0 * (high - low)
    # nearest level = how many midpoints between neighbouring levels lie at or below the target;
    # "at" (within the tolerance) counts, so an exact tie goes to the higher level
    midpoints = (points[:-1] + points[1:]) / 2.0
    index = np.searchsorted(midpoints, target + TIE_TOLERANCE * (high - low), side="right")
    index = np.where(np.asarray(limited, dtype=bool), np.minimum(index, cap), index)
    return np.where(missing, len(points), index)


def band_label(framework: Framework, percent: float | None, limited: bool) -> str:
    """One band label.

    >>> band_label(fw, 60.0, limited=True)  # doctest: +SKIP
    'Emerging'
    """
    value = np.nan if percent is None else float(percent)
    return band_names(framework)[int(band_indices(framework, np.array([value]), np.array([limited]))[0])]
