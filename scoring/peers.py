"""Similar schools, and where a school stands among its peers, with small groups suppressed.

Peer sets follow the DfE Financial Benchmarking and Insights Tool (FBIT): only schools of the same
phase group are compared, on a weighted, range-standardised Euclidean distance over pupils, % FSM
and % SEN (see the DfE FBIT comparator-set methodology). Every page, export and the CLI read a comparison
through ``compare`` so that the suppression rule for small groups is applied in exactly one place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Level = Literal["hidden", "summary", "full"]

# FBIT's production weights. SEN % is SEN support % + EHC plan %.
MAINSTREAM_WEIGHTS: dict[str, float] = {"pupils": 0.5, "fsm_pct": 0.4, "sen_pct": 0.1}
# With use_ehcp=True, EHC plan % is held apart from SEN support %. Each SEN part gets 0.1 (so SEN as a
# whole counts for 0.2, since EHCP drives most SEND workload) and pupils:FSM keeps FBIT's 5:4 ratio.
EHCP_WEIGHTS: dict[str, float] = {"pupils": 0.45, "fsm_pct": 0.35, "sen_support_pct": 0.1, "ehcp_pct": 0.1}
# FBIT's special-school formula without its need-mix part (the register holds no need shares); % SEN is
# left out because nearly every pupil in a special school has SEN.
SPECIAL_WEIGHTS: dict[str, float] = {"pupils": 0.6, "fsm_pct": 0.4}

# School types that FBIT compares only among themselves, whatever their phase.
SEPARATE_TYPES: frozenset[str] = frozenset({"special", "alternative_provision", "utc"})

MIN_SUMMARY = 5  # fewer peers than this: show nothing
MIN_FULL = 10  # fewer than this (but at least MIN_SUMMARY): median and range only
# Percents within this many percentage points are the same result when a school is placed among others
# (at or above, quarter, median, range): identical answers can reach a percent along different orders of
# floating-point arithmetic (another framework version's criterion order, another batch), differing in
# the last bit. Far below the one decimal place ever shown, far above any rounding error.
TIE = 1e-9
MAX_CELLS = 250_000  # distances held per block: 2 MB of float64, small enough for the CPU cache


def peer_group(phase: str, school_type: str = "mainstream") -> str:
    """The group a school is compared within: its phase, or its type for special, AP/PRU and UTC.

    Early years (nursery) stays its own group, as FBIT's Nursery phase does: a nursery school's size
    and intake are nothing like a primary's.
    """
    if phase == "special":
        return "special"
    return school_type if school_type in SEPARATE_TYPES else phase


def peer_table(
    schools: pd.DataFrame, *, k: int = 30, use_ehcp: bool = False, max_cells: int = MAX_CELLS
) -> pd.DataFrame:
    """Every school's k nearest peers in one long table: urn, peer_urn, rank (1 = nearest), distance.

    ``schools`` needs urn, phase, pupils, fsm_pct, sen_support_pct, ehcp_pct (type optional). Missing
    values are filled with the phase group's median; ties in distance go to the lower URN.
    >>> peer_table(register, k=30).query("urn == '100000'")
    """
    parts = [
        pd.DataFrame(
            {
                "urn": np.repeat(urns, idx.shape[1]),
                "peer_urn": urns[idx].ravel(),
                "rank": np.tile(np.arange(1, idx.shape[1] + 1), len(urns)),
                "distance": dist.ravel(),
            }
        )
        for urns, idx, dist in _nearest_by_group(schools, k, use_ehcp, max_cells)
    ]
    if not parts:
        return pd.DataFrame({"urn": [], "peer_urn": [], "rank": [], "distance": []})
    return pd.concat(parts, ignore_index=True)


def peer_sets(
    schools: pd.DataFrame, *, k: int = 30, use_ehcp: bool = False, max_cells: int = MAX_CELLS
) -> dict[str, list[str]]:
    """Each school's URN -> its k most similar schools' URNs, nearest first (see ``peer_table``)."""
    result: dict[str, list[str]] = {}
    for urns, idx, _ in _nearest_by_group(schools, k, use_ehcp, max_cells):
        result.update(zip(urns.tolist(), urns[idx].tolist(), strict=True))
    return result


def _nearest_by_group(
    schools: pd.DataFrame, k: int, use_ehcp: bool, max_cells: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    if k < 1:
        raise ValueError("k must be at least 1")
    frame = _prepared(schools)
    for group, rows in frame.groupby("group", sort=True):
        weights = SPECIAL_WEIGHTS if group == "special" else EHCP_WEIGHTS if use_ehcp else MAINSTREAM_WEIGHTS
        idx, dist = _nearest(*_features(rows, weights), k, max_cells)
        yield rows["urn"].to_numpy(dtype=object), idx, dist


def _prepared(schools: pd.DataFrame) -> pd.DataFrame:
    """URNs as text, sorted in number order so that column position breaks ties by URN."""
    urns = schools["urn"].astype(str)
    if urns.duplicated().any():
        raise ValueError(f"URNs must be unique (repeated: {', '.join(sorted(set(urns[urns.duplicated()])))})")
    frame = pd.DataFrame(
        {
            "urn": urns,
            "group": _groups(schools),
            **{col: _floats(schools[col]) for col in ("pupils", "fsm_pct", "sen_support_pct", "ehcp_pct")},
        }
    )
    frame["sen_pct"] = frame["sen_support_pct"] + frame["ehcp_pct"]
    order = np.lexsort((frame["urn"].to_numpy(dtype=str), frame["urn"].str.len().to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _floats(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _features(rows: pd.DataFrame, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The features with gaps filled, and each one's weight/range², whose weighted sum of squared
    differences is FBIT's squared distance. Differences are taken before scaling, so that equal
    differences (as between whole numbers of pupils) give exactly equal distances and tie properly.
    """
    columns, coefficients = [], []
    for name, weight in weights.items():
        x = rows[name].to_numpy(dtype=float)
        missing = np.isnan(x)
        if missing.all():
            x = np.zeros_like(x)
        elif missing.any():
            x = np.where(missing, np.median(x[~missing]), x)
        span = x.max() - x.min() if len(x) else 0.0
        columns.append(x)
        coefficients.append(weight / span**2 if span > 0 else 0.0)
    return np.column_stack(columns), np.array(coefficients)


