"""What each answer contributes to its domain, and from that the strengths and priorities of a review.

A shortfall is how much of its domain's percent (as a fraction of 100) an answer costs compared with
the top level, so priorities point at the answers whose improvement would lift the domain most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from framework.models import Framework, ReviewContext
from scoring.batch import one_review, read_batch

# An answer is a strength only in the upper half of its scale (Established or Embedded of four levels,
# Yes of Yes/No); anything lower is room to improve. So no answer is both a strength and a priority.
STRENGTH_ABOVE = 0.5
COLUMNS = ["domain_id", "criterion_id", "text", "weight", "statutory", "points", "q", "answered", "shortfall"]


def criterion_contributions(framework: Framework, responses: pd.DataFrame, context: ReviewContext) -> pd.DataFrame:
    """One row per applicable scored criterion (framework order), N/A ones left out.

    shortfall = weight x (1 - q) / (sum of answered weights in the domain); NaN when unanswered. Under
    compliance_gate a statutory item adds nothing to the percent, so its shortfall is 0; an unmet one is
    still the first priority.
    """
    rows, reviews = one_review(framework, responses, context)
    batch = read_batch(framework, rows, reviews)
    layout, r = batch.layout, batch.readings
    answer = r.answer[0]
    points, q, not_applicable = r.points[answer], r.q[answer], r.not_applicable[answer]

    keep = np.flatnonzero(r.applies[0] & layout.scored & ~not_applicable)
    answered = ~np.isnan(q[keep])
    domain = layout.domain_of[keep]
    counts = answered & layout.counted[keep]
    answered_weight = np.bincount(domain[counts], weights=layout.weight[keep][counts], minlength=layout.n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        shortfall = np.where(layout.counted[keep], layout.weight[keep] * (1.0 - q[keep]) / answered_weight[domain], 0.0)
    return pd.DataFrame(
        {
            "domain_id": np.array(layout.domain_ids, dtype=object)[domain],
            "criterion_id": np.array(layout.criterion_ids, dtype=object)[keep],
            "text": np.array([layout.criteria[i].text for i in keep], dtype=object),
            "weight": layout.weight[keep],
            "statutory": layout.statutory[keep],
            "points": points[keep],
            "q": q[keep],
            "answered": answered,
            "shortfall": np.where(answered, shortfall, np.nan),
        },
        columns=COLUMNS,
    )


def strengths(contributions: pd.DataFrame, limit: int = 5) -> pd.DataFrame:
    """Answers in the upper half of their scale, highest q first, then heaviest weight, then framework order."""
    found = contributions[contributions["answered"] & (contributions["q"] > STRENGTH_ABOVE)]
    return _ranked(found, [("q", False), ("weight", False)]).head(limit)


def priorities(contributions: pd.DataFrame, limit: int = 5) -> pd.DataFrame:
    """Answers in the lower half of their scale: unmet statutory items first, then the largest shortfall."""
    lower = contributions["q"] <= STRENGTH_ABOVE
    unmet = contributions["statutory"] & (contributions["q"] == 0)
    found = contributions[contributions["answered"] & ((contributions["shortfall"] > 0) | unmet) & lower]
    found = found.assign(_unmet=found["statutory"] & (found["q"] == 0))
    return _ranked(found, [("_unmet", False), ("shortfall", False)]).drop(columns="_unmet").head(limit)


def unanswered(contributions: pd.DataFrame) -> pd.DataFrame:
    """Applicable scored criteria with no answer yet, in framework order: listed apart from priorities."""
    return contributions[~contributions["answered"]]


def _ranked(table: pd.DataFrame, keys: list[tuple[str, bool]]) -> pd.DataFrame:
    """Sort stably so equal keys keep framework order."""
    return table.sort_values([k for k, _ in keys], ascending=[a for _, a in keys], kind="stable")
