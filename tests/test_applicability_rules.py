"""When a question applies (phase, school characteristic, an earlier answer) and per-unit number bands."""

from __future__ import annotations

import pandas as pd
import pytest

from framework.explain import answer_numbers, not_applicable_reason, per_unit_sentence, questions_that_apply
from framework.library import framework_from_dict, framework_to_dict
from framework.models import ReviewContext, applicable_criteria
from framework.problems import InvalidInput
from scoring import score_review, score_reviews

LEVELS = [{"points": p, "label": lbl} for p, lbl in enumerate(["Emerging", "Developing", "Established", "Embedded"], 1)]
PER_10 = "..0.5=1; 0.5..1.5=2; 1.5..2.5=3; 2.5..=4"


def framework(*criteria: dict, **domain: object) -> object:
    return framework_from_dict(
        {
            "id": "t",
            "title": "T",
            "version": "1",
            "scale": "q",
            "scales": [{"id": "q", "levels": LEVELS}],
            "domains": [{"id": "d", "title": "D", "criteria": list(criteria), **domain}],
        }
    )


EHCP = {"id": "ehcp", "text": "Pupils with an EHC plan", "kind": "number", "bands": "0..=1"}
REVIEWS = {
    "id": "ar",
    "text": "Every EHC plan had an annual review within 12 months",
    "kind": "yes_no",
    "statutory": True,
    "applies_if": "ehcp > 0",
}
ROLL = {"id": "sen", "text": "Pupils on the SEN register", "kind": "number", "bands": "0..=1"}
HOURS = {
    "id": "hours",
    "text": "Protected SENCO hours a week",
    "kind": "number",
    "unit": "hours",
    "bands": PER_10,
    "per": 10,
    "per_measure": "sen",
    "per_label": "pupils on the SEN register",
}


def score(fw, answers: dict, context: ReviewContext):
    rows = pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)
    return score_review(fw, rows, context)


def test_a_duty_stops_applying_when_an_earlier_answer_rules_it_out():
    fw = framework(EHCP, REVIEWS)
    none = score(fw, {"ehcp": "0", "ar": "no"}, ReviewContext.of("primary"))
    assert none.compliance == [] and not none.overall.limited
    some = score(fw, {"ehcp": "3", "ar": "no"}, ReviewContext.of("primary"))
    assert [c.status for c in some.compliance] == ["not_met"] and some.overall.limited
    unknown = score(fw, {"ar": "no"}, ReviewContext.of("primary"))
    assert [c.status for c in unknown.compliance] == ["not_met"]  # no excuse from an unanswered question
    reason = not_applicable_reason(fw, fw.criteria_by_id["ar"], ReviewContext.of("primary"), {"ehcp": 0})
    assert reason == (
        'Does not apply because the answer to "Pupils with an EHC plan" is 0 (it applies only when that answer '
        "is more than 0)."
    )


def test_a_question_that_does_not_apply_drops_out_of_the_questions_counted():
    # "n of m questions answered": with no pupil with an EHC plan, the EHC plan duty is not one of the m
    fw, primary = framework(EHCP, REVIEWS), ReviewContext.of("primary")
    counted = {n: [q.id for q in questions_that_apply(fw, primary, given)] for n, given in (
        ("blank", {}), ("none", {"ehcp": "0"}), ("some", {"ehcp": "2"}), ("na", {"ehcp": "N/A"}),
    )}  # fmt: skip
    assert counted == {"blank": ["ehcp", "ar"], "none": ["ehcp"], "some": ["ehcp", "ar"], "na": ["ehcp", "ar"]}
    assert len(applicable_criteria(fw, primary)) == 2  # still shown, with its reason


def test_school_characteristics_decide_what_applies_and_say_why():
    fw = framework(
        {"id": "nur", "text": "Nursery", "kind": "rating", "phases": "early_years"},
        {"id": "six", "text": "Sixth form", "kind": "rating", "phases": "post_16"},
        {"id": "main", "text": "Mainstream only", "kind": "rating", "requires": "mainstream"},
    )
    ids = lambda ctx: [c.id for c in applicable_criteria(fw, ctx)]  # noqa: E731
    assert ids(ReviewContext.of("primary")) == ["main"]
    assert ids(ReviewContext.of("primary", has_nursery=True)) == ["nur", "main"]
    assert ids(ReviewContext.of("secondary", has_sixth_form=True)) == ["six", "main"]
    assert ids(ReviewContext.of("special")) == []
    why = not_applicable_reason(fw, fw.criteria_by_id["main"], ReviewContext.of("special"), {})
    assert why == "Does not apply because it is for mainstream schools (not special schools) only."
    why = not_applicable_reason(fw, fw.criteria_by_id["nur"], ReviewContext.of("primary"), {})
    assert why == "Does not apply because it is for early years settings only, and this is a primary review."


