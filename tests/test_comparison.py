"""The comparison a user sees: hand-computed percentiles and medians, small groups, anonymity, SENCO time.

Each test builds a small register and a tiny framework whose percents are easy to work out by hand:
one rating question on a five-level scale gives 0, 25, 50, 75 or 100 per cent.
"""

from __future__ import annotations

import dataclasses
import io
import json

import openpyxl
import pandas as pd
import pytest

from data import comparison, groups, reviews
from data.access import OPERATOR, Actor, NotFound
from data.comparison import compare_school
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from exports.comparison_workbook import comparison_workbook
from framework.library import framework_from_dict
from framework.problems import InvalidInput
from tests.support.frameworks import store_framework
from tests.support.pages import share_all

LEVELS = ["One", "Two", "Three", "Four", "Five"]  # 0, 25, 50, 75, 100 per cent
TINY = framework_from_dict(
    {
        "id": "tiny",
        "title": "Tiny framework",
        "version": "1",
        "scale": "five",
        "scales": [
            {
                "id": "five",
                "levels": [{"points": i + 1, "label": lab, "descriptor": lab} for i, lab in enumerate(LEVELS)],
            }
        ],
        "domains": [
            {"id": "d1", "title": "First domain", "criteria": [{"id": "c1", "text": "Rate it.", "kind": "rating"}]},
            {
                "id": "time",
                "title": "Time",
                "criteria": [
                    {
                        "id": "time-hours-all",
                        "text": "Protected SENCO hours a week",
                        "kind": "number",
                        "unit": "hours per week",
                        "bands": "0..4=1; 4..8=3; 8..=5",
                    }
                ],
            },
        ],
    }
)
ME = "100000"


def school(urn: str, name: str, la: str = "North", phase: str = "primary", pupils: int = 200) -> dict:
    return {
        "urn": urn,
        "name": name,
        "la": la,
        "phase": phase,
        "type": "mainstream",
        "pupils": pupils,
        "fsm_pct": 20.0,
        "sen_support_pct": 13.0,
        "ehcp_pct": 2.0,
        "resourced_provision": False,
    }


def peer_urn(i: int) -> str:
    return str(100001 + i)


def build(db: Database, mine: int | None, peer_levels: list[int], *, hours: list[float] | None = None) -> None:
    """This school (level ``mine``, 1-5) and one peer per entry of ``peer_levels``, all submitted in 2025/26."""
    rows = [school(ME, "Target Primary")] + [school(peer_urn(i), f"Peer {i} Primary") for i in range(len(peer_levels))]
    upsert_schools(db, OPERATOR, pd.DataFrame(rows))
    store_framework(db, OPERATOR, TINY)
    hours = hours or [6.0] * (len(peer_levels) + 1)
    for urn, level, h in zip([r["urn"] for r in rows], [mine, *peer_levels], hours, strict=True):
        if level is not None:
            review(db, urn, level, h)
    share_all(db)


def review(db: Database, urn: str, level: int, hours: float, *, cycle: str = "2025/26", submit: bool = True) -> int:
    rid = reviews.start_review(
        db, OPERATOR, school_urn=urn, framework=TINY, cycle=cycle, phase="primary", resourced_provision=False
    )
    answers = pd.DataFrame(
        {"criterion_id": ["c1", "time-hours-all"], "response": [LEVELS[level - 1], f"{hours:g}"], "evidence": ""}
    )
    reviews.merge_answers(db, OPERATOR, rid, answers)
    if submit:
        reviews.submit_review(db, OPERATOR, rid)
    return rid


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    yield database
    database.dispose()


def domain(result: comparison.Comparison, domain_id: str) -> comparison.Measure:
    return next(m for m in result.domains if m.id == domain_id)


def test_percentile_median_and_quartile_match_hand_computed_values(db):
    # peers' percents: 0 25 50 75 100 50 25 75 100 0; the school has 75: 8 of 10 at or below it
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    d1 = domain(compare_school(db, OPERATOR, ME, "tiny", peers="la"), "d1")
    assert (d1.value, d1.band) == (75.0, "Four")
    assert d1.peers.values == (0.0, 0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0, 100.0)
    assert (d1.peers.n, d1.peers.level, d1.peers.median, d1.peers.percentile, d1.peers.quartile) == (
        10,
        "full",
        50.0,
        80.0,
        1,
    )
    assert d1.sentence("similar schools") == (
        "First domain: 75%, at or above 80% of similar schools (top quarter); "
        "peer median 50% (range 0% to 100%, 10 schools)."
    )


def test_overall_is_compared_too(db):
    # overall = mean of the two domains; every hours answer is 6, in the middle band (50%)
    build(db, 5, [1, 1, 1, 1, 1, 5, 5, 5, 5, 5])
    overall = compare_school(db, OPERATOR, ME, "tiny", peers="la").overall
    assert overall.value == 75.0
    assert overall.peers.values == (25.0,) * 5 + (75.0,) * 5
    assert (overall.peers.median, overall.peers.percentile) == (50.0, 100.0)


