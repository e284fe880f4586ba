"""Rater agreement (docs/agreement.md): the worked example, hand-worked cases, the undefined ones, and the
library cross-checks (scikit-learn's quadratic kappa, the krippendorff package)."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.library import framework_from_dict
from framework.models import Framework
from framework.problems import InvalidInput
from scoring.agreement import (
    ALPHA_ONE_VALUE,
    ALPHA_TOO_FEW,
    KAPPA_NO_SPREAD,
    KAPPA_TOO_FEW,
    VisitAgreement,
    agreement_for_visits,
    alpha_ordinal,
    pair_statistics,
    visit_agreement,
)
from scoring.agreement_words import calibration_sentence, pair_sentence, rater_names, to_json

QUALITY = ["Emerging", "Developing", "Established", "Embedded"]


def framework() -> Framework:
    rating = [{"id": f"L{i}", "text": f"Leadership {i}", "kind": "rating"} for i in range(1, 6)]
    return framework_from_dict(
        {
            "id": "test",
            "title": "Test",
            "version": "1",
            "scale": "quality",
            "scales": [
                {"id": "quality", "levels": [{"points": i + 1, "label": lv} for i, lv in enumerate(QUALITY)]},
                {
                    "id": "often",
                    "levels": [
                        {"points": p, "label": lv} for p, lv in enumerate(["Rarely", "Sometimes", "Often", "Always"])
                    ],
                },
                {"id": "three", "levels": [{"points": p, "label": lv} for p, lv in enumerate(["Low", "Mid", "High"])]},
            ],
            "domains": [
                {"id": "leadership", "title": "Leadership", "criteria": rating},
                {
                    "id": "records",
                    "title": "Records",
                    "criteria": [
                        {"id": "R1", "text": "Duty", "kind": "yes_no", "statutory": True},
                        {"id": "R2", "text": "Hours", "kind": "number", "bands": "..2=1; 2..5=2; 5..10=3; 10..=4"},
                        {"id": "R3", "text": "How often", "kind": "rating", "scale": "often"},
                        {"id": "R4", "text": "Three-level", "kind": "rating", "scale": "three"},
                        {"id": "R5", "text": "Notes", "kind": "text"},
                        {"id": "R6", "text": "Optional", "kind": "yes_no"},
                    ],
                },
            ],
        }
    )


FW = framework()


def visit(answers: dict[str, dict[str, object]], roles: dict[str, str] | None = None) -> VisitAgreement:
    roles = roles or {}
    raters = [
        {
            "rater": key,
            "role": roles.get(key, "self" if key == "self" else "agreed" if key == "agreed" else "peer"),
            "phase": "primary",
            "resourced_provision": False,
        }
        for key in answers
    ]
    frames = {key: pd.DataFrame({"criterion_id": list(a), "response": list(a.values())}) for key, a in answers.items()}
    return visit_agreement(FW, raters, frames)


def leadership(levels: list[int]) -> dict[str, object]:
    return {f"L{i + 1}": QUALITY[x] for i, x in enumerate(levels)}


def test_the_worked_example() -> None:
    v = visit({"self": leadership([3, 2, 2, 1, 0]), "r1": leadership([3, 3, 2, 0, 0])})
    pair = v.overall.pair("self", "r1")
    assert (pair.n, pair.exact, pair.within_one) == (5, 0.6, 1.0)
    assert pair.kappa == pytest.approx(1 - (2 / 45) / 0.32)
    assert round(pair.kappa, 3) == 0.861
    assert round(v.overall.alpha, 3) == 0.847
    doc = to_json(v, {"visit_id": 1})
    assert doc["agreement"]["overall"] == {
        "alpha": 0.847,
        "pairs": [{"a": "self", "b": "r1", "n": 5, "exact": 0.6, "within_one": 1.0, "kappa": 0.861}],
    }
    json.dumps(doc)  # plain JSON, no NaN


def test_each_answer_is_placed_on_the_default_scale() -> None:
    v = visit(
        {
            "self": {"R1": "yes", "R2": 6, "R3": "Often", "R4": "Mid", "R5": "words", "R6": "N/A", "L1": "Embedded"},
            "r1": {"R1": "no", "R2": 1, "R3": "rarely", "R4": "High"},
        }
    )
    # yes = top (3), 6 hours is band 3 = level 2, Often = 2 of 0..3, Mid = q 0.5 -> round-half-up(1.5) = 2
    assert [v.rating("self", c) for c in ("R1", "R2", "R3", "R4", "R6", "L1")] == [3, 2, 2, 2, None, 3]
    assert [v.rating("r1", c) for c in ("R1", "R2", "R3", "R4")] == [0, 0, 0, 3]
    assert "R5" not in v.criterion_ids  # text is never on the scale
    assert v.levels == 4


def cohen_kappa_score(*args: object, **kwargs: object) -> float:
    """scikit-learn's, imported when a test asks: the import takes seconds, which every collection paid."""
    from sklearn.metrics import cohen_kappa_score as reference

    return float(reference(*args, **kwargs))


