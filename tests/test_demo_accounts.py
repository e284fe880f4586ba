"""Explore as...: open while the database holds only the demo LA, closed (and the accounts refused) otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data import action_plans, demo_accounts, reviews, sessions, users
from data.access import Actor, NotAllowed
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from tests.support.pages import register

PASSWORD = "a long enough password 42"


@pytest.fixture
def demo_site(demo_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, Actor]]:
    """The demo LA as a first start with SEND_REVIEW_DEMO=1 leaves it, and its first administrator."""
    monkeypatch.setenv("SEND_REVIEW_DEMO", "1")
    db = open_database(demo_database_url, demo_on_empty=True)
    assert users.needs_first_admin(db), "the demo alone makes no account"
    yield db, users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    db.dispose()


def test_demo_roles_look_around_then_the_offer_closes_when_a_real_school_arrives(demo_site) -> None:
    db, admin = demo_site
    assert demo_accounts.explore_open(db), "only the demo and the first administrator: the offer is open"

    senco = demo_accounts.explore_as(db, "school")
    peer = demo_accounts.explore_as(db, "peer")
    advisor = demo_accounts.explore_as(db, "la")
    assert (senco.role, peer.role, advisor.role) == ("school", "peer", "la")
    assert senco.school_urn and advisor.la
    assert reviews.list_reviews(db, senco), "the SENCO sees their school's reviews"
    assert all(r.school_urn == senco.school_urn for r in reviews.list_reviews(db, senco))
    assert reviews.list_reviews(db, peer), "the peer is assigned to a school that shares with peers"
    assert reviews.list_reviews(db, advisor)
    assert demo_accounts.explore_as(db, "school").id == senco.id, "the same account each time"
    token = sessions.start_session(db, peer)
    assert sessions.session_actor(db, token) is not None

    # a demo account has no password: the sign-in form never lets it in
    with pytest.raises(users.SignInFailed):
        users.authenticate(db, senco.email, "")

    # a real school arrives: the offer closes, demo accounts are refused and their sessions end
    upsert_schools(db, admin, register([("100001", "Real Primary", "Realshire", "primary")]))
    assert not demo_accounts.explore_open(db)
    with pytest.raises(NotAllowed):
        demo_accounts.explore_as(db, "school")
    assert sessions.session_actor(db, token) is None
    assert not users.needs_first_admin(db)


def test_a_real_account_or_the_switch_closes_the_offer(demo_site, monkeypatch: pytest.MonkeyPatch) -> None:
    db, admin = demo_site
    users.invite_user(db, admin, "second-admin@la.example", "Second Admin", "admin")
    assert demo_accounts.explore_open(db), "more administrators are people exploring too"

    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    assert not demo_accounts.explore_open(db)
    with pytest.raises(NotAllowed):
        demo_accounts.explore_as(db, "la")
    monkeypatch.setenv("SEND_REVIEW_DEMO", "1")

    users.invite_user(db, admin, "advisor@realshire.example", "Real Advisor", "la", la="Realshire")
    assert not demo_accounts.explore_open(db), "a real account that is not an administrator"
    with pytest.raises(NotAllowed):
        demo_accounts.explore_as(db, "peer")


def test_no_offer_without_demo_data(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEND_REVIEW_DEMO", "1")
    db = open_database(database_url)
    try:
        assert not demo_accounts.explore_open(db)
        with pytest.raises(NotAllowed):
            demo_accounts.explore_as(db, "school")
        with pytest.raises(NotAllowed):
            demo_accounts.explore_as(db, "admin")
    finally:
        db.dispose()


def test_the_first_administrator_has_signed_in_once_their_session_starts(database_url: str) -> None:
    db = open_database(database_url)
    try:
        admin = users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
        sessions.start_session(db, admin)
        assert users.list_users(db, admin)[0].last_login is not None  # not "never" right after signing in
    finally:
        db.dispose()


def test_the_demo_senco_has_a_plan_from_last_cycle_carried_beside_this_cycles_review(demo_site) -> None:
    db, _ = demo_site
    senco = demo_accounts.explore_as(db, "school")
    assert senco.school_urn
    plan = action_plans.list_actions(db, senco, senco.school_urn, "2024/25")
    assert 1 <= len(plan) <= 4
    audit = next(
        r
        for r in reviews.list_reviews(db, senco)
        if r.cycle == "2024/25" and r.framework_id == "senco-role-audit" and r.role == "self"
    )
    # the actions are the suggestions that review makes, so none of them is offered again
    assert {a.review_id for a in plan} == {audit.id}
    assert not {a.suggestion_key for a in plan} & {s.key for s in action_plans.suggestions_for(db, senco, audit.id)}
    assert all(a.lead and a.due_on and a.success for a in plan)
    assert all(a.notes for a in plan if a.status != "not_started")
    current = next(
        r for r in reviews.list_reviews(db, senco) if r.cycle == "2025/26" and r.framework_id == "senco-role-audit"
    )
    carried = action_plans.carried_actions(db, senco, current)
    assert sorted(c.action.id for c in carried) == sorted(a.id for a in plan if a.status != "done")
    assert all(c.movement for c in carried)
