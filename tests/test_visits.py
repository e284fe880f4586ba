"""Visits, independent ratings, moderation and the agreed review on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from data import agreed, assignments, audit, moderation, reviews, visits
from data.access import NotAllowed, NotFound
from data.tables import visits as visits_table
from framework.problems import InvalidInput
from tests.support.pages import prepared_site
from tests.support.visits import CYCLE, FRAMEWORK, RATED, A, B, build, rate


@pytest.fixture
def world(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    yield build(db)
    db.dispose()


def _count(db) -> int:
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(visits_table)).scalar_one()


def test_bad_visits_are_refused_with_every_problem_and_nothing_stored(world):
    db, p = world.db, world.people
    before = _count(db)
    with pytest.raises(NotAllowed, match="not of your LA"):
        visits.create_visit(
            db,
            p["south"],
            school_urn=A,
            cycle=CYCLE,
            framework=FRAMEWORK,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 1),
            team=[p["peer1"].email],
            lead=p["peer1"].email,
        )
    with pytest.raises(InvalidInput) as refused:
        visits.create_visit(
            db,
            p["north"],
            school_urn=A,
            cycle="2026/27",
            framework=FRAMEWORK,
            starts_on=date(2026, 1, 2),
            ends_on=date(2026, 1, 1),
            team=[p["outsider"].email, p["south"].email],
            lead="nobody@x.example",
        )
    words = str(refused.value)
    assert "not assigned to Alder Primary for 2026/27" in words
    assert "LA advisor of another LA" in words
    assert "before its first day" in words and "must be one of the team" in words
    with pytest.raises(InvalidInput, match="already has a peer review visit"):
        visits.create_visit(
            db,
            p["north"],
            school_urn=A,
            cycle=CYCLE,
            framework=FRAMEWORK,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 1),
            team=[p["peer1"].email],
            lead=p["peer1"].email,
        )
    assert _count(db) == before


def test_ratings_stay_independent_until_submitted(world):
    db, p = world.db, world.people
    mine = moderation.start_rating(db, p["peer1"], world.visit_id)
    assert moderation.start_rating(db, p["peer1"], world.visit_id) == mine
    rate(db, p["peer1"], mine, [2, 3, 2, 1, 2, 2, 1, 1], submit=False)
    seen = moderation.moderation(db, p["peer2"], world.visit_id)
    assert [r.key for r in seen.raters] == ["self"]
    with pytest.raises(NotFound):
        reviews.get_review(db, p["peer2"], mine)
    with pytest.raises(NotFound):  # the LA advisor on the team neither, though the school shares with its LA
        reviews.get_review(db, p["north"], mine)
    reviews.submit_review(db, p["peer1"], mine)
    seen = moderation.moderation(db, p["peer2"], world.visit_id)
    assert [r.key for r in seen.raters] == ["self", "r1"]
    assert seen.agreement.overall.pair("self", "r1").n == 8
    with pytest.raises(NotAllowed):  # the school waits for the agreed review
        moderation.moderation(db, p["senco"], world.visit_id)
    assert mine not in {r.id for r in reviews.list_reviews(db, p["senco"])}
    with pytest.raises(NotFound):
        moderation.moderation(db, p["south"], world.visit_id)
    with pytest.raises(NotFound):  # a reviewer not on the team does not even see the visit
        moderation.start_rating(db, p["outsider"], world.visit_id)


def test_evidence_tags_belong_to_the_author_and_are_checked(world):
    db, p = world.db, world.people
    mine = moderation.start_rating(db, p["peer2"], world.visit_id)
    moderation.save_tags(db, p["peer2"], mine, RATED[0], ["observation", "interview"])
    assert moderation.load_tags(db, p["peer2"], mine) == {RATED[0]: ("interview", "observation")}
    with pytest.raises(InvalidInput) as refused:
        moderation.save_tags(db, p["peer2"], mine, "no-such-criterion", ["gossip"])
    assert "gossip is not an evidence tag" in str(refused.value) and "no-such-criterion" in str(refused.value)
    with pytest.raises(NotAllowed):
        moderation.save_tags(db, p["peer1"], mine, RATED[0], ["data"])
    with pytest.raises(NotAllowed):  # independence: not before it is submitted
        moderation.load_tags(db, p["peer1"], mine)
    assert moderation.load_tags(db, p["senco"], world.self_review) is None


def test_a_rating_for_a_criterion_the_framework_lacks_is_refused(world):
    db, p = world.db, world.people
    mine = moderation.start_rating(db, p["peer1"], world.visit_id)
    with pytest.raises(InvalidInput, match="not in framework"):
        reviews.save_answer(db, p["peer1"], mine, "made-up", seen_version=0, response="Embedded")
    assert reviews.load_answers(db, p["peer1"], mine) == {}


def test_the_agreed_review_closes_the_visit_and_then_the_school_sees_everything(world):
    db, p = world.db, world.people
    for key, levels in (("peer1", [2, 3, 2, 1, 2, 2, 1, 1]), ("peer2", [2, 2, 3, 1, 1, 2, 1, 2])):
        rate(db, p[key], moderation.start_rating(db, p[key], world.visit_id), levels)
    with pytest.raises(NotAllowed, match="lead"):
        agreed.start_agreed(db, p["peer2"], world.visit_id)
    agreed_id = agreed.start_agreed(db, p["peer1"], world.visit_id)
    with pytest.raises(InvalidInput, match="already started"):
        agreed.start_agreed(db, p["peer1"], world.visit_id)
    seen = moderation.moderation(db, p["peer1"], world.visit_id)
    # median of (2, 2) = 2, of (3, 2) = 2.5 rounded up = 3, of (1, 2) = 1.5 -> 2
    assert [seen.agreement.rating("agreed", c) for c in RATED[:2]] == [2, 3]
    assert seen.agreement.rating("agreed", RATED[7]) == 2
    with pytest.raises(InvalidInput, match="not in framework"):
        agreed.save_agreed(db, p["peer1"], world.visit_id, "made-up", response="Embedded", rationale="")
    agreed.save_agreed(
        db, p["peer1"], world.visit_id, RATED[0], response="Embedded", rationale="Pupil voice was strong"
    )
    with pytest.raises(NotAllowed):
        agreed.submit_agreed(db, p["senco"], world.visit_id)
    agreed.submit_agreed(db, p["peer1"], world.visit_id)
    school = moderation.moderation(db, p["senco"], world.visit_id)
    assert [r.key for r in school.raters] == ["self", "r1", "r2", "agreed"]
    assert (
        school.rater("agreed").answers.set_index("criterion_id").loc[RATED[0], "evidence"] == "Pupil voice was strong"
    )
    assert reviews.get_review(db, p["senco"], agreed_id).role == "agreed"
    assert {a.state for a in assignments.list_assignments(db, p["peer1"])} == {"closed"}
    with pytest.raises(NotAllowed):
        agreed.save_agreed(db, p["peer1"], world.visit_id, RATED[1], response="Embedded", rationale="late")


def test_plan_log_and_lines_of_enquiry(world):
    db, p = world.db, world.people
    line = visits.add_enquiry(
        db, p["peer2"], world.visit_id, FRAMEWORK, FRAMEWORK.domains[0].id, "How does the SENCO know?"
    )
    assert line > 0
    with pytest.raises(NotAllowed):
        visits.list_enquiries(db, p["senco"], world.visit_id)
    with pytest.raises(NotAllowed, match="lead"):
        visits.release_enquiries(db, p["peer2"], world.visit_id, date(2020, 1, 1))
    visits.release_enquiries(db, p["peer1"], world.visit_id, date(2020, 1, 1))
    assert [x.text for x in visits.list_enquiries(db, p["senco"], world.visit_id)] == ["How does the SENCO know?"]
    with pytest.raises(InvalidInput) as refused:
        visits.add_activity(
            db, p["peer1"], world.visit_id, kind="party", at=datetime(2026, 3, 4, 9), member_id=999, met=["Mrs Smith"]
        )
    assert all(w in str(refused.value) for w in ("party", "Mrs Smith", "not on the visit's team"))
    visits.add_activity(
        db,
        p["peer1"],
        world.visit_id,
        kind="meeting",
        at=datetime(2026, 3, 4, 9),
        member_id=p["peer1"].id,
        met=["senco", "head"],
        notes="Provision map",
    )
    assert [a.met for a in visits.list_activities(db, p["peer2"], world.visit_id)] == [("senco", "head")]
    assert [v.id for v in visits.list_visits(db, p["peer2"])] == [world.visit_id]
    assert visits.list_visits(db, p["outsider"]) == []
    assert visits.list_visits(db, p["south"]) == []
    assert [v.id for v in visits.list_visits(db, p["senco"])] == [world.visit_id]
    assert B not in {v.school_urn for v in visits.list_visits(db, p["north"])}


def test_a_line_or_an_activity_written_in_error_is_removed_by_the_team_only_and_audited(world):
    db, p = world.db, world.people
    domain = FRAMEWORK.domains[0].id
    kept = visits.add_enquiry(db, p["peer1"], world.visit_id, FRAMEWORK, domain, "Who checks the register?")
    wrong = visits.add_enquiry(db, p["peer2"], world.visit_id, FRAMEWORK, domain, "Typo'd questoin")
    activity = visits.add_activity(
        db, p["peer1"], world.visit_id, kind="meeting", at=datetime(2026, 3, 4, 9), member_id=p["peer1"].id, met=[]
    )
    # the school reads the visit but does not write its record; to anyone else the visit does not exist
    for who, refusal in ((p["senco"], NotAllowed), (p["outsider"], NotFound), (p["south"], NotFound)):
        with pytest.raises(refusal):
            visits.remove_enquiry(db, who, world.visit_id, wrong)
        with pytest.raises(refusal):
            visits.remove_activity(db, who, world.visit_id, activity)

    visits.remove_enquiry(db, p["peer1"], world.visit_id, wrong)  # any team member, not only the author
    visits.remove_activity(db, p["peer2"], world.visit_id, activity)
    assert [x.id for x in visits.list_enquiries(db, p["peer1"], world.visit_id)] == [kept]
    assert visits.list_activities(db, p["peer1"], world.visit_id) == []
    with pytest.raises(NotFound, match="no such entry"):
        visits.remove_enquiry(db, p["peer1"], world.visit_id, wrong)
    with pytest.raises(NotFound):  # an id that exists, but as a line of enquiry, not an activity
        visits.remove_activity(db, p["peer1"], world.visit_id, kept)
    events = [e.action for e in audit.read_log(db, p["north"], audit.AuditFilter()).rows]
    assert {"enquiry_removed", "visit_activity_removed"} <= set(events)


def test_cli_moderation_json_follows_the_contract_and_honours_as(world, capsys):
    import json

    import cli

    db, p = world.db, world.people
    for key, levels in (("peer1", [2, 3, 2, 1, 2, 2, 1, 1]), ("peer2", [2, 2, 3, 1, 1, 2, 1, 2])):
        rate(db, p[key], moderation.start_rating(db, p[key], world.visit_id), levels)
    assert cli.main(["--as", p["peer2"].email, "moderation", str(world.visit_id), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in doc["raters"]] == ["self", "r1", "r2"]
    assert (doc["visit_id"], doc["school_urn"], doc["cycle"], doc["levels"]) == (world.visit_id, A, CYCLE, 4)
    first = doc["criteria"][[c["criterion_id"] for c in doc["criteria"]].index(RATED[0])]
    assert first["ratings"] == {"self": 3, "r1": 2, "r2": 2} and first["agreed"] is None
    pair = doc["agreement"]["overall"]["pairs"][2]
    assert (pair["a"], pair["b"], pair["n"], pair["exact"], pair["within_one"]) == ("r1", "r2", 8, 0.5, 1.0)
    assert cli.main(["--as", p["senco"].email, "moderation", str(world.visit_id), "--json"]) == cli.NOT_ALLOWED
    assert cli.main(["--as", p["south"].email, "moderation", str(world.visit_id)]) == cli.NOT_ALLOWED
    capsys.readouterr()
    assert cli.main(["--as", p["outsider"].email, "visits", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["--as", p["peer1"].email, "visits"]) == 0
    assert f"{world.visit_id}  {A}  {CYCLE}" in capsys.readouterr().out


def test_the_self_review_reaches_the_team_only_under_the_schools_consent(world):
    from data import consent
    from data.access import OPERATOR, SHARE_WITH_PEERS

    db, p = world.db, world.people
    rate(db, p["peer1"], moderation.start_rating(db, p["peer1"], world.visit_id), [2, 3, 2, 1, 2, 2, 1, 1])
    consent.set_consent(db, OPERATOR, A, SHARE_WITH_PEERS, give=False, reason="test")
    assert [r.key for r in moderation.moderation(db, p["peer2"], world.visit_id).raters] == ["r1"]
    assert [r.key for r in moderation.moderation(db, p["north"], world.visit_id).raters] == ["self", "r1"]


def test_the_agreed_reviews_report_carries_the_visits_released_lines_of_enquiry(world):
    from data.reports import report_bundle

    db, p = world.db, world.people
    visits.add_enquiry(db, p["peer1"], world.visit_id, FRAMEWORK, FRAMEWORK.domains[0].id, "How does the SENCO know?")
    visits.release_enquiries(db, p["peer1"], world.visit_id, date(2020, 1, 1))
    for key in ("peer1", "peer2"):
        rate(db, p[key], moderation.start_rating(db, p[key], world.visit_id), [2, 2, 2, 2, 2, 2, 2, 2])
    agreed_id = agreed.start_agreed(db, p["peer1"], world.visit_id)
    agreed.submit_agreed(db, p["peer1"], world.visit_id)
    bundle = report_bundle(db, p["senco"], agreed_id, "pdf")
    assert bundle.lines_of_enquiry == [f"{FRAMEWORK.domains[0].title}: How does the SENCO know?"]
    assert report_bundle(db, p["senco"], world.self_review, "pdf").lines_of_enquiry == []
