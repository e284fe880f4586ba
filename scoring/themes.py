"""Themes across an authority: how its schools answered each criterion, which answers sit at the bottom
most often, how domains changed between cycles, and how far each school has got.

Pure functions over plain tables, so the counts can be checked by hand. Every figure counts every
school of the LA, named or not (a school that does not share with its LA is counted, never named);
a group of fewer than ``MIN_GROUP`` schools shows no distribution, share or median, as in the
comparison (see ``scoring.peers.MIN_SUMMARY``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from framework.models import Criterion, Framework
from framework.responses import read_response
from scoring.peers import MIN_SUMMARY

MIN_GROUP = MIN_SUMMARY
ALL = "all"
STAGES = ("not_started", "in_progress", "submitted", "peer_reviewed")
STAGE_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "peer_reviewed": "Peer reviewed",
}
ANSWER_COLUMNS = ["urn", "group", "criterion_id", "category", "lowest"]


def categorise(framework: Framework, criterion: Criterion, raw: object) -> tuple[str, bool] | None:
    """An answer's category in words (a level, Yes/No, a number's band) and whether it is the lowest one.

    None for blank, N/A, free text and unreadable answers: they are in no distribution.
    """
    if criterion.kind == "text":
        return None
    reading = read_response(framework, criterion, raw)
    if reading.points is None:
        return None
    if criterion.kind == "yes_no":
        return reading.value.capitalize(), reading.value == "no"
    if criterion.kind == "rating":
        return reading.value, reading.points == framework.scale_of(criterion).min_points
    if criterion.per is not None or not criterion.bands:
        return None  # a fact, or judged per unit of the school's own measure: the raw number is no category
    band = criterion.band_for(float(reading.value))
    assert band is not None  # the answer has points, so it lies in a band
    lowest = min(b.points for b in criterion.bands)
    return band_words(band.low, band.high, criterion.unit), band.points == lowest


def band_words(low: float | None, high: float | None, unit: str = "") -> str:
    """A number band in words: "under 2 hours", "2 to 5 hours", "10 hours or more"."""
    u = f" {unit}" if unit else ""
    if low is None and high is None:
        return f"any{u}"
    if low is None:
        return f"under {high:g}{u}"
    if high is None:
        return f"{low:g}{u} or more"
    return f"{low:g} to under {high:g}{u}"


@dataclass(frozen=True)
class Distribution:
    """How many schools gave each answer (or reached each band); empty when the group is too small."""

    key: str  # criterion or domain id
    title: str
    domain_id: str
    n: int
    counts: tuple[tuple[str, int], ...]  # (category, schools), in scale order
    suppressed: bool

    def to_json(self) -> dict:
        out = {"id": self.key, "title": self.title, "domain_id": self.domain_id, "schools": self.n}
        if self.suppressed:
            return out | {"suppressed": True, "reason": f"fewer than {MIN_GROUP} schools answered"}
        return out | {"suppressed": False, "counts": {c: k for c, k in self.counts}}


def criterion_distributions(answers: pd.DataFrame, framework: Framework) -> list[Distribution]:
    """Per criterion (framework order): schools per answer category; ``answers`` as ``ANSWER_COLUMNS``."""
    counted = answers.groupby(["criterion_id", "category"], sort=False)["urn"].nunique()
    schools = answers.groupby("criterion_id")["urn"].nunique()
    by_criterion: dict[str, dict[str, int]] = {}
    for (cid, category), k in counted.items():
        by_criterion.setdefault(cid, {})[category] = k
    out = []
    for c in framework.criteria:
        if c.id not in schools.index:
            continue
        n = int(schools[c.id])
        order = _category_order(framework, c)
        found = by_criterion.get(c.id, {})
        counts = tuple((k, int(found.get(k, 0))) for k in order + [k for k in found if k not in order])
        out.append(Distribution(c.id, c.text, c.domain_id, n, counts if n >= MIN_GROUP else (), n < MIN_GROUP))
    return out


def domain_distributions(bands: pd.DataFrame, framework: Framework, labels: Sequence[str]) -> list[Distribution]:
    """Per domain: schools per band; ``bands`` has urn, domain_id, band (a label, or "Insufficient evidence")."""
    out = []
    for d in framework.domains:
        rows = bands[bands["domain_id"] == d.id]
        n = int(rows["urn"].nunique())
        if not n:
            continue
        found = rows["band"].value_counts().to_dict()
        counts = tuple((k, int(found.get(k, 0))) for k in [*labels, *(k for k in found if k not in labels)])
        out.append(Distribution(d.id, d.title, d.id, n, counts if n >= MIN_GROUP else (), n < MIN_GROUP))
    return out


@dataclass(frozen=True)
class Theme:
    """A criterion that many schools of a group answered at its lowest level, e.g. for training plans."""

    group: str  # "primary", "secondary"... or "all"
    criterion_id: str
    text: str
    answer: str  # the lowest answer's words, e.g. "No", "Emerging", "under 1 day"
    schools: int  # how many answered it at the lowest level
    n: int  # how many answered it at all
    previous_share: float | None  # the same share in the previous cycle (None: no comparable group)

    @property
    def share(self) -> float:
        return 100.0 * self.schools / self.n

    def sentence(self) -> str:
        noun = "schools" if self.group == ALL else f"{self.group} schools"
        text = (
            f"{self.share:.0f}% of {noun} ({self.schools} of {self.n}) answer “{self.answer}” to "
            f"“{self.text.rstrip('.')}”"
        )
        if self.previous_share is None:
            return text + "."
        return text + f" (previous cycle {self.previous_share:.0f}%)."

    def to_json(self) -> dict:
        previous = None if self.previous_share is None else round(self.previous_share, 1)
        return {
            "group": self.group,
            "criterion_id": self.criterion_id,
            "answer": self.answer,
            "schools": self.schools,
            "answered": self.n,
            "percent": round(self.share, 1),
            "previous_percent": previous,
            "sentence": self.sentence(),
        }


def lowest_answers(
    answers: pd.DataFrame, previous: pd.DataFrame, framework: Framework, *, top: int = 15
) -> list[Theme]:
    """Criteria most often answered at the lowest level or "No", per phase group and across all schools.

    Groups where fewer than ``MIN_GROUP`` schools answered are left out; ties go to more schools.
    """
    table = _lowest_shares(answers)
    before = _lowest_shares(previous)
    table = table[(table["low"] > 0) & (table["n"] >= MIN_GROUP)]
    kept = before[before["n"] >= MIN_GROUP]
    table = table.join(kept[["n", "low"]].rename(columns={"n": "n_before", "low": "low_before"}))
    texts = {c.id: c.text for c in framework.criteria}
    found = [
        Theme(g, cid, texts[cid], answer, int(low), int(n), None if pd.isna(nb) else 100.0 * lb / nb)
        for (g, cid), n, low, answer, nb, lb in zip(
            table.index, table["n"], table["low"], table["answer"], table["n_before"], table["low_before"], strict=True
        )
        if cid in texts
    ]
    found.sort(key=lambda t: (-t.share, -t.schools, t.group != ALL, t.criterion_id))
    return found[:top]


def _lowest_shares(answers: pd.DataFrame) -> pd.DataFrame:
    """(group, criterion) -> n answering, low answering at the lowest level, and that answer's words.

    Every school counts in its phase group and in ``ALL``. Worked on integer codes (a school, a group
    and a criterion each numbered once): tens of thousands of answers per cycle, no string grouping.
    """
    if answers.empty:
        return pd.DataFrame(
            {"n": [], "low": [], "answer": []}, index=pd.MultiIndex.from_tuples([], names=["group", "criterion_id"])
        )
    group, group_names = pd.factorize(answers["group"].to_numpy(dtype=object))
    group_names = list(group_names)
    if ALL not in group_names:
        group_names.append(ALL)
    criterion, criterion_names = pd.factorize(answers["criterion_id"].to_numpy(dtype=object))
    school, schools = pd.factorize(answers["urn"].to_numpy(dtype=object))
    n_crit, n_schools = len(criterion_names), max(len(schools), 1)
    key = np.concatenate([group, np.full(len(group), group_names.index(ALL))]) * n_crit + np.tile(criterion, 2)
    who = np.tile(school, 2)
    lowest = np.tile(answers["lowest"].to_numpy(dtype=bool), 2)
    words = np.tile(answers["category"].to_numpy(dtype=object), 2)

    space = len(group_names) * n_crit

    def schools_per_key(rows: np.ndarray | slice) -> np.ndarray:
        pairs, _ = distinct(key[rows] * n_schools + who[rows], space * n_schools)
        return np.bincount(pairs // n_schools, minlength=space)

    keys, _ = distinct(key, space)
    low_rows = np.flatnonzero(lowest)
    first = np.full(space, len(words))  # the first lowest answer of each key, in row order
    np.minimum.at(first, key[low_rows], low_rows)
    answer = np.append(words, "")[first[keys]]
    table = pd.DataFrame(
        {
            "group": np.asarray(group_names, dtype=object)[keys // n_crit],
            "criterion_id": np.asarray(criterion_names, dtype=object)[keys % n_crit],
            "n": schools_per_key(slice(None))[keys],
            "low": schools_per_key(lowest)[keys],
            "answer": answer,
        }
    )
    return table.sort_values(["group", "criterion_id"]).set_index(["group", "criterion_id"])


def distinct(keys: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of integer keys in 0..space-1, sorted, and each key's position among them.

    A count per possible key while they are few (numpy's own unique hashes or sorts, several times
    slower on the hundred thousand answers of an LA); sorted when the space is large.
    """
    if space > 4 * len(keys) + 1024:
        return np.unique(keys, return_inverse=True)
    present = np.bincount(keys, minlength=space) > 0
    return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]


