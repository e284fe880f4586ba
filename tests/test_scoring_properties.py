"""Properties of scoring over random frameworks and answers (hypothesis), including agreement with a
plain, loop-per-answer reading of docs/scoring.md."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.library import framework_from_dict
from framework.models import PHASES, Framework, ReviewContext, criterion_applies
from framework.responses import read_response
from scoring import ReviewScore, score_review, score_reviews

pytestmark = pytest.mark.slow  # hypothesis compares the engine with a plain reading on many generated reviews

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LABELS = ["Emerging", "Developing", "Established", "Embedded", "Leading"]


@st.composite
def frameworks(draw) -> Framework:
    n_levels = draw(st.integers(2, 5))
    points = sorted(draw(st.lists(st.integers(-3, 12), min_size=n_levels, max_size=n_levels, unique=True)))
    quality = [{"points": p, "label": LABELS[i]} for i, p in enumerate(points)]
    often = [{"points": 0, "label": "Never"}, {"points": 1, "label": "Sometimes"}, {"points": 3, "label": "Always"}]
    bands = f"..2={points[0]}; 2..5={points[len(points) // 2]}; 5..={points[-1]}"
    domains = []
    for d in range(draw(st.integers(1, 3))):
        criteria = []
        for c in range(draw(st.integers(1, 5))):
            kind = draw(st.sampled_from(["rating", "rating", "yes_no", "number", "text"]))
            crit = {"id": f"d{d}c{c}", "text": f"Question {d}.{c}", "kind": kind}
            crit["weight"] = draw(st.sampled_from([0.5, 1, 1, 2, 3]))
            if kind == "rating" and draw(st.booleans()):
                crit["scale"] = "often"
            if kind == "yes_no":
                crit["statutory"] = draw(st.booleans())
            if kind == "number":
                crit["bands"] = bands
            crit["phases"] = draw(st.sampled_from(["", "", "primary", "secondary, special"]))
            crit["requires"] = draw(st.sampled_from(["", "", "", "resourced_provision"]))
            criteria.append(crit)
        domains.append(
            {
                "id": f"d{d}",
                "title": f"Domain {d}",
                "weight": draw(st.sampled_from([0.5, 1, 2, 3])),
                "phases": draw(st.sampled_from(["", "", "primary, secondary, special"])),
                "requires": draw(st.sampled_from(["", "", "", "resourced_provision"])),
                "criteria": criteria,
            }
        )
    return framework_from_dict(
        {
            "id": "prop",
            "title": "Property framework",
            "version": "1",
            "scale": "quality",
            "min_completion": draw(st.sampled_from([0, 0.25, 0.5, 0.6, 1])),
            "statutory_cap": draw(st.sampled_from([None, None, quality[-1]["label"], quality[0]["label"].upper()])),
            "scales": [{"id": "quality", "levels": quality}, {"id": "often", "levels": often}],
            "domains": domains,
        }
    )


def valid_answers(framework: Framework, criterion) -> list[object]:
    """Answers the rule book accepts, written in the ways respondents write them."""
    if criterion.kind == "text":
        return ["notes", "N/A"]
    na = [] if criterion.statutory else ["N/A", "n/a"]
    blanks = [None, float("nan"), "", " "]
    if criterion.kind == "yes_no":
        return ["yes", "No", "YES", "no", *na, *blanks]
    if criterion.kind == "number":
        return [0, 1.5, "2", 4.99, 5, 12, "1,000", *na, *blanks]
    scale = framework.scale_of(criterion)
    labels = [lv.label for lv in scale.levels]
    return [*labels, *(lb.lower() for lb in labels), *(lv.points for lv in scale.levels), *na, *blanks]


@st.composite
def reviews_of(draw, framework: Framework) -> tuple[dict[str, object], ReviewContext]:
    answers = {}
    for criterion in framework.criteria:
        if draw(st.integers(0, 4)) > 0:  # sometimes not listed at all
            answers[criterion.id] = draw(st.sampled_from(valid_answers(framework, criterion)))
    context = ReviewContext.of(draw(st.sampled_from(PHASES)), draw(st.booleans()))
    return answers, context


def as_rows(answers: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)


def reference_score(framework: Framework, answers: dict[str, object], context: ReviewContext) -> dict:
    """docs/scoring.md read literally, one answer at a time: what the vectorised engine must agree with."""
    scale = framework.default_scale
    low, high = scale.min_points, scale.max_points

    def band(percent: float | None, limited: bool) -> str:
        if percent is None:
            return "Insufficient evidence"
        target = low + percent / 100 * (high - low)
        best = min(abs(target - lv.points) for lv in scale.levels)
        level = [lv for lv in scale.levels if abs(target - lv.points) <= best + 1e-9 * (high - low)][-1]
        if limited and level.points > framework.cap_level.points:
            level = framework.cap_level
        return level.label

    domains, any_no = [], False
    for domain in framework.domains:
        answered = applicable = 0
        weights = weighted_q = 0.0
        said_no = False
        for criterion in domain.criteria:
            if not criterion.scored or not criterion_applies(framework, criterion, context):
                continue
            reading = read_response(framework, criterion, answers.get(criterion.id))
            if reading.not_applicable:
                continue
            applicable += 1
            if reading.points is not None:
                own = framework.scale_of(criterion)
                answered += 1
                weights += criterion.weight
                weighted_q += criterion.weight * (reading.points - own.min_points) / (own.max_points - own.min_points)
                said_no |= criterion.statutory and reading.value == "no"
        if applicable == 0:
            continue
        any_no |= said_no
        enough = answered > 0 and answered / applicable >= framework.min_completion - 1e-9
        percent = 100 * weighted_q / weights if enough else None
        domains.append((domain, percent, band(percent, said_no and enough), said_no and enough, answered, applicable))
    with_percent = [(d.weight, p) for d, p, *_ in domains if p is not None]
    overall = sum(w * p for w, p in with_percent) / sum(w for w, _ in with_percent) if with_percent else None
    limited = any_no and overall is not None
    return {
        "overall": (overall, band(overall, limited), limited),
        "domains": [(d.id, p, b, lim, a, n) for d, p, b, lim, a, n in domains],
    }


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


def assert_matches_reference(result: ReviewScore, expected: dict) -> None:
    overall = expected["overall"]
    assert close(result.overall.percent, overall[0])
    assert (result.overall.band, result.overall.limited) == overall[1:]
    got = [(d.domain_id, d.percent, d.band, d.limited, d.answered, d.applicable) for d in result.domains]
    assert [g[0] for g in got] == [e[0] for e in expected["domains"]]
    for g, e in zip(got, expected["domains"], strict=True):
        assert close(g[1], e[1]) and g[2:] == e[2:]


@st.composite
def framework_and_review(draw):
    framework = draw(frameworks())
    answers, context = draw(reviews_of(framework))
    return framework, answers, context


@SETTINGS
@given(framework_and_review())
def test_scores_agree_with_a_literal_reading_of_the_spec(case):
    framework, answers, context = case
    assert_matches_reference(
        score_review(framework, as_rows(answers), context), reference_score(framework, answers, context)
    )


@SETTINGS
@given(framework_and_review())
def test_percents_stay_within_0_and_100(case):
    framework, answers, context = case
    result = score_review(framework, as_rows(answers), context)
    for percent in [result.overall.percent, *(d.percent for d in result.domains)]:
        assert percent is None or 0.0 <= percent <= 100.0


@SETTINGS
@given(framework_and_review(), st.data())
def test_answering_a_criterion_at_the_top_level_never_lowers_its_domain(case, data):
    framework, answers, context = case
    candidates = [
        c for c in framework.criteria if c.kind in ("rating", "yes_no") and criterion_applies(framework, c, context)
    ]
    if not candidates:
        return
    criterion = data.draw(st.sampled_from(candidates))
    top = "yes" if criterion.kind == "yes_no" else framework.scale_of(criterion).levels[-1].label
    before = score_review(framework, as_rows(answers), context)
    after = score_review(framework, as_rows({**answers, criterion.id: top}), context)
    old = (
        next(d.percent for d in before.domains if d.domain_id == criterion.domain_id)
        if any(d.domain_id == criterion.domain_id for d in before.domains)
        else None
    )
    new = next(d.percent for d in after.domains if d.domain_id == criterion.domain_id)
    if old is not None:
        assert new is not None and new >= old - 1e-9


@SETTINGS
@given(framework_and_review(), st.randoms(use_true_random=False))
def test_the_order_of_response_rows_does_not_matter(case, random):
    framework, answers, context = case
    rows = as_rows(answers)
    shuffled = rows.sample(frac=1.0, random_state=random.randint(0, 2**31)).reset_index(drop=True)
    assert score_review(framework, shuffled, context) == score_review(framework, rows, context)


@SETTINGS
@given(frameworks().flatmap(lambda fw: st.tuples(st.just(fw), st.lists(reviews_of(fw), min_size=1, max_size=5))))
def test_score_review_equals_its_row_of_score_reviews(case):
    framework, reviews = case
    responses = pd.concat(
        [as_rows(answers).assign(review_id=f"r{i}") for i, (answers, _) in enumerate(reviews)], ignore_index=True
    )
    table = pd.DataFrame(
        {
            "review_id": [f"r{i}" for i in range(len(reviews))],
            "phase": [ctx.phase for _, ctx in reviews],
            "resourced_provision": ["resourced_provision" in ctx.flags for _, ctx in reviews],
        }
    )
    tables = score_reviews(framework, responses, table)
    for i, (answers, context) in enumerate(reviews):
        one = score_review(framework, as_rows(answers), context)
        overall = tables.overall[tables.overall["review_id"] == f"r{i}"].iloc[0]
        assert close(one.overall.percent, None if pd.isna(overall["percent"]) else overall["percent"])
        assert (one.overall.band, one.overall.limited) == (overall["band"], bool(overall["limited"]))
        assert (one.completion.answered, one.completion.applicable) == (overall["answered"], overall["applicable"])
        domains = tables.domains[tables.domains["review_id"] == f"r{i}"]
        assert [d.domain_id for d in one.domains] == list(domains["domain_id"])
        for d, row in zip(one.domains, domains.itertuples(), strict=True):
            assert close(d.percent, None if pd.isna(row.percent) else row.percent)
            assert (d.band, d.limited, d.answered, d.applicable) == (
                row.band,
                row.limited,
                row.answered,
                row.applicable,
            )
        compliance = tables.compliance[tables.compliance["review_id"] == f"r{i}"]
        assert [(c.criterion_id, c.status) for c in one.compliance] == list(
            zip(compliance["criterion_id"], compliance["status"], strict=True)
        )


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_is_accepted(phase):
    framework = framework_from_dict(
        {
            "id": "p",
            "title": "P",
            "version": "1",
            "scale": "s",
            "scales": [{"id": "s", "levels": [{"points": 0, "label": "No"}, {"points": 1, "label": "Yes"}]}],
            "domains": [{"id": "d", "title": "D", "criteria": [{"id": "c", "text": "c", "kind": "rating"}]}],
        }
    )
    assert score_review(framework, as_rows({"c": "yes"}), ReviewContext.of(phase)).overall.percent == 100.0
