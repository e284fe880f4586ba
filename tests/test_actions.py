"""Action-plan suggestions, flags and movement, against reviews worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from framework.library import framework_from_dict
from framework.models import ReviewContext
from scoring import criterion_contributions, score_review
from scoring.actions import action_flags, domain_movement, merge_suggestions, suggest_actions

DUTY_SOURCE = "SEND Code of Practice 2015, para 6.87"
FRAMEWORK = framework_from_dict(
    {
        "id": "plan",
        "title": "Plan",
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
                    {"id": "L3", "text": "SEN policy", "kind": "yes_no", "statutory": True, "source": DUTY_SOURCE},
                ],
            },
            {
                "id": "teach",
                "title": "Teaching",
                "criteria": [
                    {"id": "T1", "text": "Adaptive teaching", "kind": "rating", "weight": 3},
                    {"id": "T2", "text": "Interventions", "kind": "rating"},
                    {"id": "T3", "text": "Outreach", "kind": "rating"},
                ],
            },
            {
                "id": "care",
                "title": "Care",
                "criteria": [
                    {"id": "C1", "text": "Pastoral", "kind": "rating"},
                    {"id": "C2", "text": "Transitions", "kind": "rating"},
                    {"id": "C3", "text": "Therapies", "kind": "rating"},
                    {"id": "C4", "text": "Annual reviews", "kind": "yes_no", "statutory": True},
                ],
            },
        ],
    }
)
PRIMARY = ReviewContext.of("primary")
# Leadership (2x1/3 + 1 + 0) / 4 = 41.7%; Teaching (3x1/3 + 1 + 0) / 5 = 40%; Care (1 + 1 + 1/3 + 1) / 4 = 83.3%
ANSWERS = {
    "L1": "Developing",
    "L2": "Embedded",
    "L3": "no",
    "T1": "Developing",
    "T2": "Embedded",
    "T3": "Emerging",
    "C1": "Embedded",
    "C2": "Embedded",
    "C3": "Developing",
    "C4": "yes",
}


def suggestions(answers: dict[str, str], **options: int):
    frame = pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)
    score = score_review(FRAMEWORK, frame, PRIMARY)
    return suggest_actions(FRAMEWORK, score, criterion_contributions(FRAMEWORK, frame, PRIMARY), **options)


def test_unmet_duties_come_first_named_with_their_source_then_the_weakest_domains_largest_costs():
    found = suggestions(ANSWERS)
    # Teaching (40%) is weakest: T1 costs 3x(2/3)/5 = 40 points, T3 1/5 = 20, T2 nothing;
    # Leadership (41.7%) next: L3 is already the duty, L1 costs 2x(2/3)/4 = 33; Care (83.3%): C3 costs 17.
    # Only answers in the lower half of the scale are suggested (an Established answer is a strength).
    assert [s.key for s in found] == ["duty:L3", "criterion:T1", "criterion:T3", "criterion:L1", "criterion:C3"]
    duty = found[0]
    assert duty.kind == "statutory" and duty.source == DUTY_SOURCE
    assert "SEN policy" in duty.what and DUTY_SOURCE in duty.reason
    assert "would raise it by 40 percentage points" in found[1].reason and "40.0%" in found[1].reason


def test_only_the_weakest_domains_and_a_few_per_domain():
    assert [s.key for s in suggestions(ANSWERS, weakest=1, per_domain=1)] == ["duty:L3", "criterion:T1"]


def test_a_duty_unmet_in_a_strong_domain_is_still_first():
    answers = {**ANSWERS, "L3": "yes", "C4": "no"}
    assert suggestions(answers, weakest=1)[0].key == "duty:C4"


def test_empty_and_insufficient_reviews_suggest_nothing_to_improve():
    assert suggestions({}) == []
    # one answer of three in each domain: below half answered, so every domain is insufficient
    assert suggestions({"L1": "Emerging", "T1": "Emerging", "C1": "Emerging"}) == []


def test_merged_suggestions_keep_every_criterion_and_the_first_domain():
    found = suggestions(ANSWERS)
    merged = merge_suggestions([found[1], found[2], found[1]])
    assert merged.criteria == ("T1", "T3") and merged.domain_id == "teach"
    assert "Adaptive teaching" in merged.what and "Outreach" in merged.what
    with pytest.raises(ValueError):
        merge_suggestions([])


def test_flags_mark_past_due_and_missing_lead_but_not_done_actions():
    today = date(2026, 3, 1)
    assert action_flags(due_on=date(2026, 2, 1), lead="", status="on_track", today=today) == ["Overdue", "No lead"]
    assert action_flags(due_on=date(2026, 2, 1), lead="SENCO", status="done", today=today) == []
    assert action_flags(due_on=None, lead="SENCO", status="not_started", today=today) == ["No due date"]


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (40.0, 52.5, "Up 12.5 points (40.0% to 52.5%)"),
        (60.0, 55.0, "Down 5.0 points (60.0% to 55.0%)"),
        (60.0, 60.01, "No change (60.0%)"),
        (None, 50.0, "New score: 50.0%"),
        (50.0, None, "Was 50.0%, now insufficient evidence"),
    ],
)
def test_domain_movement_in_words(before, after, words):
    assert domain_movement(before, after) == words


def test_a_number_question_is_named_by_its_top_band_not_as_yes():
    framework = framework_from_dict(
        {
            "id": "hours",
            "title": "Hours",
            "version": "1",
            "scale": "q",
            "scales": [{"id": "q", "levels": [{"points": p, "label": f"Level {p}"} for p in (1, 2, 3, 4)]}],
            "domains": [
                {
                    "id": "time",
                    "title": "Time",
                    "criteria": [
                        {
                            "id": "H1",
                            "text": "Protected hours",
                            "kind": "number",
                            "bands": [
                                {"high": 2, "points": 1},
                                {"low": 2, "high": 5, "points": 2},
                                {"low": 5, "points": 4},
                            ],
                        },
                        {"id": "H2", "text": "Cover", "kind": "rating"},
                    ],
                }
            ],
        }
    )
    answers = pd.DataFrame({"criterion_id": ["H1", "H2"], "response": ["1", "Level 4"], "evidence": ["", ""]})
    context = ReviewContext.of("primary")
    score = score_review(framework, answers, context)
    (hours,) = suggest_actions(framework, score, criterion_contributions(framework, answers, context))
    assert hours.criteria == ("H1",)
    assert (
        "(50.0%); an answer in the top band here would raise it by 50 percentage points." in hours.reason
    )  # q 0 of 1, half the weight
    assert hours.success == "At the next review this answer is in the top band, with evidence."
