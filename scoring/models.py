"""What scoring returns: one review's scores as frozen models, many reviews' scores as tables.

Scores are derived, never edited, so the models are frozen; ``to_spec_json`` is the one place the
output document of docs/scoring.md is shaped (rounding happens there and nowhere else).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from scoring.bands import DUTIES_ONLY

Status = Literal["met", "not_met", "unknown"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OverallScore(_Frozen):
    percent: float | None  # unrounded; None when no domain has a percent
    band: str
    limited: bool


class Completion(_Frozen):
    answered: int
    applicable: int


class DomainScore(_Frozen):
    domain_id: str
    title: str
    percent: float | None
    band: str
    limited: bool
    answered: int
    applicable: int
    limited_by: list[str] = []  # statutory criteria of this domain answered "no"
    duties: int = 0  # statutory criteria of this domain that apply
    duties_met: int = 0  # ... answered "yes"

    @property
    def duties_only(self) -> bool:
        """Only statutory items apply under compliance_gate: the domain shows its compliance, not a level."""
        return self.band == DUTIES_ONLY

    @property
    def duties_words(self) -> str:
        """E.g. "4 of 4 duties met"."""
        return f"{self.duties_met} of {self.duties} {'duty' if self.duties == 1 else 'duties'} met"

    @property
    def band_words(self) -> str:
        """The band, or for a domain of duties alone its compliance: "Duties only: 4 of 4 duties met"."""
        return f"{DUTIES_ONLY}: {self.duties_words}" if self.duties_only else self.band


class ComplianceItem(_Frozen):
    criterion_id: str
    text: str
    domain_id: str
    status: Status


class ReviewScore(_Frozen):
    framework_id: str
    framework_version: str
    school_urn: str | None
    phase: str
    overall: OverallScore
    completion: Completion
    domains: list[DomainScore]
    compliance: list[ComplianceItem]
    compliance_gate: bool = False  # the framework's setting: duties gate the bands and are not in the percents

    def to_spec_json(self) -> dict:
        """The document the headless ``score`` command prints, keys in the order of the spec."""
        return {
            "framework_id": self.framework_id,
            "framework_version": self.framework_version,
            "school_urn": self.school_urn,
            "phase": self.phase,
            "overall": {
                "percent": _one_place(self.overall.percent),
                "band": self.overall.band,
                "limited": self.overall.limited,
            },
            "completion": {"answered": self.completion.answered, "applicable": self.completion.applicable},
            "domains": [
                {
                    "domain_id": d.domain_id,
                    "title": d.title,
                    "percent": _one_place(d.percent),
                    "band": d.band,
                    "limited": d.limited,
                    "answered": d.answered,
                    "applicable": d.applicable,
                }
                | ({"duties": d.duties, "duties_met": d.duties_met} if self.compliance_gate else {})
                for d in self.domains
            ],
            "compliance": [{"criterion_id": c.criterion_id, "status": c.status} for c in self.compliance],
        }


def _one_place(percent: float | None) -> float | None:
    return None if percent is None else round(percent, 1)


@dataclass(frozen=True)
class ScoreTables:
    """Scores of many reviews, long format, one row per review (overall), review x domain, review x item.

    overall: review_id, percent, band, limited, answered, applicable
    domains: review_id, domain_id, percent, band, limited, answered, applicable, duties, duties_met
    (domains left out are absent)
    compliance: review_id, criterion_id, status
    """

    overall: pd.DataFrame
    domains: pd.DataFrame
    compliance: pd.DataFrame