@pytest.mark.parametrize(
    ("n_peers", "level", "median", "low", "high"),
    [
        (4, "hidden", None, None, None),
        (5, "summary", 50.0, 0.0, 100.0),
        (9, "summary", 50.0, 0.0, 100.0),
        (10, "full", 50.0, 0.0, 100.0),
    ],
)
def test_small_groups_are_suppressed(db, n_peers, level, median, low, high):
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1][:n_peers] if n_peers != 4 else [1, 3, 3, 5])
    result = compare_school(db, OPERATOR, ME, "tiny", peers="la")
    d1 = domain(result, "d1")
    assert (d1.peers.n, d1.peers.level, d1.peers.median, d1.peers.low, d1.peers.high) == (
        n_peers,
        level,
        median,
        low,
        high,
    )
    shown = json.loads(json.dumps(result.to_json()))["domains"][0]
    if level == "full":
        assert shown["peer_percents"] == [0.0, 0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0, 100.0]
        assert (shown["percentile"], shown["suppressed"]) == (80.0, False)
    else:
        assert d1.peers.values == () and d1.peers.percentile is None
        assert "peer_percents" not in shown and "percentile" not in shown
        assert shown["suppressed"] is True and str(n_peers) in shown["reason"]
    if level == "hidden":
        assert "peer_median" not in shown
        assert shown["sentence"] == (
            "First domain: 75%. Not compared: only 4 of the primary schools in North have a result, "
            "and figures for fewer than 5 schools could identify them."
        )
    if level == "summary":
        assert shown["peer_median"] == 50.0 and (shown["peer_low"], shown["peer_high"]) == (0.0, 100.0)


