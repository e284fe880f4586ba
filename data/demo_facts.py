"""Demo answers to facts and per-unit questions, consistent with each fictional school's register figures.

A fact (pupils on roll, pupils with an EHC plan) is answered from the register, so that questions
that depend on it (EHC plan duties, hours per 10 pupils on the SEN register) behave as they would
for a real school. A per-unit question's answer is the rate drawn for the school times its measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from framework.models import Criterion

# what each built-in fact is, read from the register (pupils, SEN support %, EHC plan %)
REGISTER_FACTS = {
    "time-roll": "pupils",
    "time-sen-support": "sen_support",
    "time-ehcp": "ehcp",
    "prv-ehcp-count": "ehcp",
    "beh-suspensions": "suspensions",
}
YES_SHARE = {"role-rule-applies": 0.85, "role-three-years-passed": 0.7, "ld-senco-rule-applies": 0.85}
YES_SHARE["ld-senco-three-years"] = 0.7


def register_figures(schools: pd.DataFrame, seed: int) -> dict[str, np.ndarray]:
    """Per school: pupils, pupils on SEN support, with an EHC plan, and suspensions this year (invented)."""
    rng = np.random.default_rng([seed, 16])
    pupils = pd.to_numeric(schools["pupils"]).to_numpy(dtype=float, na_value=np.nan)
    pupils = np.nan_to_num(pupils, nan=200.0)
    support = np.round(pupils * np.nan_to_num(schools["sen_support_pct"].to_numpy(dtype=float)) / 100)
    ehcp = np.round(pupils * np.nan_to_num(schools["ehcp_pct"].to_numpy(dtype=float)) / 100)
    suspensions = rng.poisson(pupils * 0.04)
    return {"pupils": pupils, "sen_support": support, "ehcp": ehcp, "suspensions": suspensions.astype(float)}


def fact_answers(
    criterion: Criterion, figures: dict[str, np.ndarray], shape: tuple, rng: np.random.Generator
) -> np.ndarray:
    """Answers to a fact question, as text, for every (cycle, school)."""
    if criterion.kind == "yes_no":
        yes = rng.random(shape) < YES_SHARE.get(criterion.id, 0.5)
        return np.where(yes, "yes", "no").astype(object)
    name = REGISTER_FACTS.get(criterion.id)
    values = np.broadcast_to(figures[name], shape) if name else np.round(rng.uniform(0, 10, shape) * 2) / 2
    return np.array([_text(v) for v in values.ravel()], dtype=object).reshape(shape)


def per_unit_answers(criterion: Criterion, rates: np.ndarray, figures: dict[str, np.ndarray]) -> np.ndarray:
    """The raw answer (e.g. hours) that gives each drawn rate for the school's own measure."""
    assert criterion.per is not None  # only per-unit criteria are drawn as rates
    measure = np.zeros(rates.shape[-1])
    for part in criterion.per_measure:
        key = REGISTER_FACTS.get(part) or {"school:pupils": "pupils"}.get(part)
        measure = measure + (figures[key] if key else figures["sen_support"] + figures["ehcp"])
    raw = np.round(rates * measure / criterion.per * 2) / 2
    return np.array([_text(v) for v in raw.ravel()], dtype=object).reshape(rates.shape)


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
