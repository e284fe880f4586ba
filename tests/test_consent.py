"""A school's consents decide who outside it reads its reviews: given and withdrawn by the school, honoured
everywhere (repositories, comparison, pages, CLI) at once, and every change in the audit log. Both databases."""

from __future__ import annotations

import pytest

import cli
from data import access, assignments, audit, consent, reviews
from data.access import OPERATOR, SHARE_WITH_LA, SHARE_WITH_PEERS, NotAllowed, NotFound
from data.comparison import comparable_schools, compare_school
from framework.library import builtin_framework
from framework.problems import InvalidInput
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")
A = "900001"  # Alder Primary, North (prepared_site: it shares with its LA and its peer reviewers)
CYCLE = "2025/26"


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    people = {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "peer": add_user(db, "peer@oak.example", "peer"),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
    }
    submitted = reviews.start_review(
        db, people["senco"], school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )
    reviews.save_answer(db, people["senco"], submitted, "role-designated", seen_version=0, response="yes")
    reviews.submit_review(db, people["senco"], submitted)
    assignments.assign_peer(
        db, OPERATOR, peer_email="peer@oak.example", school_urn=A, cycle=CYCLE, starts_on=access.today()
    )
    yield db, people, submitted
    db.dispose()


def _readable(db, actor) -> set[int]:
    return {r.id for r in reviews.list_reviews(db, actor)}


def test_withdrawing_the_la_consent_hides_the_school_s_reviews_from_its_la_at_once(site):
    db, people, submitted = site
    north = people["north"]
    assert submitted in _readable(db, north)
    assert consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False, reason="Governors to decide")
    assert submitted not in _readable(db, north)
    with pytest.raises(NotFound):
        reviews.get_review(db, north, submitted)
    with pytest.raises(NotFound):
        reviews.export_bundle(db, north, submitted, "results")
    # the school, an admin and the peer reviewer it shares with are not affected
    assert all(submitted in _readable(db, who) for who in (people["senco"], people["peer"], OPERATOR))
    assert consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=True)
    assert reviews.get_review(db, north, submitted).school_urn == A


def test_an_la_advisor_keeps_their_own_la_review_of_a_school_that_does_not_share(site):
    db, people, _ = site
    consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False)
    own = reviews.start_review(
        db, people["north"], school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )
    assert _readable(db, people["north"]) == {own}
    assert reviews.save_answer(db, people["north"], own, "role-designated", seen_version=0, response="no").saved


def test_without_the_peer_consent_an_assigned_peer_reviews_without_reading_the_self_review(site):
    db, people, submitted = site
    peer = people["peer"]
    consent.set_consent(db, people["senco"], A, SHARE_WITH_PEERS, give=False)
    assert submitted not in _readable(db, peer)
    with pytest.raises(NotFound):
        reviews.load_answers(db, peer, submitted)
    own = reviews.start_review(
        db, peer, school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )
    assert _readable(db, peer) == {own}
    consent.set_consent(db, people["senco"], A, SHARE_WITH_PEERS, give=True)
    assert _readable(db, peer) == {own, submitted}


def test_every_change_is_audited_with_who_and_why_and_a_repeat_writes_nothing(site):
    db, people, _ = site
    senco = people["senco"]
    assert consent.set_consent(db, senco, A, SHARE_WITH_LA, give=False, reason="Head's decision")
    assert not consent.set_consent(db, senco, A, SHARE_WITH_LA, give=False)
    assert consent.set_consent(db, senco, A, SHARE_WITH_LA, give=True)
    rows = audit.read_log(db, people["north"], audit.AuditFilter(action="consent_changed")).rows
    rows = [r for r in rows if r.who != "operator"]  # prepared_site's own consents
    assert [(r.who, r.school_urn) for r in rows] == [("senco@alder.example", A)] * 2
    assert rows[1].detail == f"Withdrawn: {consent.SCOPES[SHARE_WITH_LA]}. Reason: Head's decision"
    assert rows[0].detail.startswith("Given: ")
    now = consent.sharing(db, people["north"], A).consents[SHARE_WITH_LA]
    assert now.given and now.given_by == "senco"


def test_only_the_school_or_an_admin_changes_its_consent(site):
    db, people, _ = site
    with pytest.raises(NotAllowed, match="Only the school's own users"):
        consent.set_consent(db, people["north"], A, SHARE_WITH_LA, give=False)
    with pytest.raises(NotFound):
        consent.set_consent(db, people["peer"], A, SHARE_WITH_LA, give=False)
    with pytest.raises(NotFound):
        consent.sharing(db, people["peer"], A)
    with pytest.raises(InvalidInput, match="not a kind of sharing"):
        consent.set_consent(db, people["senco"], A, "everyone", give=True)
    assert consent.set_consent(db, OPERATOR, A, SHARE_WITH_LA, give=False)
    assert consent.sharing(db, people["senco"], A).shares(SHARE_WITH_LA) is False


def test_a_school_that_does_not_share_is_anonymised_in_its_la_s_comparisons(site):
    db, people, _ = site
    north = people["north"]
    assert [s.urn for s in comparable_schools(db, north)[0]] == [A]
    consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False)
    assert comparable_schools(db, north) == ([], 1)
    with pytest.raises(NotAllowed, match="has not chosen to share its reviews"):
        compare_school(db, north, A, FRAMEWORK.id)
    assert compare_school(db, people["senco"], A, FRAMEWORK.id).school_name == "Alder Primary"


def test_the_sharing_page_lets_the_school_change_and_shows_its_la_what_it_chose(site):
    db, people, _ = site
    at = open_page(app_as(db, people["senco"]), "sharing")
    assert not at.exception
    assert "✔ **Shared** since" in texts(at)
    at.text_input(key=f"sharing-reason-{A}-{SHARE_WITH_LA}").input("Waiting for the governors")
    at.button(key=f"sharing-{A}-{SHARE_WITH_LA}").click().run()
    assert "Alder Primary no longer shares its reviews with the LA." in texts(at)
    assert not consent.sharing(db, OPERATOR, A).shares(SHARE_WITH_LA)
    assert [b.label for b in at.button if b.key == f"sharing-{A}-{SHARE_WITH_LA}"] == ["Share"]

    advisor = open_page(app_as(db, people["north"]), "sharing")
    assert not advisor.exception
    assert "✖ **Not shared.**" in texts(advisor)
    assert not [b for b in advisor.button if b.key.startswith("sharing-")]
    assert "Only the school's own staff" in texts(advisor)

    compare = open_page(app_as(db, people["north"]), "compare")
    assert "Not listed: schools in your LA that have not shared their reviews with the LA (1)." in texts(compare)


def test_the_cli_changes_consent_as_the_acting_user(site, monkeypatch, capsys, database_url):
    db = site[0]
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert cli.main(["--as", "senco@alder.example", "sharing", A, "--withdraw", "la", "--reason", "pause"]) == 0
    assert "Changed: 900001 la" in capsys.readouterr().out
    assert cli.main(["--as", "advisor@north.example", "sharing", A, "--give", "la"]) == cli.NOT_ALLOWED
    assert not consent.sharing(db, OPERATOR, A).shares(SHARE_WITH_LA)
    assert cli.main(["sharing", "--give", "la"]) == cli.INVALID_INPUT
    assert "name the school" in capsys.readouterr().err
