"""What an anonymised comparison may disclose: rounded statistics, never the peers' own values.

A user who may not name a comparison's peers (a school's own staff, say) gets only figures that
survive differencing: the median, the quartiles and the range, rounded, and the school's own
position. The sorted list of peer values is withheld, because two lists for peer sets that differ by
one school give that school's values exactly, and per-pupil ratios joined with the public register's
pupil numbers name the school. ``differencing_risk`` finds the other peer sets a comparison must not
be set beside. The rule in words is docs/comparison-privacy.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from scoring.peers import PeerComparison

MIN_DIFFERENCE = 5  # two choosable peer sets must differ by at least this many schools with results
# How finely anonymised figures are shown, by unit: whole percentage points, half hours, whole minutes.
STEPS: dict[str, float] = {"%": 1.0, "h": 0.5, "min": 1.0}


def round_to(value: float | None, step: float) -> float | None:
    """``value`` to the nearest multiple of ``step`` (half away from zero), None stays None."""
    if value is None or np.isnan(value):
        return None
    return float(np.sign(value) * np.floor(abs(value) / step + 0.5) * step)


def words(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def anonymised(p: PeerComparison, unit: str, values: tuple[float, ...] = ()) -> PeerComparison:
    """``p`` as a user who may not name the peers sees it: rounded statistics, no list of values.

    ``values`` are the peers' values (sorted), for the quartiles; they are not kept.
    """
    if p.level == "hidden":
        return p
    step = STEPS.get(unit, 1.0)
    median, low, high = (round_to(v, step) for v in (p.median, p.low, p.high))
    q1 = q3 = None
    if p.level == "full" and len(values) >= 4:
        q1, q3 = (round_to(float(np.percentile(values, q)), step) for q in (25, 75))
    spread = f"median {words(median)}, range {words(low)} to {words(high)}"
    if q1 is not None:
        spread += f", middle half {words(q1)} to {words(q3)}"
    percentile = None if p.percentile is None else float(round(p.percentile))
    message = f"{p.n} peer schools: {spread} (rounded). Individual schools' values are not shown."
    return replace(
        p, median=median, low=low, high=high, q1=q1, q3=q3, percentile=percentile, values=(), message=message
    )


def differencing_risk(chosen: frozenset[str], others: Mapping[str, frozenset[str]]) -> list[tuple[str, int]]:
    """The other choosable sets (by name) whose schools with results differ from ``chosen``'s by 1 to 4:
    setting the two comparisons side by side would give those few schools' figures away."""
    risky = []
    for name, other in others.items():
        difference = len(chosen ^ other)
        if 0 < difference < MIN_DIFFERENCE:
            risky.append((name, difference))
    return risky
