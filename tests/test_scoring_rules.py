"""Every rule of docs/scoring.md, pinned by a small framework written inline, plus the six example vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from framework.library import framework_from_dict
from framework.models import Framework, ReviewContext
from framework.problems import InvalidInput
from scoring import ReviewScore, score_review, score_reviews
from scoring.bands import band_label
from tests.support import VECTORS as EXAMPLES

QUALITY = [
    {"points": 1, "label": "Emerging"},
    {"points": 2, "label": "Developing"},
    {"points": 3, "label": "Established"},
    {"points": 4, "label": "Embedded"},
]
OFTEN = [{"points": 0, "label": "Never"}, {"points": 1, "label": "Sometimes"}, {"points": 2, "label": "Always"}]
HOURS = "..2=1; 2..5=2; 5..10=3; 10..=4"


def make_framework(*domains: dict, **options: object) -> Framework:
    return framework_from_dict(
        {
            "id": "test",
            "title": "Test framework",
            "version": "1",
            "scale": "quality",
            "scales": [{"id": "quality", "levels": QUALITY}, {"id": "often", "levels": OFTEN}],
            "domains": list(domains),
            **options,
        }
    )


def domain(domain_id: str, *criteria: dict, **options: object) -> dict:
    return {"id": domain_id, "title": domain_id.title(), "criteria": list(criteria), **options}


def crit(criterion_id: str, kind: str = "rating", **options: object) -> dict:
    if kind == "number":
        options.setdefault("bands", HOURS)
    return {"id": criterion_id, "text": f"Question {criterion_id}", "kind": kind, **options}


def rows(answers: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)


def score(fw: Framework, answers: dict[str, object], phase: str = "primary", resourced: bool = False) -> ReviewScore:
    return score_review(fw, rows(answers), ReviewContext.of(phase, resourced))


def domain_score(result: ReviewScore, domain_id: str):
    return next(d for d in result.domains if d.domain_id == domain_id)


def problems_of(fw: Framework, answers: pd.DataFrame) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        score_review(fw, answers, ReviewContext.of("primary"))
    return [str(p) for p in raised.value.problems]


# --- the worked example of the spec --------------------------------------------------------------

WORKED = make_framework(
    domain(
        "leadership",
        crit("L1", weight=2),
        crit("L2"),
        crit("L3", "yes_no", statutory=True),
        crit("L4", "number"),
        crit("L5", "text"),
    )
)


def test_worked_example_of_the_spec_scores_60_emerging_and_limited():
    result = score(WORKED, {"L1": "Established", "L2": "embedded", "L3": "No", "L4": 6, "L5": "notes"})
    lead = domain_score(result, "leadership")
    assert lead.percent == pytest.approx(60.0)
    assert (lead.band, lead.limited, lead.answered, lead.applicable) == ("Emerging", True, 4, 4)
    assert lead.limited_by == ["L3"]
    assert [(c.criterion_id, c.status) for c in result.compliance] == [("L3", "not_met")]
    assert (result.overall.percent, result.overall.band, result.overall.limited) == (
        pytest.approx(60.0),
        "Emerging",
        True,
    )


def test_worked_example_without_the_statutory_no_is_not_capped():
    result = score(WORKED, {"L1": "Established", "L2": "embedded", "L3": "yes", "L4": 6})
    lead = domain_score(result, "leadership")
    # (2 x 2/3 + 1 + 1 + 2/3) / 5 = 80%: level 1 + 0.8 x 3 = 3.4, nearest Established
    assert (lead.percent, lead.band, lead.limited) == (pytest.approx(80.0), "Established", False)


# --- points and q -------------------------------------------------------------------------------

RATINGS = make_framework(domain("d", crit("a"), crit("b", scale="often")), min_completion=0)


@pytest.mark.parametrize("answer", ["Established", "established", "  ESTABLISHED ", 3, 3.0, "3"])
def test_rating_reads_a_label_in_any_case_or_its_points(answer):
    assert domain_score(score(RATINGS, {"a": answer}), "d").percent == pytest.approx(100 * 2 / 3)


def test_rating_on_a_second_scale_uses_that_scales_range():
    assert domain_score(score(RATINGS, {"b": "Sometimes"}), "d").percent == pytest.approx(50.0)
    assert domain_score(score(RATINGS, {"b": 0}), "d").percent == pytest.approx(0.0)


@pytest.mark.parametrize(("answer", "percent"), [("yes", 100.0), ("YES", 100.0), ("No", 0.0), ("nO", 0.0)])
def test_yes_is_the_top_and_no_the_bottom_of_the_default_scale(answer, percent):
    fw = make_framework(domain("d", crit("y", "yes_no")))
    assert domain_score(score(fw, {"y": answer}), "d").percent == pytest.approx(percent)


@pytest.mark.parametrize(
    ("hours", "level"), [(-3, 1), (1.99, 1), (2, 2), (4.5, 2), ("5", 3), (9.999, 3), (10, 4), ("1,000", 4)]
)
def test_number_scores_the_half_open_band_that_contains_it(hours, level):
    fw = make_framework(domain("d", crit("h", "number")))
    assert domain_score(score(fw, {"h": hours}), "d").percent == pytest.approx(100 * (level - 1) / 3)


def test_text_is_never_scored():
    fw = make_framework(domain("d", crit("a"), crit("t", "text")), domain("notes", crit("n", "text")))
    result = score(fw, {"a": "Embedded", "t": "anything at all", "n": "Emerging"})
    assert [d.domain_id for d in result.domains] == ["d"]  # a domain of text only is left out
    assert (domain_score(result, "d").answered, domain_score(result, "d").applicable) == (1, 1)
    assert result.completion.model_dump() == {"answered": 1, "applicable": 1}


def test_weights_weight_the_domain_percent():
    fw = make_framework(domain("d", crit("heavy", weight=3), crit("light", weight=1)))
    result = score(fw, {"heavy": "Embedded", "light": "Emerging"})
    assert domain_score(result, "d").percent == pytest.approx(75.0)


# --- which criteria count -----------------------------------------------------------------------

PHASED = make_framework(
    domain("all", crit("a1"), crit("a2", phases="secondary"), crit("a3", requires="resourced_provision")),
    domain("primary-only", crit("p1"), phases="primary, early_years"),
    domain("arp", crit("r1"), requires="resourced_provision"),
)


def test_a_domain_outside_the_schools_phase_is_left_out():
    result = score(PHASED, {"a1": "Embedded", "p1": "Embedded"}, phase="secondary")
    assert [d.domain_id for d in result.domains] == ["all"]


def test_a_criterion_outside_the_schools_phase_does_not_count():
    primary = domain_score(score(PHASED, {"a1": "Embedded"}, phase="primary"), "all")
    secondary = domain_score(score(PHASED, {"a1": "Embedded"}, phase="secondary"), "all")
    assert (primary.applicable, secondary.applicable) == (1, 2)


def test_a_domain_requiring_a_flag_counts_only_for_schools_with_it():
    assert "arp" not in [d.domain_id for d in score(PHASED, {"r1": "Embedded"}).domains]
    assert domain_score(score(PHASED, {"r1": "Embedded"}, resourced=True), "arp").percent == pytest.approx(100.0)


def test_a_criterion_requiring_a_flag_counts_only_for_schools_with_it():
    without = domain_score(score(PHASED, {"a1": "Embedded", "a3": "Emerging"}), "all")
    with_flag = domain_score(score(PHASED, {"a1": "Embedded", "a3": "Emerging"}, resourced=True), "all")
    assert (without.percent, without.applicable) == (pytest.approx(100.0), 1)
    assert (with_flag.percent, with_flag.applicable) == (pytest.approx(50.0), 2)


def test_rows_for_criteria_that_do_not_apply_are_ignored_whatever_they_hold():
    result = score(PHASED, {"a1": "Embedded", "a2": "not a level", "a3": "junk", "p1": "nonsense"}, phase="special")
    assert domain_score(result, "all").answered == 1


def test_a_criterion_that_does_not_apply_may_even_be_listed_twice():
    answers = pd.DataFrame({"criterion_id": ["a1", "p1", "p1"], "response": ["Embedded", "Emerging", "junk"]})
    assert domain_score(score_review(PHASED, answers, ReviewContext.of("special")), "all").percent == 100.0


def test_na_makes_a_criterion_not_applicable():
    fw = make_framework(domain("d", crit("a"), crit("b"), crit("c", "number")))
    result = score(fw, {"a": "Embedded", "b": "N/A", "c": "n/a"})
    assert (domain_score(result, "d").answered, domain_score(result, "d").applicable) == (1, 1)
    assert domain_score(result, "d").percent == pytest.approx(100.0)


def test_a_domain_answered_all_na_is_left_out():
    fw = make_framework(domain("d", crit("a")), domain("e", crit("b"), crit("c")))
    result = score(fw, {"a": "Embedded", "b": "N/A", "c": "NA"})
    assert [d.domain_id for d in result.domains] == ["d"]


def test_a_criterion_not_listed_counts_as_not_answered():
    fw = make_framework(domain("d", crit("a"), crit("b"), crit("c")))
    d = domain_score(score(fw, {"a": "Embedded", "b": "Emerging"}), "d")
    assert (d.answered, d.applicable, d.percent) == (2, 3, pytest.approx(50.0))


@pytest.mark.parametrize("blank", [None, np.nan, "", "   "])
def test_a_blank_response_counts_as_not_answered(blank):
    fw = make_framework(domain("d", crit("a"), crit("b")))
    d = domain_score(score(fw, {"a": "Embedded", "b": blank}), "d")
    assert (d.answered, d.applicable, d.percent) == (1, 2, pytest.approx(100.0))


# --- completion ---------------------------------------------------------------------------------


def _five_with(answered: int, min_completion: float):
    fw = make_framework(domain("d", *(crit(f"c{i}") for i in range(5))), min_completion=min_completion)
    return domain_score(score(fw, {f"c{i}": "Embedded" for i in range(answered)}), "d")


def test_exactly_min_completion_answered_gets_a_percent():
    assert _five_with(3, 0.6).percent == pytest.approx(100.0)


def test_below_min_completion_is_insufficient_evidence():
    d = _five_with(2, 0.6)
    assert (d.percent, d.band, d.limited, d.answered, d.applicable) == (None, "Insufficient evidence", False, 2, 5)


def test_min_completion_boundary_holds_where_floats_are_inexact():
    fw = make_framework(domain("d", *(crit(f"c{i}") for i in range(10))), min_completion=0.7)
    assert domain_score(score(fw, {f"c{i}": "Embedded" for i in range(7)}), "d").percent == pytest.approx(100.0)
    assert domain_score(score(fw, {f"c{i}": "Embedded" for i in range(6)}), "d").percent is None


def test_default_min_completion_is_one_half():
    fw = make_framework(domain("d", crit("a"), crit("b")))
    assert domain_score(score(fw, {"a": "Embedded"}), "d").percent == pytest.approx(100.0)
    assert (
        domain_score(score(make_framework(domain("d", crit("a"), crit("b"), crit("c"))), {"a": 1}), "d").percent is None
    )


def test_min_completion_zero_with_nothing_answered_still_has_no_percent():
    fw = make_framework(domain("d", crit("a")), min_completion=0)
    d = domain_score(score(fw, {}), "d")
    assert (d.percent, d.band, d.answered, d.applicable) == (None, "Insufficient evidence", 0, 1)


# --- bands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0.0, "Emerging"),
        (16.6, "Emerging"),
        (50 / 3 - 1e-6, "Emerging"),
        (50 / 3, "Developing"),  # level 1.5: a tie goes to the higher level
        (50.0, "Established"),  # level 2.5
        (49.999999999999986, "Established"),  # a tie that floating point missed by a hair is still a tie
        (49.9999, "Developing"),
        (83.33333333333334, "Embedded"),
        (100.0, "Embedded"),
    ],
)
def test_band_is_the_nearest_level_and_a_tie_goes_up(percent, band):
    assert band_label(WORKED, percent, limited=False) == band


def test_an_exact_tie_reached_through_weights_goes_to_the_higher_level():
    fw = make_framework(
        domain("d", crit("a", weight=1), crit("b", weight=2), crit("c", weight=1.5), crit("e", weight=0.5))
    )
    d = domain_score(score(fw, {"a": "Emerging", "b": "Established", "c": "Established", "e": "Developing"}), "d")
    assert (d.percent, d.band) == (pytest.approx(50.0), "Established")


def test_band_comes_from_the_unrounded_percent():
    fw = make_framework(domain("d", crit("a"), crit("b")))
    result = score(fw, {"a": "Embedded", "b": "Established"})  # 83.33...%: level 3.5, a tie, so Embedded
    assert domain_score(result, "d").band == "Embedded"
    assert result.to_spec_json()["domains"][0]["percent"] == 83.3  # though 83.3 alone would be Established


def test_bands_on_an_unevenly_spaced_default_scale_use_the_nearest_points():
    fw = framework_from_dict(
        {
            "id": "uneven",
            "title": "Uneven",
            "version": "1",
            "scale": "s",
            "scales": [
                {
                    "id": "s",
                    "levels": [
                        {"points": 0, "label": "Low"},
                        {"points": 1, "label": "Mid"},
                        {"points": 10, "label": "High"},
                    ],
                }
            ],
            "domains": [domain("d", crit("a"))],
        }
    )
    assert [band_label(fw, p, False) for p in (4.9, 5.0, 54.9, 55.0)] == ["Low", "Mid", "Mid", "High"]


# --- limiting judgement -------------------------------------------------------------------------

STATUTORY = make_framework(
    domain("duties", crit("s1", "yes_no", statutory=True), crit("q1"), crit("q2")),
    domain("practice", crit("p1"), crit("p2")),
)


def test_unmet_statutory_item_caps_domain_band():
    d = domain_score(score(STATUTORY, {"s1": "no", "q1": "Embedded", "q2": "Embedded"}), "duties")
    assert (d.percent, d.band, d.limited, d.limited_by) == (pytest.approx(200 / 3), "Emerging", True, ["s1"])


def test_met_statutory_item_does_not_cap():
    d = domain_score(score(STATUTORY, {"s1": "yes", "q1": "Embedded", "q2": "Embedded"}), "duties")
    assert (d.band, d.limited, d.limited_by) == ("Embedded", False, [])


def test_unanswered_statutory_item_does_not_cap():
    d = domain_score(score(STATUTORY, {"q1": "Embedded", "q2": "Embedded"}), "duties")
    assert (d.band, d.limited) == ("Embedded", False)


def test_custom_statutory_cap_caps_at_that_level():
    fw = make_framework(*STATUTORY.model_dump()["domains"], statutory_cap="developing")
    result = score(fw, {"s1": "no", "q1": "Embedded", "q2": "Embedded", "p1": "Embedded", "p2": "Embedded"})
    assert (domain_score(result, "duties").band, domain_score(result, "duties").limited) == ("Developing", True)
    assert (result.overall.band, result.overall.limited) == ("Developing", True)


def test_the_cap_never_raises_a_lower_band():
    fw = make_framework(*STATUTORY.model_dump()["domains"], statutory_cap="Established")
    d = domain_score(score(fw, {"s1": "no", "q1": "Developing", "q2": "Emerging"}), "duties")
    assert (d.percent, d.band, d.limited) == (pytest.approx(100 / 9), "Emerging", True)


def test_statutory_no_limits_the_overall_band_but_not_other_domains():
    result = score(STATUTORY, {"s1": "no", "q1": "Embedded", "q2": "Embedded", "p1": "Embedded", "p2": "Embedded"})
    practice = domain_score(result, "practice")
    assert (practice.band, practice.limited) == ("Embedded", False)
    assert (result.overall.percent, result.overall.band, result.overall.limited) == (
        pytest.approx((200 / 3 + 100) / 2),
        "Emerging",
        True,
    )


def test_statutory_no_in_a_domain_without_a_percent_limits_only_the_overall_band():
    result = score(STATUTORY, {"s1": "no", "p1": "Embedded", "p2": "Embedded"})
    duties = domain_score(result, "duties")
    assert (duties.percent, duties.band, duties.limited, duties.limited_by) == (
        None,
        "Insufficient evidence",
        False,
        ["s1"],
    )
    assert (result.overall.percent, result.overall.band, result.overall.limited) == (
        pytest.approx(100),
        "Emerging",
        True,
    )


# --- overall ------------------------------------------------------------------------------------


def test_overall_is_the_domain_weighted_mean_of_domains_with_a_percent():
    fw = make_framework(
        domain("a", crit("a1"), weight=3),
        domain("b", crit("b1"), weight=1),
        domain("c", crit("c1"), crit("c2"), crit("c3")),
    )
    result = score(fw, {"a1": "Embedded", "b1": "Emerging", "c1": "Emerging"})  # c: 1 of 3, insufficient
    assert result.overall.percent == pytest.approx(75.0)
    assert result.overall.band == "Established"  # 1 + 0.75 x 3 = 3.25
    assert result.completion.model_dump() == {"answered": 3, "applicable": 5}


def test_overall_is_insufficient_evidence_when_no_domain_has_a_percent():
    result = score(STATUTORY, {"s1": "no"})
    assert (result.overall.percent, result.overall.band, result.overall.limited) == (
        None,
        "Insufficient evidence",
        False,
    )


# --- statutory compliance -----------------------------------------------------------------------


def test_compliance_lists_every_applicable_statutory_item_in_framework_order():
    fw = make_framework(
        domain("a", crit("s1", "yes_no", statutory=True), crit("s2", "yes_no", statutory=True)),
        domain("b", crit("s3", "yes_no", statutory=True), crit("s4", "yes_no", statutory=True, phases="secondary")),
        domain("c", crit("s5", "yes_no", statutory=True)),
    )
    result = score(fw, {"s3": "Yes", "s1": "no", "s5": None})
    assert [(c.criterion_id, c.status, c.domain_id, c.text) for c in result.compliance] == [
        ("s1", "not_met", "a", "Question s1"),
        ("s2", "unknown", "a", "Question s2"),
        ("s3", "met", "b", "Question s3"),
        ("s5", "unknown", "c", "Question s5"),
    ]


# --- invalid input ------------------------------------------------------------------------------


def test_invalid_responses_raise_with_every_problem_and_its_row():
    fw = make_framework(
        domain(
            "d",
            crit("r"),
            crit("y", "yes_no"),
            crit("s", "yes_no", statutory=True),
            crit("h", "number", bands="0..10=2"),
        )
    )
    answers = pd.DataFrame(
        {
            "criterion_id": ["r", "nope", "y", "s", "h", "h", "r", "y"],
            "response": ["Outstanding", "yes", "maybe", "N/A", 11, "lots", "Embedded", "yes"],
        },
        dtype=object,
    )
    assert problems_of(fw, answers) == [
        'responses row 1: criterion "r": "Outstanding" is not an answer to this question '
        "(use one of Emerging, Developing, Established, Embedded)",
        'responses row 2: criterion "nope" is not in framework "test"',
        'responses row 3: criterion "y": answer yes or no (got "maybe")',
        'responses row 4: criterion "s": N/A is not allowed on a statutory criterion: answer yes or no',
        'responses row 5: criterion "h": 11 is outside every band of this question (0..10=2)',
        'responses row 6: criterion "h": expected a number (got "lots")',
        'responses row 6: criterion "h" is listed more than once (first at row 5)',
        'responses row 7: criterion "r" is listed more than once (first at row 1)',
        'responses row 8: criterion "y" is listed more than once (first at row 3)',
    ]


def test_a_missing_column_is_reported():
    fw = make_framework(domain("d", crit("a")))
    assert problems_of(fw, pd.DataFrame({"criterion_id": ["a"]})) == ["responses: missing column response"]


def test_a_boolean_cell_is_not_read_as_the_number_one():
    fw = make_framework(domain("d", crit("a"), crit("b")))
    answers = pd.DataFrame({"criterion_id": ["a", "b"], "response": [1, True]}, dtype=object)
    assert problems_of(fw, answers) == [
        'responses row 2: criterion "b": "True" is not an answer to this question '
        "(use one of Emerging, Developing, Established, Embedded)"
    ]
    answers = pd.DataFrame({"criterion_id": ["a", "b"], "response": [True, 1]}, dtype=object)
    assert [p.split(":")[0] for p in problems_of(fw, answers)] == ["responses row 1"]


# --- inputs in other shapes ---------------------------------------------------------------------


def test_extra_columns_and_evidence_are_ignored():
    fw = make_framework(domain("d", crit("a")))
    answers = pd.DataFrame({"criterion_id": ["a"], "response": ["Embedded"], "evidence": ["minutes"], "x": [1]})
    assert domain_score(score_review(fw, answers, ReviewContext.of("primary")), "d").percent == pytest.approx(100)


def test_an_empty_table_scores_everything_as_unanswered():
    fw = make_framework(domain("d", crit("a")))
    empty = pd.DataFrame(columns=["criterion_id", "response", "evidence"])
    result = score_review(fw, empty, ReviewContext.of("primary"), school_urn="100000")
    assert (result.school_urn, result.completion.answered, result.completion.applicable) == ("100000", 0, 1)
    assert domain_score(result, "d").band == "Insufficient evidence"


def test_categorical_and_string_columns_score_the_same_as_objects():
    fw = make_framework(domain("d", crit("a"), crit("b")))
    plain = rows({"a": "Embedded", "b": "developing"})
    typed = plain.astype({"criterion_id": "category", "response": "str"})
    ctx = ReviewContext.of("primary")
    assert score_review(fw, typed, ctx) == score_review(fw, plain, ctx)


def test_spec_json_has_the_keys_of_the_spec_in_order_and_rounds_percents():
    result = score(WORKED, {"L1": "Established", "L2": "Developing", "L3": "yes"})
    doc = result.to_spec_json()
    assert list(doc) == [
        "framework_id",
        "framework_version",
        "school_urn",
        "phase",
        "overall",
        "completion",
        "domains",
        "compliance",
    ]
    assert list(doc["overall"]) == ["percent", "band", "limited"]
    assert list(doc["domains"][0]) == ["domain_id", "title", "percent", "band", "limited", "answered", "applicable"]
    assert doc["domains"][0]["percent"] == 66.7  # (2 x 2/3 + 1/3 + 1) / 4 = 66.67%
    assert doc["compliance"] == [{"criterion_id": "L3", "status": "met"}]
    assert json.loads(json.dumps(doc)) == doc


# --- many reviews at once -----------------------------------------------------------------------


def test_score_reviews_scores_each_review_with_its_own_phase_and_flags():
    responses = pd.DataFrame(
        {
            "review_id": ["x", "x", "x", "y", "y", "z"],
            "criterion_id": ["a1", "a2", "r1", "a1", "a2", "r1"],
            "response": ["Embedded", "Emerging", "Developing", "Embedded", "Emerging", "no such level"],
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": ["x", "y", "z", "w"],
            "phase": ["secondary", "primary", "primary", "special"],
            "resourced_provision": [True, False, False, True],
        }
    )
    tables = score_reviews(PHASED, responses, reviews)
    overall = tables.overall.set_index("review_id")
    assert list(overall.index) == ["x", "y", "z", "w"]
    assert overall.loc["x", "percent"] == pytest.approx((50 + 100 / 3) / 2)
    assert overall.loc["y", "percent"] == pytest.approx(100.0)  # a2 is for secondary schools only
    assert np.isnan(overall.loc["z", "percent"])  # r1 does not apply, so its answer is ignored
    assert list(overall.loc["w", ["answered", "applicable"]]) == [0, 3]
    domains = tables.domains[tables.domains["review_id"] == "x"]
    assert list(domains["domain_id"]) == ["all", "arp"]
    assert list(tables.domains.columns) == [
        "review_id",
        "domain_id",
        "percent",
        "band",
        "limited",
        "answered",
        "applicable",
        "duties",
        "duties_met",
    ]
    assert list(tables.overall.columns) == ["review_id", "percent", "band", "limited", "answered", "applicable"]
    assert list(tables.compliance.columns) == ["review_id", "criterion_id", "status"]


def test_score_reviews_lists_compliance_per_review():
    responses = pd.DataFrame({"review_id": [1, 2], "criterion_id": ["s1", "s1"], "response": ["yes", "NO"]})
    reviews = pd.DataFrame({"review_id": [1, 2, 3], "phase": ["primary"] * 3, "resourced_provision": [False] * 3})
    compliance = score_reviews(STATUTORY, responses, reviews).compliance
    assert compliance.values.tolist() == [[1, "s1", "met"], [2, "s1", "not_met"], [3, "s1", "unknown"]]


def test_score_reviews_reports_unknown_reviews_and_bad_rows_together():
    responses = pd.DataFrame({"review_id": [1, 9, 1], "criterion_id": ["a1", "a1", "zz"], "response": ["Embedded"] * 3})
    reviews = pd.DataFrame({"review_id": [1], "phase": ["primary"], "resourced_provision": [False]})
    with pytest.raises(InvalidInput) as raised:
        score_reviews(PHASED, responses, reviews)
    assert [str(p) for p in raised.value.problems] == [
        'responses row 2: review "9" is not in the reviews table',
        'responses row 3: criterion "zz" is not in framework "test"',
    ]


def test_score_reviews_reports_bad_reviews():
    reviews = pd.DataFrame(
        {
            "review_id": [1, 1, 2],
            "phase": ["primary", "primary", "college"],
            "resourced_provision": [False, False, "maybe"],
        }
    )
    with pytest.raises(InvalidInput) as raised:
        score_reviews(PHASED, pd.DataFrame(columns=["review_id", "criterion_id", "response"]), reviews)
    assert [p.place for p in raised.value.problems] == ["reviews row 2", "reviews row 3", "reviews row 3"]


def test_duplicate_rows_across_different_reviews_are_fine():
    responses = pd.DataFrame({"review_id": [1, 2], "criterion_id": ["a1", "a1"], "response": ["Embedded", "Emerging"]})
    reviews = pd.DataFrame(
        {"review_id": [1, 2], "phase": ["primary", "primary"], "resourced_provision": [False, False]}
    )
    assert list(score_reviews(PHASED, responses, reviews).overall["percent"]) == [pytest.approx(100), pytest.approx(0)]


def test_counting_without_packing_gives_the_same_scores(monkeypatch):
    import scoring.review

    answers = {"s1": "no", "q1": "Embedded", "q2": "N/A", "p1": "Developing"}
    packed = score(STATUTORY, answers)
    monkeypatch.setattr(scoring.review, "PACK_LIMIT", 0.0)
    assert score(STATUTORY, answers) == packed


# --- the public test vectors (tests/vectors) ------------------------------------------------------


def _sheet(path: Path, name: str) -> list[dict]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    table = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(table[0], row, strict=False)) for row in table[1:] if any(v is not None for v in row)]


def _example_framework() -> Framework:
    """The example framework: by the workbook loader when it exists, else as the same data inline."""
    try:
        from framework.workbook import read_framework_workbook
    except ImportError:
        return _example_framework_inline()
    return read_framework_workbook((EXAMPLES / "framework.xlsx").read_bytes(), source="framework.xlsx")


def _example_framework_inline() -> Framework:
    quality = ["Emerging", "Developing", "Established", "Enhanced"]

    def c(cid, kind, weight=1, **more):
        return {"id": cid, "text": cid, "kind": kind, "weight": weight, **more}

    return framework_from_dict(
        {
            "id": "example-audit",
            "title": "Example SENCO audit (test vectors)",
            "version": "1.0",
            "scale": "quality",
            "min_completion": 0.5,
            "scales": [
                {"id": "quality", "levels": [{"points": i + 1, "label": lb} for i, lb in enumerate(quality)]},
                {
                    "id": "often",
                    "levels": [{"points": i, "label": lb} for i, lb in enumerate(["Never", "Sometimes", "Always"])],
                },
            ],
            "domains": [
                {
                    "id": "role",
                    "title": "Statutory role",
                    "weight": 2,
                    "criteria": [
                        c("role-1", "yes_no", statutory=True),
                        c("role-2", "yes_no", statutory=True),
                        c("role-3", "rating", 2),
                        c("role-4", "rating", scale="often"),
                    ],
                },
                {
                    "id": "time",
                    "title": "Time and workload",
                    "criteria": [c("time-1", "number", 2, bands=HOURS), c("time-2", "rating"), c("time-3", "text")],
                },
                {
                    "id": "records",
                    "title": "Records",
                    "phases": "primary,secondary,special,all_through",
                    "criteria": [
                        c("rec-1", "rating"),
                        c("rec-2", "yes_no", statutory=True),
                        c("rec-3", "rating", phases="primary"),
                    ],
                },
                {
                    "id": "arp",
                    "title": "Resourced provision",
                    "requires": "resourced_provision",
                    "criteria": [c("arp-1", "rating")],
                },
            ],
        }
    )


def _assert_same_scores(got: dict, expected: dict) -> None:
    def rounded(value):
        return None if value is None else pytest.approx(value, abs=0.05)

    assert {k: v for k, v in got.items() if k not in ("overall", "domains")} == {
        k: v for k, v in expected.items() if k not in ("overall", "domains")
    }
    assert got["overall"] == {**expected["overall"], "percent": rounded(expected["overall"]["percent"])}
    assert got["domains"] == [{**d, "percent": rounded(d["percent"])} for d in expected["domains"]]


@pytest.mark.parametrize("n", range(1, 7))
def test_example_vector_is_reproduced(n):
    review = {r["key"]: r["value"] for r in _sheet(EXAMPLES / f"responses-{n}.xlsx", "review")}
    answers = pd.DataFrame(_sheet(EXAMPLES / f"responses-{n}.xlsx", "responses"), dtype=object)
    context = ReviewContext.of(review["phase"], str(review.get("resourced_provision")).lower() == "yes")
    result = score_review(_example_framework(), answers, context, school_urn=str(review["school_urn"]))
    _assert_same_scores(result.to_spec_json(), json.loads((EXAMPLES / f"expected-{n}.json").read_text()))


@pytest.mark.parametrize("n", range(1, 7))
def test_example_vector_is_reproduced_by_the_inline_framework_too(n):
    review = {r["key"]: r["value"] for r in _sheet(EXAMPLES / f"responses-{n}.xlsx", "review")}
    answers = pd.DataFrame(_sheet(EXAMPLES / f"responses-{n}.xlsx", "responses"), dtype=object)
    context = ReviewContext.of(review["phase"], str(review.get("resourced_provision")).lower() == "yes")
    result = score_review(_example_framework_inline(), answers, context, school_urn=str(review["school_urn"]))
    _assert_same_scores(result.to_spec_json(), json.loads((EXAMPLES / f"expected-{n}.json").read_text()))
