"""Peer assignments on SQLite and PostgreSQL: who may assign, and when a peer's access begins and ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

import cli
from data import access, assignments, audit, reviews, schools
from data.access import OPERATOR, NotAllowed, NotFound
from framework.library import builtin_framework
from framework.problems import InvalidInput
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")
OTHER_FRAMEWORK = builtin_framework("send-review")
A, B = "900001", "900002"  # Alder Primary (North), Birch High (South)
CYCLE = "2025/26"


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    people = {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "peer": add_user(db, "peer@oak.example", "peer"),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
        "south": add_user(db, "advisor@south.example", "la", la="South"),
    }
    yield db, people
    db.dispose()


def _self_review(db, senco, *, cycle=CYCLE, framework=FRAMEWORK, submit=True) -> int:
    rid = reviews.start_review(
        db, senco, school_urn=A, framework=framework, cycle=cycle, phase="primary", resourced_provision=False
    )
    if framework is FRAMEWORK:
        reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="yes")
    if submit:
        reviews.submit_review(db, senco, rid)
    return rid


def _assign(db, who, *, starts_in_days=0, school=A, cycle=CYCLE) -> int:
    starts = access.today() + timedelta(days=starts_in_days)
    return assignments.assign_peer(
        db, who, peer_email="peer@oak.example", school_urn=school, cycle=cycle, starts_on=starts
    )


def _readable(db, actor) -> set[int]:
    return {r.id for r in reviews.list_reviews(db, actor)}


def test_an_la_user_assigns_a_peer_to_a_school_of_their_la_and_it_is_audited(site):
    db, people = site
    assignment_id = _assign(db, people["north"])
    found = assignments.get_assignment(db, people["peer"], assignment_id)
    assert (found.school_name, found.cycle, found.state, found.peer_email) == (
        "Alder Primary",
        CYCLE,
        "open",
        "peer@oak.example",
    )
    row = audit.read_log(db, OPERATOR, audit.AuditFilter(action="peer_assigned")).rows[0]
    assert (row.who, row.school_urn) == ("advisor@north.example", A)
    assert row.detail.startswith(f"peer@oak.example for {CYCLE}, from ")


def test_an_la_user_cannot_assign_for_a_school_of_another_la_nor_a_school_user_or_peer_at_all(site):
    db, people = site
    for who in ("south", "senco", "peer"):
        with pytest.raises(NotAllowed):
            _assign(db, people[who])
    assert assignments.list_assignments(db, OPERATOR) == []


def test_only_an_active_peer_account_can_be_assigned_once_per_school_and_cycle(site):
    db, _people = site
    with pytest.raises(InvalidInput) as wrong:
        assignments.assign_peer(db, OPERATOR, peer_email="senco@alder.example", school_urn=A, cycle=CYCLE)
    assert [p.place for p in wrong.value.problems] == ["Peer reviewer"]
    _assign(db, OPERATOR)
    with pytest.raises(InvalidInput, match="already assigned"):
        _assign(db, OPERATOR)
    with pytest.raises(InvalidInput, match="academic year"):
        _assign(db, OPERATOR, cycle="2025-26")
    with pytest.raises(NotFound):
        _assign(db, OPERATOR, school="999999")


def test_peer_reviewer_accounts_are_listed_for_those_who_assign_only(site):
    db, people = site
    assert [p.email for p in assignments.peer_reviewers(db, people["north"])] == ["peer@oak.example"]
    for who in ("senco", "peer"):
        with pytest.raises(NotAllowed):
            assignments.peer_reviewers(db, people[who])


def test_access_begins_on_the_start_date(site):
    db, people = site
    submitted = _self_review(db, people["senco"])
    assignment_id = _assign(db, OPERATOR, starts_in_days=1)
    assert assignments.get_assignment(db, people["peer"], assignment_id).state == "waiting"
    assert _readable(db, people["peer"]) == set()
    with pytest.raises(NotFound):
        reviews.get_review(db, people["peer"], submitted)
    with pytest.raises(NotAllowed, match="starts on"):
        assignments.start_peer_review(db, people["peer"], assignment_id)


def test_a_peer_reads_only_the_schools_submitted_self_review_for_the_assigned_cycle(site):
    db, people = site
    senco = people["senco"]
    submitted = _self_review(db, senco)
    in_progress = _self_review(db, senco, submit=False)
    last_year = _self_review(db, senco, cycle="2024/25")
    la_review = reviews.start_review(
        db, people["north"], school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )
    _assign(db, OPERATOR)
    assert _readable(db, people["peer"]) == {submitted}
    assert reviews.load_answers(db, people["peer"], submitted)["role-designated"].version == 1
    for hidden in (in_progress, last_year, la_review):
        with pytest.raises(NotFound):
            reviews.get_review(db, people["peer"], hidden)
    with pytest.raises(NotAllowed):  # reading is not exporting
        reviews.export_bundle(db, people["peer"], submitted, "results")
    with pytest.raises(NotAllowed):  # nor writing
        reviews.reopen_review(db, people["peer"], submitted, "I disagree")


def test_a_peer_writes_their_own_review_on_the_self_reviews_framework(site):
    db, people = site
    peer = people["peer"]
    _self_review(db, people["senco"], framework=OTHER_FRAMEWORK)
    assignment_id = _assign(db, OPERATOR)
    mine = assignments.start_peer_review(db, peer, assignment_id)
    assert assignments.start_peer_review(db, peer, assignment_id) == mine  # the same review, not a second
    review = reviews.get_review(db, peer, mine)
    assert (review.role, review.framework_id, review.reviewer_id, review.cycle) == (
        "peer",
        OTHER_FRAMEWORK.id,
        peer.id,
        CYCLE,
    )
    assert reviews.save_answer(db, peer, mine, "ld-vision", seen_version=0, response="Established").saved
    assert reviews.export_bundle(db, peer, mine, "answers").review.id == mine  # to work on it offline
    reviews.submit_review(db, peer, mine)
    assert mine in _readable(db, people["senco"])  # the school sees a submitted peer review of itself
    assert mine not in _readable(db, people["south"])


def test_a_peer_cannot_start_before_the_school_has_submitted(site):
    db, people = site
    _self_review(db, people["senco"], submit=False)
    assignment_id = _assign(db, OPERATOR)
    with pytest.raises(NotAllowed, match="has not submitted its self-review for 2025/26 yet"):
        assignments.start_peer_review(db, people["peer"], assignment_id)


def test_a_peer_cannot_start_a_review_of_another_school_or_cycle(site):
    db, people = site
    _assign(db, OPERATOR)
    for urn, cycle in ((B, CYCLE), (A, "2024/25")):
        with pytest.raises(NotAllowed):
            reviews.start_review(
                db,
                people["peer"],
                school_urn=urn,
                framework=FRAMEWORK,
                cycle=cycle,
                phase="primary",
                resourced_provision=False,
            )


def test_access_ends_when_the_agreed_review_is_submitted_and_returns_if_it_is_reopened(site):
    db, people = site
    peer = people["peer"]
    submitted = _self_review(db, people["senco"])
    assignment_id = _assign(db, OPERATOR)
    mine = assignments.start_peer_review(db, peer, assignment_id)
    agreed = reviews.start_review(
        db,
        OPERATOR,
        school_urn=A,
        framework=FRAMEWORK,
        cycle=CYCLE,
        phase="primary",
        resourced_provision=False,
        role="agreed",
    )
    assert _readable(db, peer) == {submitted, mine}  # an agreed review in progress closes nothing
    reviews.submit_review(db, OPERATOR, agreed)
    assert _readable(db, peer) == set()
    for rid in (submitted, mine):
        with pytest.raises(NotFound):
            reviews.get_review(db, peer, rid)
    with pytest.raises(NotFound):
        reviews.save_answer(db, peer, mine, "role-designated", seen_version=0, response="yes")
    assert assignments.get_assignment(db, peer, assignment_id).state == "closed"
    with pytest.raises(NotAllowed, match="has closed"):
        assignments.start_peer_review(db, peer, assignment_id)
    reviews.reopen_review(db, OPERATOR, agreed, "Moderation meeting reconvened")
    assert _readable(db, peer) == {submitted, mine}


def test_withdrawing_ends_access_at_once_and_the_audit_log_keeps_why(site):
    db, people = site
    submitted = _self_review(db, people["senco"])
    assignment_id = _assign(db, people["north"])
    assert _readable(db, people["peer"]) == {submitted}
    with pytest.raises(NotAllowed):
        assignments.withdraw(db, people["peer"], assignment_id, "I would rather not")
    with pytest.raises(NotFound):  # another LA does not even see it
        assignments.withdraw(db, people["south"], assignment_id)
    assignments.withdraw(db, people["north"], assignment_id, "Conflict of interest")
    assert _readable(db, people["peer"]) == set()
    (kept,) = assignments.list_assignments(db, people["peer"])  # the peer and the school see that it ended, and why
    assert (kept.id, kept.state, kept.end_reason) == (assignment_id, "withdrawn", "Conflict of interest")
    assert not kept.live
    assert [a.state for a in assignments.list_assignments(db, people["senco"])] == ["withdrawn"]
    with pytest.raises(NotAllowed, match="withdrawn"):
        assignments.start_peer_review(db, people["peer"], assignment_id)
    with pytest.raises(InvalidInput, match="already withdrawn"):
        assignments.withdraw(db, people["north"], assignment_id)
    again = _assign(db, people["north"])  # the same peer may be assigned again: a new, live assignment
    assert again != assignment_id and _readable(db, people["peer"]) == {submitted}
    row = audit.read_log(db, people["north"], audit.AuditFilter(action="peer_withdrawn")).rows[0]
    assert (row.who, row.detail) == ("advisor@north.example", f"peer@oak.example for {CYCLE}: Conflict of interest")


def test_peers_read_no_register_row_so_every_school_is_anonymised_to_them(site):
    db, people = site
    _assign(db, OPERATOR)
    assert schools.list_schools(db, people["peer"]) == []
    with pytest.raises(NotFound):
        schools.get_school(db, people["peer"], A)


def test_who_sees_which_assignments(site):
    db, people = site
    mine = _assign(db, OPERATOR)
    theirs = _assign(db, OPERATOR, school=B)
    seen = {who: {a.id for a in assignments.list_assignments(db, people[who])} for who in people}
    assert seen == {"senco": {mine}, "peer": {mine, theirs}, "north": {mine}, "south": {theirs}}


def test_the_page_lets_an_la_user_assign_and_the_peer_start_their_review(site):
    db, people = site
    _self_review(db, people["senco"])
    at = open_page(app_as(db, people["north"]), "assignments")
    assert [s.options for s in at.selectbox if s.label == "School"] == [["Alder Primary (URN 900001)"]]
    next(s for s in at.selectbox if s.label == "Peer reviewer").set_value(people["peer"].id)
    next(s for s in at.selectbox if s.label == "Review cycle").set_value(CYCLE)
    next(b for b in at.button if b.label == "Assign").click().run()
    assert "is assigned to Alder Primary for 2025/26" in texts(at)
    (assignment,) = assignments.list_assignments(db, OPERATOR)

    peer_page = open_page(app_as(db, people["peer"]), "assignments")
    assert "Assign a peer reviewer" not in texts(peer_page)  # no forms for the peer
    assert [link.label for link in peer_page.page_link] == ["Read the school's self-review"]
    peer_page.button(key=f"peer-start-{assignment.id}").click().run()
    assert peer_page.title[0].value == "Alder Primary"
    (mine,) = [r for r in reviews.list_reviews(db, people["peer"]) if r.role == "peer"]
    assert peer_page.query_params["review"] in (str(mine.id), [str(mine.id)])


def test_the_page_withdraws_an_assignment(site):
    db, people = site
    assignment_id = _assign(db, people["north"])
    at = open_page(app_as(db, people["north"]), "assignments")
    next(s for s in at.selectbox if s.label == "Assignment").set_value(assignment_id)
    next(t for t in at.text_input if t.label == "Why (kept in the audit log)").input("Illness")
    next(b for b in at.button if b.label == "Withdraw").click().run()
    assert [a.state for a in assignments.list_assignments(db, OPERATOR)] == ["withdrawn"]
    assert f"Assignment {assignment_id} is withdrawn" in texts(at)
    assert at.dataframe[0].value["State"].tolist() == [f"Withdrawn on {access.today():%d %b %Y}: Illness"]
    assert not [s for s in at.selectbox if s.label == "Assignment"]  # nothing left to withdraw


def test_the_cli_assigns_lists_and_withdraws_as_the_given_user(site, capsys):
    db, _people = site
    assert cli.main(["--as", "advisor@south.example", "assign-peer", "peer@oak.example", A, CYCLE]) == cli.NOT_ALLOWED
    assert cli.main(["--as", "advisor@north.example", "assign-peer", "peer@oak.example", A, CYCLE]) == 0
    (assignment,) = assignments.list_assignments(db, OPERATOR)
    capsys.readouterr()
    assert cli.main(["--as", "peer@oak.example", "assignments"]) == 0
    assert capsys.readouterr().out.split("  ")[:4] == [str(assignment.id), CYCLE, A, "peer@oak.example"]
    assert cli.main(["--as", "advisor@north.example", "withdraw-peer", str(assignment.id), "--reason", "Moved"]) == 0
    assert [a.state for a in assignments.list_assignments(db, OPERATOR)] == ["withdrawn"]