def test_the_batch_reads_the_new_flags_and_mainstream_follows_the_phase():
    fw = framework({"id": "nur", "text": "Nursery", "kind": "rating", "phases": "early_years"})
    reviews = pd.DataFrame({"review_id": [1, 2], "phase": ["primary", "primary"], "has_nursery": [True, False]})
    rows = pd.DataFrame({"review_id": [1, 2], "criterion_id": ["nur", "nur"], "response": ["Embedded"] * 2})
    tables = score_reviews(fw, rows, reviews)
    assert tables.overall["applicable"].tolist() == [1, 0]


def test_a_number_is_banded_per_unit_of_an_earlier_answer_with_the_sum_in_words():
    fw = framework(ROLL, HOURS)
    ctx = ReviewContext.of("primary")
    result = score(fw, {"sen": "48", "hours": "6"}, ctx)  # 6 / 4.8 = 1.25 per 10 -> Developing
    assert result.domains[0].percent == pytest.approx(100 * (1 / 3) / 2)
    numbers = answer_numbers(fw, {"sen": "48", "hours": "6"})
    assert per_unit_sentence(fw, fw.criteria_by_id["hours"], ctx, numbers) == (
        "6 hours for 48 pupils on the SEN register = 1.25 hours per 10 pupils on the SEN register: Developing"
    )
    big = score(fw, {"sen": "12", "hours": "6"}, ctx)  # 5 per 10 -> Embedded
    assert big.domains[0].percent == pytest.approx(50.0)
    missing = score(fw, {"hours": "6"}, ctx)  # without the measure the hours cannot be judged
    assert missing.completion.answered == 0
    assert "answer how many pupils on the SEN register" in per_unit_sentence(
        fw, fw.criteria_by_id["hours"], ctx, {"hours": 6}
    )


def test_a_per_unit_number_can_use_a_school_measure_from_the_register():
    fw = framework({**HOURS, "per": 100, "per_measure": "school:pupils", "per_label": "pupils on roll"})
    low = score(fw, {"hours": "2"}, ReviewContext.of("primary", measures={"pupils": 400}))  # 0.5 -> Developing
    assert low.domains[0].band == "Developing"
    reviews = pd.DataFrame({"review_id": [1, 2], "phase": ["primary"] * 2, "pupils": [400, 50]})
    rows = pd.DataFrame({"review_id": [1, 2], "criterion_id": ["hours"] * 2, "response": ["2", "2"]})
    assert score_reviews(fw, rows, reviews).domains["band"].tolist() == ["Developing", "Embedded"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"applies_if": "later > 0"}, 'applies_if names "later", not an earlier question'),
        ({"applies_if": "ehcp = yes"}, "is a number question; compare with a number"),
        ({"per": 10}, "per and per_measure go together"),
        ({"per_measure": "school:cats", "per": 10}, 'no school measure "cats"'),
    ],
)
def test_conditions_and_measures_are_checked(change: dict, message: str):
    with pytest.raises(InvalidInput) as err:
        framework({**EHCP}, {"id": "x", "text": "X", "kind": "number", "bands": "0..=1", **change})
    assert message in str(err.value.problems[0])


def test_new_fields_round_trip_through_the_plain_form():
    fw = framework(EHCP, REVIEWS, ROLL, HOURS)
    assert framework_from_dict(framework_to_dict(fw)) == fw


def test_a_fact_is_asked_and_used_but_never_scored():
    fact = {**ROLL, "fact": True}
    del fact["bands"]
    fw = framework(fact, HOURS)
    result = score(fw, {"sen": "48", "hours": "6"}, ReviewContext.of("primary"))
    assert (result.completion.answered, result.completion.applicable) == (1, 1)
    assert result.domains[0].band == "Developing"
    with pytest.raises(InvalidInput):
        framework({**fact, "statutory": True, "kind": "yes_no"})