def _category_order(framework: Framework, c: Criterion) -> list[str]:
    if c.kind == "yes_no":
        return ["Yes", "No"]
    if c.kind == "rating":
        return [lv.label for lv in reversed(framework.scale_of(c).levels)]
    return [band_words(b.low, b.high, c.unit) for b in sorted(c.bands, key=lambda b: -b.points)]


# --- change between cycles ------------------------------------------------------------------------

CHANGE_WORDS = ("improved", "same", "declined")


def band_change(now: int | None, before: int | None) -> str | None:
    """improved / same / declined from two band positions; None when either has no band."""
    if now is None or before is None:
        return None
    return "improved" if now > before else "declined" if now < before else "same"


def change_counts(changes: Iterable[tuple[str, str | None]]) -> dict[str, dict[str, int]]:
    """Per domain: how many schools improved, stayed the same or declined (schools without both bands left out)."""
    out: dict[str, dict[str, int]] = {}
    for domain_id, change in changes:
        if change is not None:
            out.setdefault(domain_id, dict.fromkeys(CHANGE_WORDS, 0))[change] += 1
    return out


def medians(percents: pd.DataFrame) -> pd.DataFrame:
    """The LA's median per cycle and domain from cycle, domain_id, percent; withheld below ``MIN_GROUP`` schools."""
    grouped = percents.dropna(subset=["percent"]).groupby(["cycle", "domain_id"])["percent"]
    table = pd.DataFrame({"median": grouped.median(), "schools": grouped.size()}).reset_index()
    table["median"] = np.where(table["schools"] >= MIN_GROUP, table["median"], np.nan)
    return table


# --- completion ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One school's place in the cycle: its stage, how far a review in progress has got, and whether it shares."""

    stage: str  # one of STAGES
    answered: int = 0
    applicable: int = 0
    shared: bool = False

    @property
    def percent_done(self) -> float | None:
        return 100.0 * self.answered / self.applicable if self.applicable else None

    def words(self) -> str:
        if self.stage == "in_progress" and self.applicable:
            return f"In progress ({self.answered} of {self.applicable} answered, {self.percent_done:.0f}%)"
        return STAGE_WORDS[self.stage]


def completion(schools: Iterable[Progress]) -> dict[str, int]:
    """Counts per stage, of schools sharing with the LA, and in all."""
    rows = list(schools)
    out = {stage: sum(p.stage == stage for p in rows) for stage in STAGES}
    return out | {"shared": sum(p.shared for p in rows), "schools": len(rows)}
