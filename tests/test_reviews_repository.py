"""Reviews and answers in storage, on SQLite and PostgreSQL: saving, conflicts, locking, access."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data import consent, reviews, users
from data.access import OPERATOR, SHARE_WITH_LA, Actor, NotAllowed, NotFound
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import audit_log
from framework.library import framework_from_dict
from tests.support.frameworks import store_framework
from tests.support.pages import PASSWORD, add_user, share_all

FRAMEWORK = framework_from_dict(
    {
        "id": "mini",
        "title": "Mini",
        "version": "1",
        "scale": "q",
        "scales": [{"id": "q", "levels": [{"points": 1, "label": "Low"}, {"points": 2, "label": "High"}]}],
        "domains": [
            {
                "id": "d",
                "title": "Domain",
                "criteria": [
                    {"id": "a", "text": "A", "kind": "rating"},
                    {"id": "b", "text": "B", "kind": "yes_no", "statutory": True},
                ],
            }
        ],
    }
)

SCHOOL_A = Actor(id=None, email="senco@a.example", role="school", school_urn="900001")
SCHOOL_B = Actor(id=None, email="senco@b.example", role="school", school_urn="900002")
LA_NORTH = Actor(id=None, email="advisor@north.example", role="la", la="North")
LA_SOUTH = Actor(id=None, email="advisor@south.example", role="la", la="South")


@pytest.fixture
def db(database_url: str):
    database = open_database(database_url)
    register = pd.DataFrame(
        {
            "urn": ["900001", "900002"],
            "name": ["Alder Primary", "Birch Primary"],
            "la": ["North", "South"],
            "phase": ["primary", "primary"],
            "type": ["", ""],
            "pupils": [200, 300],
            "fsm_pct": [20.0, 25.0],
            "sen_support_pct": [12.0, 14.0],
            "ehcp_pct": [2.0, 3.0],
            "resourced_provision": [False, False],
        }
    )
    upsert_schools(database, OPERATOR, register)
    share_all(database)
    store_framework(database, OPERATOR, FRAMEWORK)
    yield database
    database.dispose()


def _start(db, actor=SCHOOL_A, urn="900001") -> int:
    return reviews.start_review(
        db, actor, school_urn=urn, framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )


def test_saved_answer_is_stored_and_versioned(db):
    rid = _start(db)
    first = reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=0, response="High")
    second = reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=1, evidence="SEN policy, p.3")
    stored = reviews.load_answers(db, SCHOOL_A, rid)["a"]
    assert (first.saved, second.saved) == (True, True)
    assert (stored.response, stored.evidence, stored.version) == ("High", "SEN policy, p.3", 2)


def test_stale_tab_cannot_overwrite_a_newer_answer(db):
    rid = _start(db)
    reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=0, response="Low")
    reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=1, response="High")  # the other tab
    stale = reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=1, response="Low")
    assert stale.saved is False
    assert stale.answer.response == "High" and stale.answer.version == 2
    assert reviews.load_answers(db, SCHOOL_A, rid)["a"].response == "High"


def test_submitted_review_is_locked_and_reopening_is_recorded(db):
    rid = _start(db)
    reviews.submit_review(db, SCHOOL_A, rid)
    with pytest.raises(NotAllowed):
        reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=0, response="High")
    with pytest.raises(ValueError):
        reviews.reopen_review(db, SCHOOL_A, rid, "  ")
    reviews.reopen_review(db, SCHOOL_A, rid, "The SEN governor asked us to add evidence")
    assert reviews.get_review(db, SCHOOL_A, rid).status == "draft"
    history = reviews.reopen_history(db, SCHOOL_A, rid)
    assert list(history["action"]) == ["review_submitted", "review_reopened"]
    assert history["detail"].iloc[-1] == "The SEN governor asked us to add evidence"
    assert history["who"].iloc[-1] == "senco@a.example"


def test_merge_counts_added_changed_cleared_and_unchanged(db):
    rid = _start(db)
    reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=0, response="Low")
    reviews.save_answer(db, SCHOOL_A, rid, "b", seen_version=0, response="yes")
    upload = pd.DataFrame({"criterion_id": ["a", "b"], "response": ["High", None], "evidence": ["", ""]})
    summary = reviews.merge_answers(db, SCHOOL_A, rid, upload, clear_blanks=True)
    assert summary == reviews.MergeSummary(added=0, changed=1, cleared=1, unchanged=0)
    again = reviews.merge_answers(db, SCHOOL_A, rid, upload, clear_blanks=True)
    assert again == reviews.MergeSummary(added=0, changed=0, cleared=0, unchanged=2)
    stored = reviews.load_answers(db, SCHOOL_A, rid)
    assert stored["a"].response == "High" and stored["b"].response is None


def test_school_cannot_see_or_change_another_schools_review(db):
    rid = _start(db, SCHOOL_B, "900002")
    with pytest.raises(NotFound):
        reviews.get_review(db, SCHOOL_A, rid)
    with pytest.raises(NotFound):
        reviews.load_answers(db, SCHOOL_A, rid)
    with pytest.raises(NotFound):
        reviews.save_answer(db, SCHOOL_A, rid, "a", seen_version=0, response="High")
    assert reviews.list_reviews(db, SCHOOL_A) == []
    with pytest.raises(NotAllowed):
        _start(db, SCHOOL_A, "900002")


def test_la_advisor_sees_only_schools_of_their_la(db):
    north = _start(db, SCHOOL_A, "900001")
    south = _start(db, SCHOOL_B, "900002")
    assert [r.id for r in reviews.list_reviews(db, LA_NORTH)] == [north]
    assert reviews.get_review(db, LA_SOUTH, south).school_name == "Birch Primary"
    with pytest.raises(NotFound):
        reviews.get_review(db, LA_SOUTH, north)
    with pytest.raises(NotAllowed):  # reading is allowed, writing the school's self-review is not
        reviews.save_answer(db, LA_NORTH, north, "a", seen_version=0, response="High")


def test_every_change_is_in_the_audit_log(db):
    rid = _start(db)
    reviews.submit_review(db, SCHOOL_A, rid)
    with db.read() as conn:
        actions = conn.execute(sa.select(audit_log.c.action).where(audit_log.c.review_id == rid)).scalars().all()
    assert actions == ["review_started", "review_submitted"]


def _existing(db, actor, urn="900001", **kw) -> list[int]:
    return [
        r.id for r in reviews.existing_reviews(db, actor, school_urn=urn, framework_id="mini", cycle="2025/26", **kw)
    ]


def test_existing_reviews_are_this_schools_framework_and_cycle_newest_first(db):
    first = _start(db)
    reviews.submit_review(db, SCHOOL_A, first)
    second = _start(db)
    reviews.start_review(
        db,
        SCHOOL_A,
        school_urn="900001",
        framework=FRAMEWORK,
        cycle="2024/25",
        phase="primary",
        resourced_provision=False,
    )
    assert _existing(db, SCHOOL_A) == [second, first]
    found = reviews.existing_reviews(db, SCHOOL_A, school_urn="900001", framework_id="mini", cycle="2025/26")
    assert [r.status for r in found] == ["draft", "submitted"]
    assert reviews.existing_reviews(db, SCHOOL_A, school_urn="900001", framework_id="other", cycle="2025/26") == []
    assert _existing(db, SCHOOL_A, role="la") == []  # only the kind of review the actor would start


def test_existing_reviews_are_only_those_the_actor_may_read(db):
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    north = add_user(db, "advisor@north.example", "la", la="North")
    colleague = add_user(db, "colleague@north.example", "la", la="North")
    south = add_user(db, "advisor@south.example", "la", la="South")
    own = _start(db)
    theirs = _start(db, SCHOOL_B, "900002")
    las = _start(db, north)

    assert _existing(db, SCHOOL_A) == [own]
    assert _existing(db, SCHOOL_A, "900002") == []  # another school's review does not exist for them
    assert _existing(db, SCHOOL_B, "900002") == [theirs]
    assert _existing(db, north) == [las]  # an LA advisor would start an LA review: the school's is not "the same"
    assert _existing(db, north, role="self") == [own]
    assert _existing(db, colleague) == [las]  # the school shares with its LA
    assert _existing(db, south) == [] and _existing(db, south, role="self") == []  # another LA's school

    consent.set_consent(db, OPERATOR, "900001", SHARE_WITH_LA, give=False)
    assert _existing(db, north) == [las]  # their own review stays theirs
    assert _existing(db, colleague) == [] and _existing(db, north, role="self") == []
    assert _existing(db, SCHOOL_A) == [own]  # a draft LA review is not the school's to read
    assert _existing(db, SCHOOL_A, role="la") == []
    reviews.submit_review(db, north, las)
    assert _existing(db, SCHOOL_A, role="la") == [las]  # a submitted review of the school is


def test_a_review_keeps_the_school_characteristics_it_started_with(db):
    nursery = pd.DataFrame({"urn": ["900001"], "name": ["Alder Primary"], "la": ["North"], "phase": ["primary"],
                            "type": [""], "pupils": [200], "fsm_pct": [20.0], "sen_support_pct": [12.0],
                            "ehcp_pct": [2.0], "resourced_provision": [False], "has_nursery": [True]})  # fmt: skip
    upsert_schools(db, OPERATOR, nursery)
    rid = _start(db)
    upsert_schools(db, OPERATOR, nursery.drop(columns="has_nursery"))  # a file without the flag leaves it
    review = reviews.get_review(db, SCHOOL_A, rid)
    assert review.has_nursery and not review.has_sixth_form
    assert review.context.phases == frozenset({"primary", "early_years"})
    assert dict(review.context.measures) == {"pupils": 200.0, "sen_pupils": 28.0}
    upsert_schools(db, OPERATOR, nursery.assign(has_nursery=[False]))
    assert reviews.get_review(db, SCHOOL_A, rid).has_nursery  # the stored review keeps its questions