def test_hand_worked_three_raters_with_missing() -> None:
    v = visit({"self": leadership([3, 3, 2, 2]), "r1": leadership([2, 3, 2, 1, 1]), "r2": leadership([2, 2, 2, 1, 0])})
    assert [(p.a, p.b) for p in v.overall.pairs] == [("self", "r1"), ("self", "r2"), ("r1", "r2")]
    s1 = v.overall.pair("self", "r1")
    assert (s1.n, s1.n_exact, s1.n_within_one) == (4, 2, 4)
    assert s1.mean_difference == pytest.approx(0.5)
    r12 = v.overall.pair("r1", "r2")
    assert (r12.n, r12.n_exact, r12.n_within_one) == (5, 3, 5)
    assert r12.kappa == pytest.approx(
        cohen_kappa_score([2, 3, 2, 1, 1], [2, 2, 2, 1, 0], labels=[0, 1, 2, 3], weights="quadratic")
    )


def test_undefined_statistics_say_why() -> None:
    same = visit({"self": leadership([2, 2, 2]), "r1": leadership([2, 2, 2])})
    pair = same.overall.pair("self", "r1")
    assert (pair.exact, pair.kappa, pair.kappa_reason) == (1.0, None, KAPPA_NO_SPREAD)
    assert (same.overall.alpha, same.overall.alpha_reason) == (None, ALPHA_ONE_VALUE)
    one = visit({"self": leadership([2]), "r1": leadership([3, 1])})
    assert (one.overall.pair("self", "r1").kappa, one.overall.pair("self", "r1").kappa_reason) == (None, KAPPA_TOO_FEW)
    assert (one.overall.alpha, one.overall.alpha_reason) == (None, ALPHA_TOO_FEW)
    none = visit({"self": {}, "r1": leadership([1])})
    assert (none.overall.pair("self", "r1").exact, none.overall.pair("self", "r1").n) == (None, 0)
    words = pair_sentence(same.overall.pair("self", "r1"), rater_names(same))
    assert "not given" in words and "nan" not in words.lower()


def test_one_rater_constant_the_other_not_is_defined() -> None:
    v = visit({"self": leadership([2, 2, 2]), "r1": leadership([1, 2, 3])})
    assert v.overall.pair("self", "r1").kappa == pytest.approx(0.0)


def test_agreed_review_is_paired_with_self_but_left_out_of_alpha() -> None:
    with_agreed = visit(
        {"self": leadership([3, 2, 2, 1, 0]), "r1": leadership([3, 3, 2, 0, 0]), "agreed": leadership([0, 0, 0, 3, 3])}
    )
    assert [(p.a, p.b) for p in with_agreed.overall.pairs] == [("self", "r1"), ("self", "agreed")]
    assert round(with_agreed.overall.alpha, 3) == 0.847
    doc = to_json(with_agreed, {})
    assert [r["key"] for r in doc["raters"]] == ["self", "r1"]
    assert doc["criteria"][0] == {
        "criterion_id": "L1",
        "domain_id": "leadership",
        "ratings": {"self": 3, "r1": 3},
        "agreed": 0,
    }


