"""The visit pages under AppTest on SQLite and PostgreSQL: the visit, moderation with the agreed review,
and self versus agreed, each as the people who use them."""

from __future__ import annotations

from datetime import datetime

import pytest

from data import moderation, visits
from scoring import score_review
from tests.support.pages import app_as, open_page, prepared_site, texts
from tests.support.visits import FRAMEWORK, RATED, build, rate


@pytest.fixture
def world(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    built = build(db)
    for key, levels in (("peer1", [2, 3, 2, 1, 2, 2, 1, 1]), ("peer2", [2, 2, 3, 1, 1, 2, 1, 2])):
        rate(db, built.people[key], moderation.start_rating(db, built.people[key], built.visit_id), levels)
    yield built
    db.dispose()


def test_the_lead_moderates_records_and_submits_the_agreed_review(world):
    db, p, visit_id = world.db, world.people, world.visit_id
    at = open_page(app_as(db, p["peer1"]), "moderation", visit=visit_id)
    assert not at.exception
    words = texts(at)
    assert "agreed exactly on" in words and "Krippendorff's alpha" in words
    assert "Not submitted yet, so not shown: advisor" in words  # the LA advisor has not rated
    next(b for b in at.button if b.key == f"agreed-start-{visit_id}").click().run()
    assert not at.exception
    at.selectbox(key=f"mod-domain-{visit_id}").set_value(FRAMEWORK.criteria_by_id[RATED[0]].domain_id).run()
    key = f"agreed-{visit_id}-{RATED[0]}"
    at.selectbox(key=key).set_value("Embedded")
    at.text_input(key=f"{key}-why").input("Strong pupil voice")
    at.button(key=f"{key}-save").click().run()
    assert not at.exception
    found = moderation.moderation(db, p["peer1"], visit_id)
    assert found.agreement.rating("agreed", RATED[0]) == 3
    # before submitting, the lead sees what the agreed review scores, as Results would show it
    draft = score_review(FRAMEWORK, found.rater("agreed").answers, found.context)
    assert f"The agreed review as it stands:** overall {draft.overall.band}" in texts(at)
    table = next(df.value for df in at.dataframe if "Band" in df.value.columns)
    assert list(table["Domain"]) == [d.title for d in draft.domains]
    assert list(table["Band"]) == [d.band_words for d in draft.domains]
    at.checkbox(key=f"agreed-sure-{visit_id}").check().run()
    at.button(key=f"agreed-submit-{visit_id}").click().run()
    assert moderation.moderation(db, p["senco"], visit_id).visit.closed

    school = open_page(app_as(db, p["senco"]), "self-vs-agreed", visit=visit_id)
    assert not school.exception
    said = texts(school)
    assert "Your self-review was" in said or "matched the agreed judgement" in said
    assert len(school.dataframe) == 1


def test_the_school_waits_and_the_other_la_sees_nothing(world):
    db, p, visit_id = world.db, world.people, world.visit_id
    school = open_page(app_as(db, p["senco"]), "moderation", visit=visit_id)
    assert "do not have permission" in texts(school)
    other = open_page(app_as(db, p["south"]), "moderation", visit=visit_id)
    assert "no visit" in texts(other)


def test_the_visit_page_and_home_show_the_team_its_visit(world):
    db, p, visit_id = world.db, world.people, world.visit_id
    at = open_page(app_as(db, p["peer2"]), "visits", visit=visit_id)
    assert not at.exception
    assert "Visit to Alder Primary" in texts(at)
    home = open_page(app_as(db, p["peer2"]), "home")
    assert "Peer review visits (1)" in texts(home)


def test_a_team_member_removes_a_line_of_enquiry_and_an_activity_from_the_visit_page(world):
    db, p, visit_id = world.db, world.people, world.visit_id
    domain = FRAMEWORK.domains[0]
    visits.add_enquiry(db, p["peer1"], visit_id, FRAMEWORK, domain.id, "Who checks the register?")
    wrong = visits.add_enquiry(db, p["peer1"], visit_id, FRAMEWORK, domain.id, "Typo'd questoin")
    visits.add_activity(
        db, p["peer1"], visit_id, kind="meeting", at=datetime(2026, 3, 4, 9), member_id=p["peer1"].id, met=["senco"]
    )
    at = open_page(app_as(db, p["peer2"]), "visits", visit=visit_id)
    remove_line = at.button(key=f"remove-btn-enquiry-{visit_id}")
    assert remove_line.disabled  # nothing chosen yet
    at.selectbox(key=f"remove-enquiry-{visit_id}").set_value(wrong).run()
    at.button(key=f"remove-btn-enquiry-{visit_id}").click().run()
    assert not at.exception
    assert [x.text for x in visits.list_enquiries(db, p["peer1"], visit_id)] == ["Who checks the register?"]
    assert "Typo'd questoin" not in texts(at)
    (activity,) = visits.list_activities(db, p["peer1"], visit_id)
    at.selectbox(key=f"remove-activity-{visit_id}").set_value(activity.id).run()
    at.button(key=f"remove-btn-activity-{visit_id}").click().run()
    assert not at.exception
    assert visits.list_activities(db, p["peer1"], visit_id) == []
    assert "Nothing planned yet." in texts(at)

    school = open_page(app_as(db, p["senco"]), "visits", visit=visit_id)  # the school reads, never removes
    assert not [b for b in school.button if b.key and b.key.startswith("remove-btn")]


def test_a_team_member_tags_evidence_in_the_questionnaire(world):
    db, p, visit_id = world.db, world.people, world.visit_id
    mine = moderation.start_rating(db, p["north"], visit_id)
    at = open_page(app_as(db, p["north"]), "review", review=mine)
    assert not at.exception
    boxes = [m for m in at.multiselect if m.key and m.key.startswith(f"tags:{mine}:")]
    assert boxes, "a visit rating offers evidence tags"
    boxes[0].select("pupil_voice").run()
    criterion = boxes[0].key.split(":")[2]
    assert moderation.load_tags(db, p["north"], mine) == {criterion: ("pupil_voice",)}