def _nearest(x: np.ndarray, coefficients: np.ndarray, k: int, max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (n, k) and distances of each row's k nearest other rows; ties go to the lower index.

    Exact, but it skips most pairs: schools are binned on a grid over the two heaviest features, and
    a block of rows is compared only with the cells that could hold one of its k nearest (their
    distance on those two features alone is within a bound found from the rows' own neighbourhood).
    Blocks hold at most ``max_cells`` distances, so memory stays small whatever the number of schools.
    """
    n = len(x)
    k = max(min(k, n - 1), 0)
    idx_out = np.empty((n, k), dtype=np.int64)
    dist_out = np.empty((n, k))
    if k == 0:
        return idx_out, dist_out
    grid = _Grid(x[:, :2] * np.sqrt(coefficients[:2]), k)
    block = max(1, max_cells // n)
    everyone = np.arange(n)
    for cell, members in grid.occupied():
        near = grid.neighbourhood(cell)
        for start in range(0, members.size, block):
            rows = members[start : start + block]
            if near.size > k:  # enough schools nearby to bound the k-th distance
                bound = np.partition(_sq_distances(x, coefficients, rows, near), k - 1, axis=1)[:, k - 1].max()
                candidates = grid.within(rows, bound)
            else:
                candidates = everyone
            cols, d2 = _k_smallest(_sq_distances(x, coefficients, rows, candidates), k)
            idx_out[rows] = candidates[cols]
            dist_out[rows] = np.sqrt(d2)
    return idx_out, dist_out


class _Grid:
    """Rows binned on two weighted features (about 30 rows a cell), with each cell's actual extent."""

    def __init__(self, y: np.ndarray, k: int):
        self.y = y
        self.size = max(1, int(math.sqrt(len(y) / k)))
        low, high = y.min(axis=0), y.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        xy = np.minimum((self.size * (y - low) / span).astype(np.int64), self.size - 1)
        cell = xy[:, 0] * self.size + xy[:, 1]
        order = np.argsort(cell, kind="stable")  # each cell's rows in index order
        edges = np.searchsorted(cell[order], np.arange(self.size**2 + 1))
        self.members = [order[edges[i] : edges[i + 1]] for i in range(self.size**2)]
        self.low = np.array([y[m].min(axis=0) if m.size else (np.inf, np.inf) for m in self.members])
        self.high = np.array([y[m].max(axis=0) if m.size else (-np.inf, -np.inf) for m in self.members])

    def occupied(self) -> Iterator[tuple[int, np.ndarray]]:
        return ((i, m) for i, m in enumerate(self.members) if m.size)

    def neighbourhood(self, cell: int) -> np.ndarray:
        """Rows of the cell and the eight around it, in index order."""
        cx, cy = divmod(cell, self.size)
        cells = [
            a * self.size + b
            for a in range(max(0, cx - 1), min(self.size, cx + 2))
            for b in range(max(0, cy - 1), min(self.size, cy + 2))
        ]
        return np.sort(np.concatenate([self.members[c] for c in cells]))

    def within(self, rows: np.ndarray, bound: float) -> np.ndarray:
        """Rows of every cell whose two-feature distance from the block could be at most sqrt(bound)."""
        low, high = self.y[rows].min(axis=0), self.y[rows].max(axis=0)
        gap = np.maximum(0.0, np.maximum(self.low - high, low - self.high))
        reach = bound * (1 + 1e-9) + 1e-12  # rounding must never drop a true neighbour
        return np.sort(np.concatenate([self.members[c] for c in np.flatnonzero((gap**2).sum(axis=1) <= reach)]))


def _sq_distances(x: np.ndarray, coefficients: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Weighted squared distances from rows to cols (sorted, containing rows); a row to itself is inf."""
    d = np.zeros((rows.size, cols.size))
    diff = np.empty_like(d)
    for f, coefficient in enumerate(coefficients):
        np.subtract(x[rows, f, None], x[None, cols, f], out=diff)
        np.square(diff, out=diff)
        diff *= coefficient
        d += diff
    d[np.arange(rows.size), np.searchsorted(cols, rows)] = np.inf  # a school is not its own peer
    return d


def _k_smallest(d: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column positions and values of each row's k smallest, ascending; equal values go to the lower column."""
    kth = np.partition(d, k - 1, axis=1)[:, k - 1 : k]
    chosen = d <= kth
    rows, found = np.nonzero(chosen)
    cols: np.ndarray = found
    if rows.size != d.shape[0] * k:  # some rows tie at the k-th value: keep the lowest columns among the tied
        equal = d == kth
        room = k - np.count_nonzero(d < kth, axis=1, keepdims=True)
        chosen &= ~equal | (np.cumsum(equal, axis=1) <= room)
        cols = np.nonzero(chosen)[1]
    cols = cols.reshape(-1, k)
    values = np.take_along_axis(d, cols, axis=1)
    order = np.argsort(values, axis=1, kind="stable")
    return np.take_along_axis(cols, order, axis=1), np.take_along_axis(values, order, axis=1)


# --- other ways to choose a comparison group ----------------------------------------------------


def same_la(schools: pd.DataFrame, urn: str, *, same_group: bool = True) -> list[str]:
    """Other schools in the school's LA (by default only those of its phase group), by URN."""
    me = _row(schools, urn)
    mask = schools["la"] == schools.at[me, "la"]
    if same_group:
        groups = _groups(schools)
        mask &= groups == groups[me]
    return _others(schools[mask], urn)


def same_phase(schools: pd.DataFrame, urn: str) -> list[str]:
    """Every other school in the school's phase group, nationally or across the register given."""
    groups = _groups(schools)
    return _others(schools[groups == groups[_row(schools, urn)]], urn)


def _row(schools: pd.DataFrame, urn: str) -> object:
    """The index label of the school's row."""
    found = schools.index[schools["urn"].astype(str) == str(urn)]
    if found.empty:
        raise KeyError(f"no school with URN {urn} in the register")
    return found[0]


def _groups(schools: pd.DataFrame) -> pd.Series:
    types = schools["type"] if "type" in schools else pd.Series("mainstream", index=schools.index)
    groups = [
        peer_group(p, t if isinstance(t, str) and t else "mainstream")
        for p, t in zip(schools["phase"], types, strict=True)
    ]
    return pd.Series(groups, index=schools.index)


def _others(rows: pd.DataFrame, urn: str) -> list[str]:
    urns = rows["urn"].astype(str)
    return sorted((u for u in urns if u != str(urn)), key=lambda u: (len(u), u))


# --- where a school stands among its peers ------------------------------------------------------


def _clean(values: Iterable[float | None]) -> np.ndarray:
    """The values that are numbers, as floats (numpy reads None as NaN): called once per school and
    domain on an LA overview, so a list is converted in one call, not value by value."""
    given = values if isinstance(values, (list, tuple, np.ndarray)) else list(values)
    array = np.array(given, dtype=float)
    return array[~np.isnan(array)]


def _merge_ties(values: np.ndarray) -> np.ndarray:
    """Sorted values with each run of ties (neighbours within ``TIE``) set to the run's first value.

    So the median, range and listed values of tied schools are exactly equal, however their percents
    were summed.
    """
    out = np.sort(values)
    for i in range(1, out.size):
        if out[i] - out[i - 1] <= TIE:
            out[i] = out[i - 1]
    return out


def percentile_rank(value: float | None, peer_values: Iterable[float | None]) -> float | None:
    """The weak percentile: the % of peers whose value is at or below the school's (FBIT's definition).

    A peer within ``TIE`` of the school counts as equal, so at or below.

    With ties, as on a 1-4 scale, a school equal to every peer is "at or above 100% of peers".
    >>> percentile_rank(3, [1, 2, 3, 4])
    75.0
    """
    peers = _clean(peer_values)
    if value is None or math.isnan(value) or peers.size == 0:
        return None
    return float(100.0 * np.count_nonzero(peers <= value + TIE) / peers.size)


def quartile(value: float | None, peer_values: Iterable[float | None]) -> int | None:
    """1 = top quarter (highest values) ... 4 = bottom quarter, from the weak percentile.

    1: above 75%; 2: above 50%; 3: above 25%; 4: 25% or less. Whether high is good depends on the
    measure; the caller says so in words.
    """
    p = percentile_rank(value, peer_values)
    if p is None:
        return None
    return 1 if p > 75 else 2 if p > 50 else 3 if p > 25 else 4


def comparison_level(n_peers: int) -> Level:
    """How much may be shown about a group of n peers (not counting the school itself)."""
    if n_peers < MIN_SUMMARY:
        return "hidden"
    return "summary" if n_peers < MIN_FULL else "full"


@dataclass(frozen=True)
class PeerComparison:
    """What a page may show about a school against its peers; fields the level forbids are None/empty."""

    n: int
    level: Level
    median: float | None
    low: float | None
    high: float | None
    percentile: float | None
    quartile: int | None
    values: tuple[float, ...]  # sorted ascending so their order says nothing about which school is which
    message: str
    q1: float | None = None  # quartiles, given only where the list of values is withheld (scoring.disclosure)
    q3: float | None = None


def _g(value: float) -> str:
    """A value in a message, rounded exactly as the comparison's fields are (one decimal)."""
    return f"{round(value, 1):g}"


def compare(school_value: float | None, peer_values: Iterable[float | None]) -> PeerComparison:
    """The school's value against its peers' (missing peer values are left out), suppressed by group size."""
    peers = _merge_ties(_clean(peer_values))
    n = int(peers.size)
    level = comparison_level(n)
    if level == "hidden":
        message = (
            f"Only {n} peer school{'s' if n != 1 else ''} ha{'ve' if n != 1 else 's'} a value, fewer than "
            f"{MIN_SUMMARY}, so no peer comparison is shown: figures for so few schools could identify them."
        )
        return PeerComparison(n, level, None, None, None, None, None, (), message)
    median, low, high = float(np.median(peers)), float(peers[0]), float(peers[-1])
    if level == "summary":
        message = (
            f"{n} peer schools: median {_g(median)}, range {_g(low)} to {_g(high)}. Individual schools are not shown "
            f"in a group of fewer than {MIN_FULL}."
        )
        return PeerComparison(n, level, median, low, high, None, None, (), message)
    pct = percentile_rank(school_value, peers)
    if pct is None:
        message = f"{n} peer schools: median {_g(median)}, range {_g(low)} to {_g(high)}. This school has no value yet."
    else:
        message = (
            f"At or above {pct:.0f}% of {n} peer schools (the share of peers at or below this school's value); "
            f"peer median {_g(median)}, range {_g(low)} to {_g(high)}."
        )
    return PeerComparison(
        n, level, median, low, high, pct, quartile(school_value, peers), tuple(peers.tolist()), message
    )