def test_per_domain_and_sentences() -> None:
    v = visit(
        {
            "self": leadership([3, 2]) | {"R1": "yes", "R3": "Always"},
            "r1": leadership([3, 3]) | {"R1": "yes", "R3": "Often"},
        }
    )
    records = next(d for d in v.domains if d.domain_id == "records")
    assert (records.pair("self", "r1").n, records.pair("self", "r1").n_exact) == (2, 1)
    text = pair_sentence(v.overall.pair("self", "r1"), rater_names(v))
    assert text.startswith(
        "The school's self-review and reviewer 1 agreed exactly on 2 of 4 criteria and were within one level on 4."
    )


def test_a_criterion_the_framework_lacks_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not in framework"):
        visit({"self": {"Z9": "yes"}, "r1": leadership([1])})


def test_calibration_sentences() -> None:
    assert (
        calibration_sentence("Record-keeping", 1)
        == "Your self-review was one band above the agreed judgement in Record-keeping."
    )
    assert (
        calibration_sentence("Leadership", -2)
        == "Your self-review was two bands below the agreed judgement in Leadership."
    )
    assert calibration_sentence("Leadership", 0) == "Your self-review matched the agreed judgement in Leadership."


def test_many_visits_in_one_call_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(7)
    raters, rows = [], []
    for v in range(20):
        for key, role in (("self", "self"), ("r1", "peer"), ("r2", "la")):
            raters.append({"visit_id": v, "rater": key, "role": role, "phase": "primary", "resourced_provision": False})
            for i in range(1, 6):
                if rng.random() < 0.85:
                    rows.append(
                        {"visit_id": v, "rater": key, "criterion_id": f"L{i}", "response": QUALITY[rng.integers(0, 4)]}
                    )
    batch = agreement_for_visits(FW, pd.DataFrame(rows), pd.DataFrame(raters))
    for v in (0, 7, 19):
        answers = {
            key: {r["criterion_id"]: r["response"] for r in rows if r["visit_id"] == v and r["rater"] == key}
            for key in ("self", "r1", "r2")
        }
        one = visit(answers, {"r2": "la"})
        assert to_json(one, {}) == to_json(batch[v], {})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 3), st.integers(-1, 3)), min_size=0, max_size=15))
def test_kappa_equals_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    a = np.array([[p[0] for p in pairs]], dtype=np.int64).reshape(1, -1)
    b = np.array([[p[1] for p in pairs]], dtype=np.int64).reshape(1, -1)
    n, exact, _within, kappa, _, _ = pair_statistics(a, b, np.ones((a.shape[1], 1)))
    both = [(x, y) for x, y in pairs if x >= 0 and y >= 0]
    assert n[0, 0] == len(both)
    assert exact[0, 0] == sum(x == y for x, y in both)
    if len(both) >= 2:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = cohen_kappa_score(
                    [x for x, _ in both], [y for _, y in both], labels=[0, 1, 2, 3], weights="quadratic"
                )
        if np.isfinite(want):
            assert kappa[0, 0] == pytest.approx(want, abs=1e-9)
        else:
            assert np.isnan(kappa[0, 0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 3), min_size=3, max_size=3), min_size=0, max_size=12))
def test_alpha_equals_the_krippendorff_package(units: list[list[int]]) -> None:
    data = np.array(units, dtype=np.int64).reshape(-1, 3).T  # raters x units
    counts = (data[:, :, None] == np.arange(4)).sum(axis=0)
    got, reasons = alpha_ordinal(counts, np.zeros(len(counts), dtype=np.int64), 1)
    pairable = data[:, (data >= 0).sum(axis=0) >= 2]
    if pairable.shape[1] < 2 or len(set(pairable[pairable >= 0].tolist())) < 2:
        assert np.isnan(got[0]) and reasons[0]
        return
    want = krippendorff.alpha(
        reliability_data=np.where(pairable >= 0, pairable, np.nan).astype(float),
        level_of_measurement="ordinal",
        value_domain=[0, 1, 2, 3],
    )
    assert got[0] == pytest.approx(want, abs=1e-9)


def test_criteria_to_discuss() -> None:
    from scoring.agreement import to_discuss

    v = visit({"self": leadership([3, 2, 1, 3]), "r1": leadership([1, 2, 1, 2]), "r2": leadership([2, 2, 1, 2])})
    assert to_discuss(v) == {
        "L1": "ratings 2 levels apart and self-review above every reviewer",
        "L4": "self-review above every reviewer",
    }