def test_peers_without_a_submitted_review_are_left_out_and_counted(db):
    build(db, 3, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    upsert_schools(db, OPERATOR, pd.DataFrame([school("100020", "Late Primary"), school("100021", "None Primary")]))
    review(db, "100020", 5, 6.0, submit=False)  # a draft does not count for a peer
    result = compare_school(db, OPERATOR, ME, "tiny", peers="la")
    assert (len(result.peers), result.with_result, domain(result, "d1").peers.n) == (12, 10, 10)
    assert result.summary().endswith(
        "2 have no submitted self-review of this framework in 2025/26, so they are left out."
    )
    assert {p.label: p.has_result for p in result.peers}["Late Primary"] is False


def test_a_school_user_never_receives_another_school_s_urn_or_name(db):
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    senco = Actor(id=99, email="senco@target.example", role="school", school_urn=ME)
    result = compare_school(db, senco, ME, "tiny", peers="similar")
    text = json.dumps(dataclasses.asdict(result), default=str) + json.dumps(result.to_json())
    workbook = openpyxl.load_workbook(io.BytesIO(comparison_workbook(result.to_json())))
    text += " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    for i in range(10):
        assert peer_urn(i) not in text
        assert f"Peer {i} Primary" not in text
    assert [p.label for p in result.peers] == [f"School {x}" for x in "ABCDEFGHIJ"]
    assert all(p.urn is None for p in result.peers) and result.names_shown is False
    assert "Target Primary" in text  # their own school, of course


def test_anonymous_labels_are_stable_between_requests(db):
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    upsert_schools(db, OPERATOR, pd.DataFrame([school("100030", "No Review Primary")]))
    senco = Actor(id=99, email="senco@target.example", role="school", school_urn=ME)
    first = compare_school(db, senco, ME, "tiny", peers="la")
    again = compare_school(db, senco, ME, "tiny", peers="la")
    assert first.peers == again.peers
    assert len([p for p in first.peers if not p.has_result]) == 1


def test_an_la_user_sees_names_in_their_la_and_letters_elsewhere(db):
    build(db, 4, [1, 2, 3, 4, 5])
    south = [school(f"20000{i}", f"Southern {i} Primary", la="South") for i in range(5)]
    upsert_schools(db, OPERATOR, pd.DataFrame(south))
    for row in south:  # five of them, so that "phase" and "la" differ by enough schools to be shown
        review(db, row["urn"], 2, 6.0)
    advisor = Actor(id=98, email="advisor@north.example", role="la", la="North")
    result = compare_school(db, advisor, ME, "tiny", peers="phase")
    labels = {p.label: p.urn for p in result.peers}
    assert labels == {**{f"Peer {i} Primary": peer_urn(i) for i in range(5)}, **{f"School {c}": None for c in "ABCDE"}}
    assert "200001" not in json.dumps(result.to_json()) and "Southern" not in json.dumps(result.to_json())
    assert result.names_shown is False
    with pytest.raises(NotFound):
        compare_school(db, Actor(id=97, email="a@south.example", role="la", la="South"), ME, "tiny")


def test_a_named_group_is_a_peer_set(db):
    build(db, 4, [1, 2, 3, 4, 5, 3])
    advisor = Actor(id=None, email="advisor@north.example", role="la", la="North")
    group_id = groups.create_group(db, advisor, "Riverside cluster", [ME, *(peer_urn(i) for i in range(5))])
    result = compare_school(db, advisor, ME, "tiny", peers=f"group:{group_id}")
    assert result.noun == "schools in Riverside cluster"
    assert [p.urn for p in result.peers] == [peer_urn(i) for i in range(5)]
    assert domain(result, "d1").peers.median == 50.0
    with pytest.raises(InvalidInput):
        compare_school(db, advisor, ME, "tiny", peers="cluster")


def test_the_school_s_own_review_in_progress_is_shown_and_said_so(db):
    build(db, None, [1, 2, 3, 4, 5])
    review(db, ME, 2, 6.0, submit=False)
    result = compare_school(db, OPERATOR, ME, "tiny", peers="la")
    assert (result.own_status, domain(result, "d1").value) == ("draft", 25.0)


def test_trend_has_the_school_and_the_peer_median_for_each_cycle(db):
    build(db, 4, [1, 2, 3, 4, 5])
    review(db, ME, 2, 6.0, cycle="2024/25")
    for i, level in enumerate([1, 1, 3, 3, 5]):
        review(db, peer_urn(i), level, 6.0, cycle="2024/25")
    result = compare_school(db, OPERATOR, ME, "tiny", peers="la")
    d1 = [(t.cycle, t.value, t.peer_median, t.peer_count) for t in result.trend if t.measure_id == "d1"]
    assert d1 == [("2024/25", 25.0, 50.0, 5), ("2025/26", 75.0, 50.0, 5)]
    assert compare_school(db, OPERATOR, ME, "tiny", "2024/25", peers="la").cycle == "2024/25"


def test_a_resubmitted_review_is_scored_afresh(db):
    build(db, 4, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    first = domain(compare_school(db, OPERATOR, ME, "tiny", peers="la"), "d1").peers.values
    rid = next(r.id for r in reviews.list_reviews(db, OPERATOR) if r.school_urn == peer_urn(0))
    reviews.reopen_review(db, OPERATOR, rid, "wrong level")
    reviews.merge_answers(
        db, OPERATOR, rid, pd.DataFrame({"criterion_id": ["c1"], "response": ["Five"], "evidence": ""})
    )
    reviews.submit_review(db, OPERATOR, rid)
    again = domain(compare_school(db, OPERATOR, ME, "tiny", peers="la"), "d1").peers.values
    assert first == (0.0, 0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0, 100.0)
    assert again == (0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0, 100.0, 100.0)


def test_senco_time_per_100_pupils_and_per_pupil_on_the_sen_register(db):
    # 200 pupils, 15% SEN: 30 on the register. 6 hours: 3.0 per 100 pupils, 12 minutes per SEN pupil
    build(db, 4, [1] * 10, hours=[6.0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12])
    senco = compare_school(db, OPERATOR, ME, "tiny", peers="la").senco
    assert senco is not None and (senco.pupils, senco.sen_pupils) == (200.0, 30.0)
    hours, per_100, per_pupil = senco.measures
    assert (hours.value, per_100.value, per_pupil.value) == (6.0, 3.0, 12.0)
    assert (hours.peers.median, hours.peers.percentile) == (6.0, 50.0)
    assert per_pupil.peers.values == (2.0, 4.0, 6.0, 8.0, 10.0, 14.0, 16.0, 18.0, 20.0, 24.0)
    assert senco.survey[0].year == 2020 and "primary" in senco.survey[0].finding
    assert "No national survey has published a median" in senco.note
    shown = compare_school(db, OPERATOR, ME, "tiny", peers="la").to_json()["senco_time"]
    assert shown["survey_label"] == "national survey (self-selected sample)"
    assert shown["measures"][0]["peer_values"] == [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0, 9.0, 10.0, 12.0]


def test_cycles_offer_the_school_s_latest_first(db):
    build(db, 4, [1, 2, 3, 4, 5])
    review(db, peer_urn(0), 3, 6.0, cycle="2026/27")
    assert comparison.cycles_for(db, OPERATOR, ME, "tiny") == (["2026/27", "2025/26"], "2025/26")


def test_the_workbook_holds_what_the_screen_shows_with_every_cell_sanitised(db):
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    upsert_schools(db, OPERATOR, pd.DataFrame([school("100040", "=HYPERLINK(1) Primary")]))
    result = compare_school(db, OPERATOR, ME, "tiny", peers="la")
    workbook = openpyxl.load_workbook(io.BytesIO(comparison_workbook(result.to_json())))
    assert workbook.sheetnames == ["summary", "domains", "peers", "senco_time", "trend"]
    rows = list(workbook["domains"].iter_rows(values_only=True))
    assert rows[0][:6] == ("domain_id", "title", "this school", "band", "peers with a result", "peer median")
    first = next(r for r in rows if r[0] == "d1")
    assert first[2:11] == (75, "Four", 10, 50, 0, 100, 80, 1, "0, 0, 25, 25, 50, 50, 75, 75, 100, 100")
    peers = {r[0]: r[1:] for r in workbook["peers"].iter_rows(min_row=2, values_only=True)}
    assert peers["'=HYPERLINK(1) Primary"] == ("100040", "no")
