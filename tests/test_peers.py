"""Peer sets (FBIT distance, phase groups, tie-break), percentiles, quartiles and suppression."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.peers import (
    compare,
    comparison_level,
    peer_group,
    peer_sets,
    peer_table,
    percentile_rank,
    quartile,
    same_la,
    same_phase,
)


def register(rows: list[tuple]) -> pd.DataFrame:
    """(urn, phase, pupils, fsm_pct, sen_support_pct, ehcp_pct[, la[, type]]) per school."""
    cols = ["urn", "phase", "pupils", "fsm_pct", "sen_support_pct", "ehcp_pct", "la", "type"]
    full = [(*r, *("Testshire", "mainstream")[len(r) - 6 :]) for r in rows]
    return pd.DataFrame(full, columns=cols)


HAND_MADE = register(
    [
        ("100001", "primary", 100, 10.0, 8.0, 2.0),
        ("100002", "primary", 200, 20.0, 8.0, 2.0),
        ("100003", "primary", 300, 30.0, 15.0, 5.0),
    ]
)


def test_distance_is_fbit_weighted_range_standardised_euclidean():
    table = peer_table(HAND_MADE, k=2).set_index(["urn", "peer_urn"])["distance"]
    # ranges: pupils 200, FSM 20, SEN% (support + EHCP) 10
    assert table["100001", "100002"] == pytest.approx(math.sqrt(0.5 * 0.5**2 + 0.4 * 0.5**2 + 0.1 * 0.0))
    assert table["100001", "100003"] == pytest.approx(math.sqrt(0.5 * 1.0 + 0.4 * 1.0 + 0.1 * 1.0))
    assert table["100002", "100003"] == pytest.approx(math.sqrt(0.5 * 0.25 + 0.4 * 0.25 + 0.1 * 1.0))


def test_peers_are_listed_nearest_first_with_ranks():
    table = peer_table(HAND_MADE, k=2)
    mine = table[table["urn"] == "100003"]
    assert mine["peer_urn"].tolist() == ["100002", "100001"]
    assert mine["rank"].tolist() == [1, 2]


def test_ehcp_option_separates_ehcp_from_sen_support():
    schools = register(
        [
            ("100001", "primary", 200, 20.0, 10.0, 2.0),
            ("100002", "primary", 200, 20.0, 6.0, 6.0),  # same SEN % as 100001, different EHCP
            ("100003", "primary", 200, 20.0, 11.0, 2.5),
        ]
    )
    assert peer_sets(schools, k=1)["100001"] == ["100002"]  # SEN % 12 vs 12: identical on FBIT's features
    assert peer_sets(schools, k=1, use_ehcp=True)["100001"] == ["100003"]


def test_missing_values_are_filled_with_the_phase_group_median():
    schools = register(
        [
            ("100001", "primary", 100, 10.0, 10.0, 2.0),
            ("100002", "primary", 200, np.nan, 10.0, 2.0),  # FSM filled with median of 10, 30, 40 = 30
            ("100003", "primary", 200, 30.0, 10.0, 2.0),
            ("100004", "primary", 300, 40.0, 10.0, 2.0),
        ]
    )
    table = peer_table(schools, k=3).set_index(["urn", "peer_urn"])["distance"]
    assert table["100002", "100003"] == 0.0


def test_equal_distances_are_broken_by_lower_urn():
    schools = register(
        [
            ("100500", "primary", 200, 20.0, 10.0, 2.0),
            ("100900", "primary", 250, 25.0, 10.0, 2.0),  # twin of 100200, higher URN
            ("100200", "primary", 250, 25.0, 10.0, 2.0),
            ("100050", "primary", 150, 15.0, 10.0, 2.0),  # same distance from 100500, on the other side
            ("101000", "primary", 400, 40.0, 10.0, 2.0),
        ]
    )
    sets = peer_sets(schools, k=2)
    assert sets["100500"] == ["100050", "100200"]
    assert sets["100900"] == ["100200", "100500"]


def test_only_schools_of_the_same_phase_group_are_peers():
    schools = register(
        [
            ("100001", "primary", 200, 20.0, 10.0, 2.0),
            ("100002", "secondary", 200, 20.0, 10.0, 2.0),  # identical numbers, other phase
            ("100003", "primary", 800, 60.0, 30.0, 8.0),
            ("100004", "primary", 210, 20.0, 10.0, 2.0, "Testshire", "special"),
            ("100005", "secondary", 205, 20.0, 10.0, 2.0, "Testshire", "alternative_provision"),
        ]
    )
    sets = peer_sets(schools, k=30)
    assert sets["100001"] == ["100003"]
    assert sets["100002"] == []
    assert sets["100004"] == []
    assert sets["100005"] == []


def test_peer_group_keeps_special_ap_and_utc_apart_from_their_phase():
    assert peer_group("primary") == "primary"
    assert peer_group("early_years") == "early_years"
    assert peer_group("special") == "special"
    assert peer_group("secondary", "special") == "special"
    assert peer_group("secondary", "alternative_provision") == "alternative_provision"
    assert peer_group("secondary", "utc") == "utc"


def test_a_group_smaller_than_k_gives_every_other_school():
    assert peer_sets(HAND_MADE, k=30) == {
        "100001": ["100002", "100003"],
        "100002": ["100001", "100003"],
        "100003": ["100002", "100001"],
    }


def test_duplicate_urns_are_refused():
    with pytest.raises(ValueError, match="100001"):
        peer_sets(pd.concat([HAND_MADE, HAND_MADE.iloc[:1]]), k=2)


def brute_force(schools: pd.DataFrame, k: int) -> dict[str, list[str]]:
    """The definition, one school at a time: sort by (distance, URN)."""
    weights = {"pupils": 0.5, "fsm_pct": 0.4, "sen_pct": 0.1}
    frame = schools.assign(sen_pct=schools["sen_support_pct"] + schools["ehcp_pct"])
    out = {}
    for _, me in frame.iterrows():
        others = frame[(frame["phase"] == me["phase"]) & (frame["urn"] != me["urn"])]
        group = frame[frame["phase"] == me["phase"]]

        def distance(other, me=me, group=group):
            total = 0.0
            for name, w in weights.items():
                span = group[name].max() - group[name].min()
                if span > 0:
                    total += w / span**2 * (other[name] - me[name]) ** 2
            return total

        ranked = sorted(((distance(o), int(o["urn"])) for _, o in others.iterrows()))
        out[me["urn"]] = [str(u) for _, u in ranked[:k]]
    return out


school_rows = st.lists(
    st.tuples(
        st.sampled_from(["primary", "secondary"]),
        st.integers(20, 60),  # narrow ranges so that exact ties happen often
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=60,
)


@pytest.mark.slow  # 80 generated registers
@settings(max_examples=80, deadline=None)
@given(school_rows, st.integers(1, 6), st.integers(1, 400))
def test_peer_sets_match_the_definition_on_any_small_register(rows, k, max_cells):
    urns = [str(100000 + 37 * i % 997) for i in range(len(rows))]  # URN order differs from row order
    schools = register([(u, *row) for u, row in zip(urns, rows, strict=True)])
    assert peer_sets(schools, k=k, max_cells=max_cells) == brute_force(schools, k)


def test_grid_search_matches_a_full_sort_on_a_realistic_register():
    rng = np.random.default_rng(5)
    n = 1500
    schools = pd.DataFrame(
        {
            "urn": [str(100000 + i) for i in rng.permutation(n)],
            "phase": "primary",
            "pupils": np.clip(np.round(230 * np.exp(0.65 * rng.standard_normal(n))), 20, 800),
            "fsm_pct": np.round(100 * rng.beta(2.5, 7.5, n)),  # whole numbers, so ties are common
            "sen_support_pct": np.round(rng.normal(14, 4.5, n)),
            "ehcp_pct": np.round(100 * rng.beta(3, 97, n)),
        }
    )
    sen = (schools["sen_support_pct"] + schools["ehcp_pct"]).to_numpy()
    features = np.column_stack([schools["pupils"], schools["fsm_pct"], sen])
    spans = features.max(axis=0) - features.min(axis=0)
    weights = np.array([0.5, 0.4, 0.1]) / spans**2
    d2 = (weights * (features[:, None, :] - features[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    urns = schools["urn"].to_numpy()
    expected = {urns[i]: urns[np.lexsort((urns.astype(int), d2[i]))[:30]].tolist() for i in range(n)}
    assert peer_sets(schools, k=30) == expected


def test_same_la_and_same_phase():
    schools = register(
        [
            ("100001", "primary", 200, 20.0, 10.0, 2.0, "Northby"),
            ("100002", "primary", 210, 20.0, 10.0, 2.0, "Northby"),
            ("100003", "secondary", 900, 20.0, 10.0, 2.0, "Northby"),
            ("100004", "primary", 220, 20.0, 10.0, 2.0, "Southby"),
        ]
    )
    assert same_la(schools, "100001") == ["100002"]
    assert same_la(schools, "100001", same_group=False) == ["100002", "100003"]
    assert same_phase(schools, "100001") == ["100002", "100004"]


def test_percentile_is_the_weak_share_of_peers_at_or_below():
    assert percentile_rank(3, [1, 2, 3, 4]) == 75.0
    assert percentile_rank(0, [1, 2, 3, 4]) == 0.0
    assert percentile_rank(4, [1, 2, 3, 4]) == 100.0
    assert percentile_rank(3, [3, 3, 3, 3]) == 100.0  # ties count as at or below
    assert percentile_rank(2, [1, 2, 2, 3, None, float("nan")]) == 75.0  # missing peers left out
    assert percentile_rank(2, []) is None
    assert percentile_rank(None, [1, 2]) is None


def test_quartile_one_is_the_top_quarter():
    peers = list(range(1, 101))
    assert quartile(100, peers) == 1
    assert quartile(76, peers) == 1
    assert quartile(75, peers) == 2  # exactly 75%: not above the upper quartile
    assert quartile(51, peers) == 2
    assert quartile(50, peers) == 3
    assert quartile(26, peers) == 3
    assert quartile(25, peers) == 4
    assert quartile(0, peers) == 4
    assert quartile(2, [2, 2, 2, 2]) == 1  # all tied: at or above every peer


@pytest.mark.parametrize(("n", "level"), [(0, "hidden"), (4, "hidden"), (5, "summary"), (9, "summary"), (10, "full")])
def test_suppression_thresholds(n, level):
    assert comparison_level(n) == level


def test_compare_hides_everything_below_five_peers():
    result = compare(3, [1, 2, 3, 4])
    assert (result.level, result.n, result.median, result.low, result.high) == ("hidden", 4, None, None, None)
    assert (result.percentile, result.quartile, result.values) == (None, None, ())
    assert "fewer than 5" in result.message


def test_compare_shows_only_median_and_range_for_five_to_nine_peers():
    result = compare(3, [4, 1, 2, 5, 3, None])
    assert (result.level, result.n, result.median, result.low, result.high) == ("summary", 5, 3.0, 1.0, 5.0)
    assert (result.percentile, result.quartile, result.values) == (None, None, ())


def test_compare_shows_the_sorted_distribution_from_ten_peers():
    peers = [10, 2, 9, 3, 8, 4, 7, 5, 6, 1]
    result = compare(8, peers)
    assert result.level == "full"
    assert result.values == tuple(float(v) for v in range(1, 11))
    assert (result.median, result.low, result.high) == (5.5, 1.0, 10.0)
    assert (result.percentile, result.quartile) == (80.0, 1)
    assert "80%" in result.message


def test_compare_without_a_school_value_still_summarises_the_peers():
    result = compare(None, list(range(10)))
    assert result.level == "full" and result.percentile is None and result.quartile is None
    assert result.median == 4.5
