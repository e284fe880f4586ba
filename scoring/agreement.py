"""Rater agreement in a peer review visit: which ratings count, where each sits on the scale, and
how far the raters agree (docs/agreement.md is the contract in words).

Every answer is read by the scoring engine's own reader (``read_batch``), so agreement and scores
never disagree about what an answer means; it is then placed on the default scale's k levels as
``round-half-up(q x (k - 1))``. Text, N/A, blank and not-applicable criteria are missing.

Pairwise statistics are matrix products over a (pair x criterion) grid for any number of visits at
once. Quadratically weighted kappa needs only five sums per pair and scope, because with weights
(i - j)^2 the expected disagreement is E[X^2] - 2 E[X] E[Y] + E[Y^2]: that is exactly what
``sklearn.metrics.cohen_kappa_score(weights="quadratic", labels=0..k-1)`` computes (the tests hold
the two equal), without its per-call cost, which would take ~16 s for 1,000 visits. Krippendorff's
alpha (ordinal, missing allowed) is the ``krippendorff`` package's arithmetic done for every visit and
scope at once (one call per scope would take ~2.5 s for 1,000 visits); the tests hold it equal to the
package. Both libraries are pinned in requirements-dev.txt as the reference the tests compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from framework.models import Framework
from scoring.batch import read_batch

TEAM_ROLES = ("peer", "la")
TOLERANCE = 1e-12

KAPPA_TOO_FEW = "fewer than two criteria were rated by both"
KAPPA_NO_SPREAD = "both gave every criterion they both rated the same level, so chance agreement is total"
SHARE_NONE = "no criterion was rated by both"
ALPHA_TOO_FEW = "fewer than two criteria were rated by two or more raters"
ALPHA_ONE_VALUE = "every rating given was the same level, so there is no variation to agree about"


@dataclass(frozen=True)
class PairAgreement:
    """Two raters over the criteria both rated; a None statistic carries its reason in words."""

    a: str
    b: str
    n: int
    n_exact: int
    n_within_one: int
    kappa: float | None
    kappa_reason: str = ""
    mean_difference: float | None = None  # a minus b, in levels: a steady leniency shows here

    @property
    def exact(self) -> float | None:
        return self.n_exact / self.n if self.n else None

    @property
    def within_one(self) -> float | None:
        return self.n_within_one / self.n if self.n else None


@dataclass(frozen=True)
class ScopeAgreement:
    """The whole framework (``domain_id`` None) or one domain."""

    domain_id: str | None
    alpha: float | None
    alpha_reason: str
    pairs: tuple[PairAgreement, ...]

    def pair(self, a: str, b: str) -> PairAgreement | None:
        return next((p for p in self.pairs if {p.a, p.b} == {a, b}), None)


@dataclass(frozen=True)
class VisitAgreement:
    """One visit: each rater's level per criterion (-1 missing) and the statistics per scope."""

    levels: int
    raters: tuple[str, ...]  # rater keys, in order; "self" first and "agreed" last when present
    roles: tuple[str, ...]  # per rater: self, peer, la or agreed
    criterion_ids: tuple[str, ...]  # scored criteria applicable to the school, framework order
    domain_of: tuple[str, ...]  # per criterion
    ratings: np.ndarray = field(repr=False)  # (raters x criteria) level index, -1 when missing
    overall: ScopeAgreement
    domains: tuple[ScopeAgreement, ...]

    def rating(self, rater: str, criterion_id: str) -> int | None:
        value = int(self.ratings[self.raters.index(rater), self.criterion_ids.index(criterion_id)])
        return None if value < 0 else value


# --- placing answers on the scale ------------------------------------------------------------------


