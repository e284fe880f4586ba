"""Schools with identical answers tie when placed among their peers, however their percents were summed.

The engine sums a domain's weighted answers in the framework's criterion order, so the same answers
under two framework versions that list the criteria in another order can give percents that differ
in the last bit (59.99999999999999 against 60.0). Placing a school must not tell them apart.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from framework.library import framework_from_dict
from framework.models import ReviewContext
from scoring import score_review
from scoring.peers import TIE, compare, percentile_rank, quartile

LEVELS = [
    {"points": 1, "label": "Emerging"},
    {"points": 2, "label": "Developing"},
    {"points": 3, "label": "Established"},
    {"points": 4, "label": "Embedded"},
]
WEIGHTS = (0.1, 0.7, 0.2, 0.3, 1.1, 0.6)
ANSWERS = ("Developing", "Established", "Developing", "Embedded", "Established", "Developing")
# orders of the criteria that give different last bits on common hardware; searched further if not
KNOWN_ORDERS = ((0, 1, 2, 3, 4, 5), (0, 1, 2, 3, 5, 4), (0, 1, 3, 4, 2, 5), (1, 2, 5, 4, 0, 3))


def percent_in_order(order: tuple[int, ...]) -> float:
    """The real engine's percent for the same six answers, in a framework listing the criteria in ``order``."""
    criteria = [{"id": f"c{i}", "text": f"Question {i}", "kind": "rating", "weight": WEIGHTS[i]} for i in order]
    framework = framework_from_dict(
        {
            "id": "ties",
            "title": "Ties",
            "version": "".join(map(str, order)),
            "scale": "quality",
            "scales": [{"id": "quality", "levels": LEVELS}],
            "domains": [{"id": "d", "title": "Domain", "criteria": criteria}],
        }
    )
    answers = pd.DataFrame({"criterion_id": [f"c{i}" for i in range(6)], "response": list(ANSWERS)})
    percent = score_review(framework, answers, ReviewContext.of("primary")).overall.percent
    assert percent is not None
    return percent


@pytest.fixture(scope="module")
def same_answers_two_percents() -> tuple[float, float]:
    """Two percents of identical answers that differ as floats (the same result, summed in two orders)."""
    found = {percent_in_order(order) for order in KNOWN_ORDERS}
    for order in itertools.islice(itertools.permutations(range(6)), 200):
        if len(found) > 1:
            break
        found.add(percent_in_order(order))
    if len(found) < 2:
        pytest.skip("this machine's arithmetic gives the very same percent in every order tried")
    low, high = min(found), max(found)
    assert 0 < high - low <= TIE and round(low, 1) == round(high, 1) == 60.0
    return low, high


def test_a_school_is_at_or_above_a_peer_with_the_same_answers(same_answers_two_percents: tuple[float, float]) -> None:
    low, high = same_answers_two_percents
    assert percentile_rank(low, [high]) == percentile_rank(high, [low]) == 100.0
    assert quartile(low, [high, high, high, high]) == 1


def test_tied_schools_are_placed_alike_in_a_full_comparison(same_answers_two_percents: tuple[float, float]) -> None:
    low, high = same_answers_two_percents
    others = [20.0, 35.0, 40.0, 55.0, 75.0, 80.0, 95.0]
    as_low = compare(low, [high, high, *others, low])
    as_high = compare(high, [low, low, *others, high])
    assert as_low.level == as_high.level == "full"
    # three tied peers and four below: 7 of 10 at or below, whichever percent the school got
    assert as_low.percentile == as_high.percentile == 70.0
    assert as_low.quartile == as_high.quartile == 2
    assert as_low.median == as_high.median == as_low.values[4]  # the tied middle values are one value
    assert len(set(as_low.values)) == len(set(others)) + 1


def test_median_and_range_of_tied_peers_are_one_of_their_values(
    same_answers_two_percents: tuple[float, float],
) -> None:
    low, high = same_answers_two_percents
    summary = compare(None, [low, high, high, low, high, low])
    assert summary.level == "summary"
    assert summary.median == summary.low == summary.high == low


def test_values_further_apart_than_the_tolerance_stay_apart() -> None:
    assert percentile_rank(60.0, [60.0 + 1e-6]) == 0.0
    assert compare(50.0, [*range(9), 50.0 + 1e-6]).percentile == 90.0


@given(
    value=st.floats(min_value=0, max_value=100),
    peers=st.lists(st.floats(min_value=0, max_value=100), min_size=10, max_size=30),
    nudge=st.floats(min_value=-TIE / 2, max_value=TIE / 2),
)
def test_a_nudge_below_the_tolerance_never_moves_a_school(value: float, peers: list[float], nudge: float) -> None:
    exact = compare(value, [*peers, value])
    nudged = compare(value, [*peers, value + nudge])
    assert (exact.percentile, exact.quartile) == (nudged.percentile, nudged.quartile)
