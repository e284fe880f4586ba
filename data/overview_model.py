"""What the LA overview holds, and its plain-data forms for the CLI (``to_json``) and downloads (``document``).

Built only by ``data.overview.la_overview``, which has applied the access policy before anything lands here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from scoring import themes
from scoring.flags import Flag


@dataclass(frozen=True)
class Cell:
    domain_id: str
    percent: float | None
    band: str
    limited: bool

    def to_json(self) -> dict:
        pct = None if self.percent is None else round(self.percent, 1)  # as cli.py score gives it
        return {"domain_id": self.domain_id, "percent": pct, "band": self.band, "limited": self.limited}


@dataclass(frozen=True)
class SchoolRow:
    """A school the actor may name: its register facts, stage in the cycle, results, flags and change."""

    urn: str
    name: str
    phase: str
    type: str
    resourced_provision: bool
    groups: tuple[str, ...]
    progress: themes.Progress
    review_id: int | None  # the submitted self-review shown, for a link to its results
    cells: tuple[Cell, ...]
    flags: tuple[Flag, ...]
    change: dict[str, str | None]  # domain -> improved / same / declined
    last_submitted: date | None = None  # the newest submitted self-review, of any framework

    def to_json(self) -> dict:
        return {
            "urn": self.urn,
            "name": self.name,
            "phase": self.phase,
            "status": self.progress.stage,
            "domains": [c.to_json() for c in self.cells],
            "flags": [f.to_json() for f in self.flags],
        }


@dataclass(frozen=True)
class Overview:
    framework_id: str
    framework_title: str
    cycle: str
    previous_cycle: str | None
    cycles: tuple[str, ...]
    bands: tuple[str, ...]
    domains: tuple[tuple[str, str], ...]  # (id, title) in framework order
    schools: tuple[SchoolRow, ...]
    not_named: int  # schools counted but not shown: they do not share with their LA
    completion: dict[str, int]
    domain_distributions: tuple[themes.Distribution, ...]
    criterion_distributions: tuple[themes.Distribution, ...]
    themes: tuple[themes.Theme, ...]
    change_counts: dict[str, dict[str, int]]
    medians: pd.DataFrame  # cycle, domain_id, median, schools

    def to_json(self) -> dict:
        """The CLI's document: framework_id, cycle, schools, themes, completion (and what they rest on)."""
        medians = [
            {"cycle": r.cycle, "domain_id": r.domain_id, "median": None if pd.isna(r.median) else round(r.median, 1)}
            | {"schools": int(r.schools)}
            for r in self.medians.itertuples(index=False)
        ]
        return {
            "framework_id": self.framework_id,
            "cycle": self.cycle,
            "schools": [s.to_json() for s in self.schools],
            "themes": {
                "lowest_answers": [t.to_json() for t in self.themes],
                "domains": [d.to_json() for d in self.domain_distributions],
                "criteria": [d.to_json() for d in self.criterion_distributions],
                "change": self.change_counts,
                "medians": medians,
                "previous_cycle": self.previous_cycle,
            },
            "completion": self.completion | {"not_named": self.not_named},
        }

    def document(self) -> dict:
        """``to_json`` with what a download also shows: titles, stages in words, groups, dates, change."""
        doc = self.to_json()
        doc |= {"framework": self.framework_title, "bands": list(self.bands), "domain_titles": dict(self.domains)}
        for out, s in zip(doc["schools"], self.schools, strict=True):
            out |= {"type": s.type, "resourced_provision": s.resourced_provision, "groups": list(s.groups)}
            out |= {"progress": s.progress.words(), "answered": s.progress.answered}
            out |= {"applicable": s.progress.applicable}
            out |= {"last_submitted": s.last_submitted, "change": s.change}
        return doc
