"""A comparison as the page, the workbook and the CLI show it: the sentences and the plain data.

Only presentation lives here: what the figures say in words and which fields a measure carries at
each level of the small-group rule. Deciding the figures is ``data.comparison``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring.peers import MIN_FULL, MIN_SUMMARY, PeerComparison
from scoring.senco_time import NO_MEDIAN, SurveyFigure

QUARTILE_WORDS = {1: "top quarter", 2: "second quarter", 3: "third quarter", 4: "bottom quarter"}
PROMPT = (
    "Self-review results are each school's own judgement. Read a difference as a question to talk about "
    "(what do they do that we could learn from?), not as a ranking."
)


@dataclass(frozen=True)
class Measure:
    """The school's value for one domain, the overall result or a SENCO time measure, against its peers."""

    id: str
    title: str
    value: float | None
    band: str | None
    peers: PeerComparison
    unit: str = "%"

    def show(self, value: float | None) -> str:
        if value is None:
            return "no result"
        return f"{value:.0f}%" if self.unit == "%" else f"{value:.1f} {self.unit}"

    def sentence(self, noun: str) -> str:
        """The comparison in words, e.g. 'Leadership: 62%, at or above 64% of similar schools; ...'."""
        p = self.peers
        head = f"{self.title}: {self.show(self.value)}"
        if p.level == "hidden" and p.n == 0:
            return f"{head}. Not compared: none of the {noun} has a result."
        if p.level == "hidden":
            return (
                f"{head}. Not compared: only {p.n} of the {noun} {'has' if p.n == 1 else 'have'} a result, and "
                f"figures for fewer than {MIN_SUMMARY} schools could identify them."
            )
        spread = f"peer median {self.show(p.median)} (range {self.show(p.low)} to {self.show(p.high)}, {p.n} schools)"
        if p.level == "summary":
            return f"{head}; {spread}. With fewer than {MIN_FULL} schools only the median and range are shown."
        if p.percentile is None:
            return f"{head}; {spread}."
        where = QUARTILE_WORDS[p.quartile or 4]
        return f"{head}, at or above {p.percentile:.0f}% of {noun} ({where}); {spread}."


@dataclass(frozen=True)
class Peer:
    label: str  # the school's name where the actor may read it, else "School A"...
    urn: str | None  # None when anonymised
    has_result: bool


@dataclass(frozen=True)
class TrendRow:
    cycle: str
    measure_id: str
    title: str
    value: float | None
    peer_median: float | None
    peer_count: int


@dataclass(frozen=True)
class SencoTime:
    source: str  # the title of the framework whose time-hours-* answers were read
    pupils: float | None
    sen_pupils: float | None
    measures: tuple[Measure, ...]
    survey: tuple[SurveyFigure, ...]
    note: str = NO_MEDIAN


@dataclass(frozen=True)
class Comparison:
    urn: str
    school_name: str
    la: str
    phase: str
    framework_id: str
    framework_title: str
    cycle: str
    choice: str  # similar | la | phase | group:<id>
    noun: str  # "similar schools", "primary schools in Lanternshire"...
    description: str
    own_status: str | None  # submitted | draft | None (no self-review in this cycle)
    peers: tuple[Peer, ...]
    overall: Measure
    domains: tuple[Measure, ...]
    trend: tuple[TrendRow, ...]
    senco: SencoTime | None
    names_shown: bool

    @property
    def with_result(self) -> int:
        return sum(p.has_result for p in self.peers)

    def summary(self) -> str:
        """Who the school is compared with and who is left out, in one or two sentences."""
        left_out = len(self.peers) - self.with_result
        text = f"Compared with {self.with_result} of {len(self.peers)} {self.noun}: {self.description}."
        if left_out:
            text += (
                f" {left_out} {'has' if left_out == 1 else 'have'} no submitted self-review of this framework "
                f"in {self.cycle}, so {'it is' if left_out == 1 else 'they are'} left out."
            )
        return text

    def to_json(self) -> dict:
        """Plain data for the CLI and the workbook: anonymised exactly as on screen."""
        return {
            "urn": self.urn,
            "school": self.school_name,
            "la": self.la,
            "phase": self.phase,
            "framework_id": self.framework_id,
            "framework": self.framework_title,
            "cycle": self.cycle,
            "peers": self.choice,
            "peer_set": self.summary(),
            "peer_count": self.with_result,
            "peers_chosen": len(self.peers),
            "names_shown": self.names_shown,
            "own_review": self.own_status,
            "overall": measure_json(self.overall, "domain_id", self.noun),
            "domains": [measure_json(m, "domain_id", self.noun) for m in self.domains],
            "peer_list": [
                {"label": p.label, **({"urn": p.urn} if p.urn else {}), "has_result": p.has_result} for p in self.peers
            ],
            "trend": [
                {"cycle": t.cycle, "domain_id": t.measure_id, "title": t.title, "percent": _r(t.value)}
                | {"peer_median": _r(t.peer_median), "peer_count": t.peer_count}
                for t in self.trend
            ],
            "senco_time": None if self.senco is None else _senco_json(self.senco, self.noun),
            "note": PROMPT,
        }


def measure_json(m: Measure, key: str, noun: str) -> dict:
    """One measure; values the small-group rule withholds are left out and the reason given instead."""
    p = m.peers
    out = {key: m.id, "title": m.title, ("percent" if m.unit == "%" else "value"): _r(m.value)}
    out |= {"band": m.band} if m.band is not None else {}
    out |= {"peer_count": p.n, "sentence": m.sentence(noun)}
    if p.level == "hidden":
        return out | {"suppressed": True, "reason": p.message}
    peer = "peer_percents" if m.unit == "%" else "peer_values"
    out |= {"peer_median": _r(p.median), "peer_low": _r(p.low), "peer_high": _r(p.high)}
    if p.level == "summary":
        return out | {"suppressed": True, "reason": p.message}
    if not p.values:  # anonymised: the quartiles and the school's position, never the peers' own values
        return (
            out
            | {"peer_q1": _r(p.q1), "peer_q3": _r(p.q3), "percentile": _r(p.percentile)}
            | {
                "quartile": p.quartile,
                "suppressed": True,
                "reason": p.message,
            }
        )
    return (
        out
        | {peer: [_r(v) for v in p.values], "percentile": _r(p.percentile), "quartile": p.quartile}
        | {"suppressed": False}
    )


def _senco_json(s: SencoTime, noun: str) -> dict:
    return {
        "source": s.source,
        "pupils": s.pupils,
        "sen_pupils": _r(s.sen_pupils),
        "measures": [measure_json(m, "measure", noun) for m in s.measures],
        "survey_figures": [{"year": f.year, "finding": f.finding, "source": f.source} for f in s.survey],
        "survey_label": "national survey (self-selected sample)",
        "note": s.note,
    }


def _r(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)
