"""SENCO time in three measures, and the published survey figures to read it beside.

Hours a week alone favour big schools, so the time is also shown per 100 pupils on roll and per
pupil on the SEN register (pupils x (SEN support % + EHC plan %) / 100). The survey figures come
from self-selected samples of SENCOs (National SENCO Workload Survey 2018; National SENCO
Workforce Survey 2020): they are reference
points to discuss, never targets, and no survey has published a median of hours per week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PREFIX = "time-hours-"  # the SENCO role audit's number criteria for protected hours a week
MEASURES: dict[str, str] = {
    "hours": "Protected SENCO hours a week",
    "per_100_pupils": "Hours a week per 100 pupils on roll",
    "per_sen_pupil": "Minutes a week per pupil on the SEN register",
}
SURVEY_LABEL = "national survey (self-selected sample)"
NO_MEDIAN = (
    "No national survey has published a median (or any average) number of SENCO hours a week, "
    "so the school's hours are compared only with its peers here."
)


@dataclass(frozen=True)
class SurveyFigure:
    """One published finding, with where it comes from; ``phase`` is primary, secondary or all."""

    year: int
    phase: str
    finding: str
    source: str


SURVEY_FIGURES: tuple[SurveyFigure, ...] = (
    SurveyFigure(
        2020,
        "primary",
        "55% of primary SENCOs said they did not have enough time for the role; 75% were routinely pulled "
        "away to other duties. Allocated SENCO time rose by 18 minutes a week between 2018 and 2020.",
        "National SENCO Workforce Survey 2020, nasen and Bath Spa University (published June 2021)",
    ),
    SurveyFigure(
        2020,
        "secondary",
        "70% of secondary SENCOs said they did not have enough time for the role; 79% were routinely pulled "
        "away to other duties. Allocated SENCO time rose by 54 minutes a week between 2018 and 2020.",
        "National SENCO Workforce Survey 2020, nasen and Bath Spa University (published June 2021)",
    ),
    SurveyFigure(
        2018,
        "primary",
        "43% of primary SENCOs worked more than 9 extra hours a week on SENCO duties.",
        "National SENCO Workload Survey 2018, Bath Spa University, nasen and NEU (more than 1,900 responses)",
    ),
    SurveyFigure(
        2018,
        "secondary",
        "71% of secondary SENCOs worked more than 9 extra hours a week on SENCO duties.",
        "National SENCO Workload Survey 2018, Bath Spa University, nasen and NEU (more than 1,900 responses)",
    ),
    SurveyFigure(
        2018,
        "all",
        "70% of SENCOs said they did not have enough time for the role; 26% thought the role manageable "
        "for one person; 95% thought SENCO time should be legally protected.",
        "National SENCO Workload Survey 2018, Bath Spa University, nasen and NEU (more than 1,900 responses)",
    ),
)
_SURVEY_PHASE = {"early_years": "primary", "primary": "primary", "secondary": "secondary"}
_SURVEY_PHASE |= {"all_through": "secondary", "post_16": "secondary"}


def survey_figures(phase: str) -> list[SurveyFigure]:
    """The findings for the school's phase (primary or secondary), then those for all phases; newest first."""
    group = _SURVEY_PHASE.get(phase)
    chosen = [f for f in SURVEY_FIGURES if f.phase in (group, "all")]
    return sorted(chosen, key=lambda f: (-f.year, f.phase == "all"))


def senco_measures(schools: pd.DataFrame) -> pd.DataFrame:
    """Per school: hours, hours per 100 pupils and minutes per pupil on the SEN register.

    ``schools`` has hours, pupils, sen_support_pct and ehcp_pct (NaN where unknown); the result keeps its
    index and adds sen_pupils. A measure is NaN when what it divides by is unknown or zero.
    >>> senco_measures(pd.DataFrame({"hours": [8.0], "pupils": [200], "sen_support_pct": [12.0],
    ...                              "ehcp_pct": [3.0]})).iloc[0].tolist()
    [8.0, 4.0, 16.0, 30.0]
    """
    hours = pd.to_numeric(schools["hours"], errors="coerce").astype(float)
    pupils = pd.to_numeric(schools["pupils"], errors="coerce").astype(float)
    share = pd.to_numeric(schools["sen_support_pct"], errors="coerce").astype(float)
    share = share + pd.to_numeric(schools["ehcp_pct"], errors="coerce").astype(float)
    sen_pupils = pupils * share / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        per_100 = hours * 100 / pupils.where(pupils > 0)
        per_sen_pupil = hours * 60 / sen_pupils.where(sen_pupils > 0)
    return pd.DataFrame(
        {"hours": hours, "per_100_pupils": per_100, "per_sen_pupil": per_sen_pupil, "sen_pupils": sen_pupils},
        index=schools.index,
    )