def level_grid(framework: Framework, responses: pd.DataFrame, reviews: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(review x criterion) level index (-1 missing) and whether each criterion applies, in ``reviews`` order.

    ``responses``: review_id, criterion_id, response; ``reviews``: review_id, phase, resourced_provision.
    Raises InvalidInput (every problem, placed) for a criterion the framework lacks or an invalid answer.
    """
    batch = read_batch(framework, responses, reviews)
    r, layout = batch.readings, batch.layout
    k = len(framework.default_scale.levels)
    crit = np.maximum(r.criterion, 0)
    counts = layout.scored[crit] & (r.criterion >= 0) & ~np.isnan(r.q)
    per_answer = np.where(counts, np.floor(np.nan_to_num(r.q) * (k - 1) + 0.5 + TOLERANCE), -1).astype(np.int64)
    grid = per_answer[r.answer]
    grid[~r.applies] = -1
    return grid, r.applies & layout.scored[None, :]


# --- the statistics --------------------------------------------------------------------------------


def pair_statistics(
    a: np.ndarray, b: np.ndarray, membership: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For (pair x criterion) level grids a and b and a (criterion x scope) 0/1 matrix: per pair and
    scope n, exact count, within-one count, kappa (NaN when undefined), kappa's expected
    disagreement (0 when undefined for lack of spread) and the mean difference a - b."""
    both = ((a >= 0) & (b >= 0)).astype(np.float64)
    fa, fb = np.where(both > 0, a, 0).astype(np.float64), np.where(both > 0, b, 0).astype(np.float64)
    diff = fa - fb
    n = both @ membership
    exact = ((diff == 0) * both) @ membership
    within = ((np.abs(diff) <= 1) * both) @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a, mean_b = (fa @ membership) / n, (fb @ membership) / n
        observed = ((diff**2) @ membership) / n
        expected = ((fa**2) @ membership) / n - 2 * mean_a * mean_b + ((fb**2) @ membership) / n
        kappa = np.where((n >= 2) & (expected > TOLERANCE), 1.0 - observed / expected, np.nan)
    return n, exact, within, kappa, np.nan_to_num(expected), mean_a - mean_b


def alpha_ordinal(counts: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, list[str]]:
    """Krippendorff's alpha, ordinal metric, for many groups of units at once.

    ``counts`` is (units x k): how many raters gave each level to a unit; ``group`` (units,) says which
    group a unit belongs to (a unit in two groups is listed twice). Units with fewer than two ratings
    pair with nothing. Returns alpha per group (NaN when undefined) and the reason per group ("" when
    defined). The arithmetic is Krippendorff's, as the ``krippendorff`` package does it for one group
    (coincidences o, expected coincidences e, ordinal distances from the pairable value counts);
    the tests hold the two equal.
    """
    k = counts.shape[1]
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, group, m = counts[pairable].astype(np.float64), group[pairable], m[pairable]
    per_unit = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(k)) / (m - 1)[:, None, None]
    o = np.zeros((n_groups, k * k))
    np.add.at(o, group, per_unit.reshape(-1, k * k))
    o = o.reshape(n_groups, k, k)
    n_v = o.sum(axis=1)
    n = n_v.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(k)) / (n - 1)[:, None, None]
        cum = np.concatenate([np.zeros((n_groups, 1)), np.cumsum(n_v, axis=1)], axis=1)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        between = cum[:, hi + 1] - cum[:, lo]
        d = (between - (n_v[:, :, None] + n_v[:, None, :]) / 2) ** 2
        expected = (e * d).sum(axis=(1, 2))
        alpha = 1 - (o * d).sum(axis=(1, 2)) / expected
    units = np.bincount(group, minlength=n_groups)
    values = np.count_nonzero(n_v > TOLERANCE, axis=1)
    reasons = [
        ALPHA_TOO_FEW if u < 2 else ALPHA_ONE_VALUE if v < 2 or not x > TOLERANCE else ""
        for u, v, x in zip(units.tolist(), values.tolist(), np.nan_to_num(expected).tolist(), strict=True)
    ]
    return np.where([r == "" for r in reasons], alpha, np.nan), reasons


def rater_pairs(keys: list[str], roles: list[str]) -> list[tuple[int, int]]:
    """Self with each team member, each two team members, then self with the agreed review."""
    self_at = [i for i, role in enumerate(roles) if role == "self"]
    team = [i for i, role in enumerate(roles) if role in TEAM_ROLES]
    agreed = [i for i, role in enumerate(roles) if role == "agreed"]
    pairs = [(s, t) for s in self_at for t in team]
    pairs += [(x, y) for i, x in enumerate(team) for y in team[i + 1 :]]
    pairs += [(s, g) for s in self_at for g in agreed]
    return pairs


