"""What each answer costs its domain, and the strengths, priorities and gaps the results page lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framework.library import framework_from_dict
from framework.models import ReviewContext
from framework.problems import InvalidInput
from scoring import criterion_contributions, priorities, score_review, strengths, unanswered

FRAMEWORK = framework_from_dict(
    {
        "id": "prio",
        "title": "Priorities",
        "version": "1",
        "scale": "quality",
        "scales": [
            {
                "id": "quality",
                "levels": [
                    {"points": 1, "label": "Emerging"},
                    {"points": 2, "label": "Developing"},
                    {"points": 3, "label": "Established"},
                    {"points": 4, "label": "Embedded"},
                ],
            }
        ],
        "domains": [
            {
                "id": "lead",
                "title": "Leadership",
                "criteria": [
                    {"id": "L1", "text": "Vision", "kind": "rating", "weight": 2},
                    {"id": "L2", "text": "Governors", "kind": "rating"},
                    {"id": "L3", "text": "SENCO is a teacher", "kind": "yes_no", "statutory": True},
                    {"id": "L4", "text": "Notes", "kind": "text"},
                    {"id": "L5", "text": "Secondary only", "kind": "rating", "phases": "secondary"},
                ],
            },
            {
                "id": "teach",
                "title": "Teaching",
                "criteria": [
                    {"id": "T1", "text": "Adaptive teaching", "kind": "rating", "weight": 3},
                    {"id": "T2", "text": "Interventions", "kind": "rating"},
                    {"id": "T3", "text": "Outreach", "kind": "rating"},
                    {"id": "T4", "text": "Training", "kind": "rating"},
                ],
            },
        ],
    }
)
PRIMARY = ReviewContext.of("primary")


def rows(answers: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)


ANSWERS = {
    "L1": "Established",
    "L2": "Embedded",
    "L3": "no",
    "L4": "text",
    "T1": "Developing",
    "T2": "Embedded",
    "T3": "N/A",
}


def test_contributions_list_applicable_scored_criteria_in_framework_order():
    table = criterion_contributions(FRAMEWORK, rows(ANSWERS), PRIMARY)
    assert list(table["criterion_id"]) == ["L1", "L2", "L3", "T1", "T2", "T4"]  # no text, no N/A, no secondary-only
    assert list(table.columns[:8]) == [
        "domain_id",
        "criterion_id",
        "text",
        "weight",
        "statutory",
        "points",
        "q",
        "answered",
    ]


def test_shortfall_is_weight_times_missing_q_over_the_answered_weight_of_the_domain():
    table = criterion_contributions(FRAMEWORK, rows(ANSWERS), PRIMARY).set_index("criterion_id")
    assert table.loc["L1", "shortfall"] == pytest.approx(2 * (1 / 3) / 4)
    assert table.loc["L2", "shortfall"] == pytest.approx(0.0)
    assert table.loc["L3", "shortfall"] == pytest.approx(1 / 4)
    assert table.loc["T1", "shortfall"] == pytest.approx(3 * (2 / 3) / 4)


def test_shortfalls_of_a_domain_add_up_to_what_it_lacks_of_100_percent():
    table = criterion_contributions(FRAMEWORK, rows(ANSWERS), PRIMARY)
    result = score_review(FRAMEWORK, rows(ANSWERS), PRIMARY)
    for domain in result.domains:
        lacking = table.loc[table["domain_id"] == domain.domain_id, "shortfall"].sum()
        assert lacking == pytest.approx(1 - domain.percent / 100)


def test_unanswered_criteria_have_no_q_and_no_shortfall():
    table = criterion_contributions(FRAMEWORK, rows(ANSWERS), PRIMARY).set_index("criterion_id")
    assert not table.loc["T4", "answered"]
    assert np.isnan(table.loc["T4", "q"]) and np.isnan(table.loc["T4", "shortfall"])


def test_strengths_are_the_highest_q_then_the_heaviest():
    answers = {"L1": "Embedded", "L2": "Embedded", "T1": "Embedded", "T2": "Established", "T3": "Emerging"}
    table = criterion_contributions(FRAMEWORK, rows(answers), PRIMARY)
    assert list(strengths(table)["criterion_id"]) == ["T1", "L1", "L2", "T2"]  # an Emerging answer is no strength
    developing = criterion_contributions(FRAMEWORK, rows({"L1": "Developing", "L2": "Embedded"}), PRIMARY)
    assert list(strengths(developing)["criterion_id"]) == ["L2"], "Developing is not a strength"
    assert list(strengths(table, limit=2)["criterion_id"]) == ["T1", "L1"]


def test_priorities_put_unmet_statutory_items_first_then_the_largest_shortfall():
    table = criterion_contributions(FRAMEWORK, rows(ANSWERS), PRIMARY)
    assert list(priorities(table)["criterion_id"]) == ["L3", "T1"]  # L2 and T2 cost nothing; L1 is a strength
    assert list(priorities(table, limit=1)["criterion_id"]) == ["L3"]


def test_no_answer_is_both_a_strength_and_a_priority():
    for answers in (ANSWERS, {"L1": "Developing", "L2": "Established", "T1": "Emerging", "T2": "Embedded"}):
        table = criterion_contributions(FRAMEWORK, rows(answers), PRIMARY)
        both = set(strengths(table, limit=99)["criterion_id"]) & set(priorities(table, limit=99)["criterion_id"])
        assert not both


def test_unanswered_criteria_are_listed_apart_in_framework_order():
    table = criterion_contributions(FRAMEWORK, rows({"T2": "Embedded"}), PRIMARY)
    assert list(unanswered(table)["criterion_id"]) == ["L1", "L2", "L3", "T1", "T3", "T4"]
    assert "T2" not in list(priorities(table)["criterion_id"]) + list(unanswered(table)["criterion_id"])


def test_contributions_reject_invalid_answers_like_scoring_does():
    with pytest.raises(InvalidInput) as raised:
        criterion_contributions(FRAMEWORK, rows({"L1": "Superb", "X9": "yes"}), PRIMARY)
    assert [p.place for p in raised.value.problems] == ["responses row 1", "responses row 2"]
