"""Reviews keep the framework version they were answered on: a new built-in version scores only new reviews."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data import reviews
from data.access import OPERATOR, Actor
from data.frameworks import ensure_builtin, get_framework, list_frameworks
from data.schools import upsert_schools
from data.setup import open_database
from framework.library import builtin_framework, load_framework_file
from scoring import score_review
from tests.support.frameworks import store_framework

OLD = load_framework_file(Path(__file__).parent / "data" / "senco-role-audit-2026.1.yaml")
V2 = load_framework_file(Path(__file__).parent / "data" / "senco-role-audit-2026.2.yaml")  # before compliance_gate
LA = Actor(id=None, email="advisor@north.example", role="la", la="North")
# answers given on 2026.1, including questions 2026.2 no longer has
ANSWERS = {
    "role-designated": "yes",
    "role-eligible": "yes",
    "role-qualification-rule": "no",
    "role-decided-by-governors": "yes",
    "role-job-description": "Established",
    "time-hours-primary": "6",
    "time-matches-need": "Developing",
    "time-kept-protected": "Usually",
    "time-admin-primary": "2",
    "rec-ehc-reviews-all-on-time": "yes",
    "rec-ehc-reviews-pct": "85",
}


@pytest.fixture
def db(database_url: str):
    database = open_database(database_url)
    school = {"urn": ["900001"], "name": ["Alder Primary"], "la": ["North"], "phase": ["primary"], "type": [""],
              "pupils": [200], "fsm_pct": [20.0], "sen_support_pct": [12.0], "ehcp_pct": [2.0],
              "resourced_provision": [False], "has_nursery": [True]}  # fmt: skip
    upsert_schools(database, OPERATOR, pd.DataFrame(school))
    store_framework(database, LA, OLD)  # as if stored when 2026.1 was the built-in version
    store_framework(database, LA, V2)  # ... and 2026.2
    ensure_builtin(database)
    yield database
    database.dispose()


def test_the_new_version_is_stored_beside_the_old_and_offered_for_new_reviews(db):
    assert OLD.version == "2026.1" and builtin_framework("senco-role-audit").version == "2026.3"
    newest = {fw.id: fw.version for fw in list_frameworks(db)}
    assert newest["senco-role-audit"] == "2026.3"
    assert get_framework(db, "senco-role-audit", "2026.1") == OLD
    assert get_framework(db, "senco-role-audit", "2026.2") == V2 and not V2.compliance_gate


def _answered_on(db, framework, answers: dict[str, str], cycle: str):  # type: ignore[no-untyped-def]
    """A primary review answered on ``framework``: the review as stored, its stored framework and its answers."""
    rid = reviews.start_review(
        db, OPERATOR, school_urn="900001", framework=framework, cycle=cycle, phase="primary",
        resourced_provision=False, role="la", has_nursery=False,
    )  # fmt: skip
    for cid, answer in answers.items():
        reviews.save_answer(db, OPERATOR, rid, cid, seen_version=0, response=answer)
    review = reviews.get_review(db, OPERATOR, rid)
    stored = get_framework(db, review.framework_id, review.framework_version)
    return review, stored, reviews.answers_frame(db, OPERATOR, rid)


def test_a_review_answered_on_the_old_version_still_scores_as_before(db):
    review, stored, frame = _answered_on(db, OLD, ANSWERS, "2024/25")
    now = score_review(stored, frame, review.context).to_spec_json()
    before = score_review(OLD, pd.DataFrame({"criterion_id": list(ANSWERS), "response": list(ANSWERS.values())}),
                          review.context).to_spec_json()  # fmt: skip
    assert now == before and now["framework_version"] == "2026.1"
    # by hand, on 2026.1's flat primary bands: 6 hours (3..7) and 2 admin hours (1..3) are Developing (1/3),
    # Developing 1/3, Usually 2/3: 100 x (1/3 + 1/3 + 2/3 + 1/3) / 4 = 41.7, level 2.25 -> Developing
    time = {d["domain_id"]: d for d in now["domains"]}["time"]
    assert (time["percent"], time["band"], time["answered"], time["applicable"]) == (41.7, "Developing", 4, 6)


# duties all met but practice weak: 2026.2 counted the duties in the percent, 2026.3 gates with them
ROLE_ANSWERS = {
    "role-designated": "yes",
    "role-eligible-qualified": "yes",
    "role-eligible-induction": "yes",
    "role-works-here": "yes",
    "role-decided-by-governors": "yes",
    "role-governors-monitor": "yes",
    "role-line-management": "Emerging",
    "role-job-description": "Emerging",
    "role-job-description-real": "Emerging",
    "role-own-development": "Emerging",
}


def test_a_review_answered_on_2026_2_keeps_its_rule_and_2026_3_lets_quality_carry_the_level(db):
    review, stored, frame = _answered_on(db, V2, ROLE_ANSWERS, "2025/26")
    before = {d.domain_id: d for d in score_review(stored, frame, review.context).domains}["role"]
    # 2026.2 by hand: six statutory Yes (q 1) and four Emerging (q 0): 100 x 6 / 10 = 60.0 -> Established
    assert (review.framework_version, round(before.percent, 1), before.band) == ("2026.2", 60.0, "Established")
    now = {d.domain_id: d for d in score_review(builtin_framework("senco-role-audit"), frame, review.context).domains}
    role = now["role"]
    # 2026.3: the duties only gate; governors monitoring (good practice, Yes) and four Emerging: 100 x 1 / 5 = 20.0
    assert (round(role.percent, 1), role.band, role.limited, role.duties_words) == (
        20.0, "Developing", False, "5 of 6 duties met",
    )  # fmt: skip