def agreement_for_visits(
    framework: Framework, responses: pd.DataFrame, raters: pd.DataFrame
) -> dict[object, VisitAgreement]:
    """Agreement for many visits of one framework in one call.

    ``raters``: visit_id, rater (key), role (self|peer|la|agreed), phase, resourced_provision, in the
    order raters should be listed; ``responses``: visit_id, rater, criterion_id, response.
    The criteria listed for a visit are the scored ones that apply to its first rater's school.
    """
    raters = raters.reset_index(drop=True)
    review_key = pd.MultiIndex.from_frame(raters[["visit_id", "rater"]])
    reviews = raters.assign(review_id=np.arange(len(raters)))
    keyed = pd.MultiIndex.from_frame(responses[["visit_id", "rater"]]) if len(responses) else review_key[:0]
    rows = responses.assign(review_id=review_key.get_indexer(keyed))
    grid, counted = level_grid(framework, rows[["review_id", "criterion_id", "response"]], reviews)
    k = len(framework.default_scale.levels)
    keys, roles = raters["rater"].tolist(), raters["role"].tolist()

    members = raters.groupby("visit_id", sort=False).indices
    visit_ids = list(members)
    pairs = {
        v: [
            (members[v][i], members[v][j])
            for i, j in rater_pairs([keys[r] for r in members[v]], [roles[r] for r in members[v]])
        ]
        for v in visit_ids
    }
    flat = [p for v in visit_ids for p in pairs[v]]
    crit_ids = [c.id for c in framework.criteria]
    crit_domain = [c.domain_id for c in framework.criteria]
    domain_ids = list(dict.fromkeys(crit_domain))
    scope_of = np.array([domain_ids.index(d) + 1 for d in crit_domain], dtype=np.int64)
    membership = np.zeros((len(crit_ids), len(domain_ids) + 1))
    membership[:, 0] = 1.0
    membership[np.arange(len(crit_ids)), scope_of] = 1.0
    a_rows = np.array([p[0] for p in flat], dtype=np.int64)
    b_rows = np.array([p[1] for p in flat], dtype=np.int64)
    stats = [s.tolist() for s in pair_statistics(grid[a_rows], grid[b_rows], membership)] if flat else []
    # alpha: raters per level for each (visit, listed criterion), the agreed review left out; each unit
    # counts in its visit's overall group and in its domain's group
    one_hot = (grid[:, :, None] == np.arange(k)[None, None, :]) & (np.array(roles) != "agreed")[:, None, None]
    listed = {v: np.flatnonzero(counted[members[v][0]]) for v in visit_ids}
    scopes = {v: [0, *sorted(set(scope_of[listed[v]].tolist()))] for v in visit_ids}
    group_at: dict[tuple[Any, int], int] = {}
    unit_counts, unit_group = [], []
    for v in visit_ids:
        counts = one_hot[members[v]][:, listed[v]].sum(axis=0)
        for s in scopes[v]:
            group_at[(v, s)] = len(group_at)
            unit_counts.append(counts if s == 0 else counts[scope_of[listed[v]] == s])
            unit_group.append(np.full(len(unit_counts[-1]), group_at[(v, s)]))
    alphas, reasons = alpha_ordinal(
        np.concatenate(unit_counts) if unit_counts else np.zeros((0, k), dtype=np.int64),
        np.concatenate(unit_group).astype(np.int64) if unit_group else np.zeros(0, dtype=np.int64),
        len(group_at),
    )
    alphas = alphas.tolist()

    out: dict[object, VisitAgreement] = {}
    at = 0
    for visit in visit_ids:
        rows_of = members[visit]
        pair_rows = range(at, at + len(pairs[visit]))
        at += len(pairs[visit])
        made = []
        for s in scopes[visit]:
            g = group_at[(visit, s)]
            made.append(
                ScopeAgreement(
                    None if s == 0 else domain_ids[s - 1],
                    None if reasons[g] else alphas[g],
                    reasons[g],
                    tuple(_pair(keys[flat[p][0]], keys[flat[p][1]], [x[p][s] for x in stats]) for p in pair_rows),
                )
            )
        out[visit] = VisitAgreement(
            levels=k,
            raters=tuple(keys[r] for r in rows_of),
            roles=tuple(roles[r] for r in rows_of),
            criterion_ids=tuple(crit_ids[c] for c in listed[visit]),
            domain_of=tuple(crit_domain[c] for c in listed[visit]),
            ratings=grid[np.ix_(rows_of, listed[visit])],
            overall=made[0],
            domains=tuple(made[1:]),
        )
    return out


def visit_agreement(framework: Framework, raters: list[dict], answers: dict[str, pd.DataFrame]) -> VisitAgreement:
    """One visit: ``raters`` as dicts (rater, role, phase, resourced_provision), ``answers`` per rater key
    (criterion_id, response). The same path as ``agreement_for_visits`` with a batch of one."""
    table = pd.DataFrame([{**r, "visit_id": 0} for r in raters])
    rows = [
        frame.assign(visit_id=0, rater=key)[["visit_id", "rater", "criterion_id", "response"]]
        for key, frame in answers.items()
        if len(frame)
    ]
    responses = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["visit_id", "rater", "criterion_id", "response"])
    )
    return agreement_for_visits(framework, responses, table)[0]


def _pair(a: str, b: str, values: list[float]) -> PairAgreement:
    n, exact, within, kappa, _expected, difference = values
    n = int(n)
    defined = not np.isnan(kappa)
    return PairAgreement(
        a=a,
        b=b,
        n=n,
        n_exact=int(exact),
        n_within_one=int(within),
        kappa=float(kappa) if defined else None,
        kappa_reason="" if defined else KAPPA_TOO_FEW if n < 2 else KAPPA_NO_SPREAD,
        mean_difference=float(difference) if n else None,
    )


def to_discuss(agreement: VisitAgreement) -> dict[str, str]:
    """Criteria the team should talk through, with why in words: the self-review and team ratings two
    or more levels apart, or the self-review above every reviewer (the agreed review is not counted)."""
    rows = [i for i, role in enumerate(agreement.roles) if role != "agreed"]
    team = [i for i in rows if agreement.roles[i] in TEAM_ROLES]
    self_row = next((i for i in rows if agreement.roles[i] == "self"), None)
    out: dict[str, str] = {}
    for c, criterion_id in enumerate(agreement.criterion_ids):
        given = [int(agreement.ratings[i, c]) for i in rows if agreement.ratings[i, c] >= 0]
        reviewers = [int(agreement.ratings[i, c]) for i in team if agreement.ratings[i, c] >= 0]
        reasons = []
        if given and max(given) - min(given) >= 2:
            reasons.append(f"ratings {max(given) - min(given)} levels apart")
        own = int(agreement.ratings[self_row, c]) if self_row is not None else -1
        if own >= 0 and reviewers and own > max(reviewers):
            reasons.append("self-review above every reviewer")
        if reasons:
            out[criterion_id] = " and ".join(reasons)
    return out
