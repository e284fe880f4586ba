"""Nursery classes and sixth forms for the fictional demo schools, as the register would give them.

Drawn from a random stream of their own, so adding them changes none of the other demo figures.
Shares are rough, for a believable demo only: many primaries have nursery classes, most
secondaries and all-through schools a sixth form; special schools often cover both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NURSERY_SHARE = {"primary": 0.45, "all_through": 0.5, "special": 0.3}
SIXTH_FORM_SHARE = {"secondary": 0.6, "all_through": 0.8, "special": 0.5}


def with_characteristics(schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``schools`` with has_nursery and has_sixth_form columns."""
    rng = np.random.default_rng([seed, 15])
    draw = rng.random((len(schools), 2))
    phase = schools["phase"]
    nursery = draw[:, 0] < phase.map(NURSERY_SHARE).fillna(0.0).to_numpy()
    sixth_form = draw[:, 1] < phase.map(SIXTH_FORM_SHARE).fillna(0.0).to_numpy()
    return schools.assign(has_nursery=nursery, has_sixth_form=sixth_form)
