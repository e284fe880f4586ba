"""Compliance as the gate (a framework's ``compliance_gate``, docs/scoring.md): statutory yes/no items cap a
domain but add nothing to its percent, so the level is carried by the quality items; a domain of duties
alone shows "n of m duties met" instead of a level. Off by default, so the published vectors keep their rule.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from exports.framework_workbook import write_framework_workbook
from framework.library import framework_from_dict, framework_to_dict
from framework.models import ReviewContext
from framework.problems import InvalidInput
from framework.workbook import read_framework_workbook
from scoring import criterion_contributions, priorities, score_review, score_reviews
from scoring.bands import DUTIES_ONLY

LEVELS = [{"points": p, "label": lbl} for p, lbl in enumerate(["Emerging", "Developing", "Established", "Embedded"], 1)]
PRIMARY = ReviewContext.of("primary")


def duty(cid: str) -> dict:
    return {"id": cid, "text": f"Duty {cid} is met", "kind": "yes_no", "statutory": True, "source": "Act s1"}


def rating(cid: str) -> dict:
    return {"id": cid, "text": f"Practice {cid} is strong", "kind": "rating"}


def framework(gate: bool) -> object:
    return framework_from_dict(
        {
            "id": "g",
            "title": "Gate",
            "version": "1",
            "scale": "q",
            "compliance_gate": gate,
            "scales": [{"id": "q", "levels": LEVELS}],
            "domains": [
                {"id": "law", "title": "Legal duties", "criteria": [duty(f"d{i}") for i in range(1, 5)]},
                {"id": "mixed", "title": "Mixed", "criteria": [duty("m1"), duty("m2"), rating("q1"), rating("q2")]},
            ],
        }
    )


def score(fw, answers: dict):
    rows = pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)
    return score_review(fw, rows, PRIMARY)


ALL_YES = {f"d{i}": "yes" for i in range(1, 5)} | {"m1": "yes", "m2": "yes"}
LOW_QUALITY = ALL_YES | {"q1": "Emerging", "q2": "Emerging"}


def test_a_domain_of_duties_alone_shows_its_compliance_not_a_level():
    result = score(framework(gate=True), LOW_QUALITY)
    law = {d.domain_id: d for d in result.domains}["law"]
    assert (law.percent, law.band, law.limited) == (None, DUTIES_ONLY, False)
    assert (law.duties, law.duties_met, law.duties_words, law.duties_only) == (4, 4, "4 of 4 duties met", True)
    assert law.band_words == "Duties only: 4 of 4 duties met"
    assert (law.answered, law.applicable) == (0, 0)  # duties are checked, not scored


def test_all_duties_met_and_low_quality_is_a_low_level():
    gated = {d.domain_id: d for d in score(framework(gate=True), LOW_QUALITY).domains}["mixed"]
    assert (gated.percent, gated.band, gated.duties_words) == (0.0, "Emerging", "2 of 2 duties met")
    # the same answers under the old rule: two Yes lift the domain to 50% although practice is weak
    counted = {d.domain_id: d for d in score(framework(gate=False), LOW_QUALITY).domains}["mixed"]
    assert (counted.percent, counted.band) == (50.0, "Established")


def test_an_unmet_duty_still_caps_its_domain_and_the_overall_band():
    answers = LOW_QUALITY | {"q1": "Embedded", "q2": "Embedded", "m2": "no", "d3": "no"}
    result = score(framework(gate=True), answers)
    mixed = {d.domain_id: d for d in result.domains}["mixed"]
    assert (mixed.percent, mixed.band, mixed.limited, mixed.limited_by) == (100.0, "Emerging", True, ["m2"])
    law = {d.domain_id: d for d in result.domains}["law"]
    assert (law.band, law.limited, law.limited_by, law.duties_words) == (
        DUTIES_ONLY,
        False,
        ["d3"],
        "3 of 4 duties met",
    )
    assert result.overall.percent == 100.0 and result.overall.limited and result.overall.band == "Emerging"
    assert [c.status for c in result.compliance].count("not_met") == 2


def test_min_completion_counts_the_quality_items_and_completion_leaves_duties_out():
    result = score(framework(gate=True), ALL_YES | {"q1": "Embedded"})
    mixed = {d.domain_id: d for d in result.domains}["mixed"]
    assert (mixed.answered, mixed.applicable, mixed.percent) == (1, 2, 100.0)
    assert (result.completion.answered, result.completion.applicable) == (1, 2)
    only_duties = score(framework(gate=True), ALL_YES)
    assert {d.domain_id: d.band for d in only_duties.domains}["mixed"] == "Insufficient evidence"


def test_without_the_setting_the_rule_is_as_before():
    fw = framework(gate=False)
    assert not fw.compliance_gate
    result = score(fw, LOW_QUALITY)
    law = {d.domain_id: d for d in result.domains}["law"]
    assert (law.percent, law.band, law.answered, law.applicable) == (100.0, "Embedded", 4, 4)
    assert "duties" not in result.to_spec_json()["domains"][0]
    gated = score(framework(gate=True), LOW_QUALITY).to_spec_json()["domains"][0]
    assert (gated["band"], gated["duties"], gated["duties_met"], gated["percent"]) == (DUTIES_ONLY, 4, 4, None)


def test_a_batch_scores_each_review_as_one_review_does():
    fw = framework(gate=True)
    answers = {"a": LOW_QUALITY, "b": LOW_QUALITY | {"d1": "no", "q2": "Embedded"}}
    rows = pd.DataFrame(
        [(rid, cid, given) for rid, given in answers.items() for cid, given in given.items()],
        columns=["review_id", "criterion_id", "response"],
    )
    tables = score_reviews(fw, rows, pd.DataFrame({"review_id": ["a", "b"], "phase": ["primary", "primary"]}))
    for rid, given in answers.items():
        one = score(fw, given)
        mine = tables.domains[tables.domains["review_id"] == rid]
        assert list(mine["band"]) == [d.band for d in one.domains]
        assert list(mine["duties_met"]) == [d.duties_met for d in one.domains]


def test_an_unmet_duty_is_the_first_priority_though_it_costs_no_percent():
    fw = framework(gate=True)
    rows = pd.DataFrame({"criterion_id": ["m1", "q1", "q2"], "response": ["no", "Developing", "Embedded"]})
    found = criterion_contributions(fw, rows, PRIMARY)
    mixed = found[found["domain_id"] == "mixed"].set_index("criterion_id")
    assert mixed.loc["m1", "shortfall"] == 0 and mixed.loc["q1", "shortfall"] == pytest.approx(1 / 3)
    assert list(priorities(found[found["domain_id"] == "mixed"])["criterion_id"]) == ["m1", "q1"]


def test_the_setting_is_read_and_written_in_yaml_and_the_authoring_workbook():
    fw = framework(gate=True)
    assert framework_to_dict(fw)["compliance_gate"] is True
    assert "compliance_gate" not in framework_to_dict(framework(gate=False))  # the default is not written
    assert read_framework_workbook(write_framework_workbook(fw)) == fw
    assert read_framework_workbook(write_framework_workbook(framework(gate=False))) == framework(False)


def test_a_bad_setting_in_the_workbook_names_its_cell():
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(write_framework_workbook(framework(gate=True))))
    sheet = book["framework"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "compliance_gate")
    row[1].value = "sometimes"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as caught:
        read_framework_workbook(out.getvalue())
    assert any(
        "compliance_gate must be yes or no" in p.message and p.place.startswith("framework!")
        for p in caught.value.problems
    )


def test_the_worked_example_of_the_scoring_contract_under_the_gate():
    # docs/scoring.md section 3: L3 leaves the sums, 100 x (2 x 2/3 + 1 + 2/3) / 4 = 75.0, capped at Emerging
    fw = framework_from_dict(
        {
            "id": "x", "title": "X", "version": "1", "scale": "q", "compliance_gate": True,
            "scales": [{"id": "q", "levels": LEVELS}],
            "domains": [{"id": "l", "title": "Leadership", "criteria": [
                {"id": "L1", "text": "a", "kind": "rating", "weight": 2},
                {"id": "L2", "text": "b", "kind": "rating"},
                duty("L3"),
                {"id": "L4", "text": "d", "kind": "number", "bands": "..2=1; 2..5=2; 5..10=3; 10..=4"},
                {"id": "L5", "text": "e", "kind": "text"},
            ]}],
        }
    )  # fmt: skip
    doc = score(fw, {"L1": "Established", "L2": "embedded", "L3": "No", "L4": "6", "L5": "notes"}).to_spec_json()
    assert doc["domains"] == [
        {"domain_id": "l", "title": "Leadership", "percent": 75.0, "band": "Emerging", "limited": True,
         "answered": 3, "applicable": 3, "duties": 1, "duties_met": 0}
    ]  # fmt: skip
