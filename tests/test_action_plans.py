"""Action plans in storage: typed saves with versions, the access policy, the audit, suggestions taken up or
dropped, and open actions carried beside the next cycle's results. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from data import access, action_plans, audit, consent, reviews
from data.access import OPERATOR, SHARE_WITH_LA, NotAllowed, NotFound
from framework.library import builtin_framework
from framework.problems import InvalidInput
from tests.support.pages import add_user, prepared_site

FRAMEWORK = builtin_framework("senco-role-audit")
A = "900001"  # Alder Primary, North, shares with its LA
B = "900002"  # Birch High, South
LEADERSHIP = {
    "role-designated": "no",  # a statutory duty unmet
    "lead-slt-member": "yes",
    "lead-strategic-voice": "Emerging",
    "lead-improvement-plan": "Developing",
    "lead-policy-matches": "Embedded",
    "lead-sen-governor": "no",
    "lead-governor-meetings": "Usually",
    "lead-governor-report": "yes",
}


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    people = {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "birch": add_user(db, "senco@birch.example", "school", school_urn=B),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
        "south": add_user(db, "advisor@south.example", "la", la="South"),
        "peer": add_user(db, "peer@oak.example", "peer"),
    }
    yield db, people
    db.dispose()


def review_of(db, actor, cycle: str, answers: dict[str, str], submit: bool = True) -> int:
    review_id = reviews.start_review(
        db, actor, school_urn=A, framework=FRAMEWORK, cycle=cycle, phase="primary", resourced_provision=False
    )
    for cid, value in answers.items():
        reviews.save_answer(db, actor, review_id, cid, seen_version=0, response=value)
    if submit:
        reviews.submit_review(db, actor, review_id)
    return review_id


def test_suggestions_name_the_unmet_duty_first_and_accepting_or_dropping_takes_them_off(site):
    db, people = site
    senco = people["senco"]
    review_id = review_of(db, senco, "2024/25", LEADERSHIP)
    offered = action_plans.suggestions_for(db, senco, review_id)
    assert offered[0].key == "duty:role-designated" and offered[0].kind == "statutory"
    assert offered[0].source  # named with its legal source
    first, second, third = offered[0].key, offered[1].key, offered[2].key
    (action_id,) = action_plans.accept_suggestions(db, senco, review_id, [first])
    action_plans.accept_suggestions(db, senco, review_id, [second], drop=True)
    left = [s.key for s in action_plans.suggestions_for(db, senco, review_id)]
    assert first not in left and second not in left and third in left
    plan = action_plans.list_actions(db, senco, A, "2024/25")
    assert [a.id for a in plan] == [action_id]  # the dropped suggestion is not an action
    assert plan[0].criteria == ("role-designated",) and plan[0].status == "not_started"
    assert set(plan[0].flags()) == {"No lead", "No due date"}
    with pytest.raises(InvalidInput):
        action_plans.accept_suggestions(db, senco, review_id, [first])  # not offered any more


def test_merging_suggestions_makes_one_action_for_all_their_criteria(site):
    db, people = site
    review_id = review_of(db, people["senco"], "2024/25", LEADERSHIP)
    keys = [s.key for s in action_plans.suggestions_for(db, people["senco"], review_id)[1:3]]
    (merged,) = action_plans.accept_suggestions(db, people["senco"], review_id, keys, merge=True)
    (action,) = action_plans.list_actions(db, people["senco"], A)
    assert action.id == merged and len(action.criteria) == 2
    assert not {s.key for s in action_plans.suggestions_for(db, people["senco"], review_id)} & set(keys)


def test_saves_as_typed_with_versions_and_every_change_audited(site):
    db, people = site
    senco = people["senco"]
    action_id = action_plans.add_action(db, senco, A, "2025/26", what="Train TAs 🎓 في المدرسة", domain_id="time")
    saved = action_plans.update_action(db, senco, action_id, seen_version=1, lead="SENCO", due_on=date(2026, 7, 1))
    assert saved.saved and saved.action.version == 2 and saved.action.lead == "SENCO"
    stale = action_plans.update_action(db, senco, action_id, seen_version=1, lead="Head")
    assert not stale.saved and stale.action.lead == "SENCO"
    action_plans.add_note(db, senco, action_id, "x" * 10_000, noted_on=date(2026, 1, 5))
    (action,) = action_plans.list_actions(db, senco, A, "2025/26")
    assert action.what == "Train TAs 🎓 في المدرسة" and action.notes[0].noted_on == date(2026, 1, 5)
    assert len(action.notes[0].text) == 10_000
    events = [r.action for r in audit.export_log(db, OPERATOR, audit.AuditFilter(school_urn=A))]
    assert {"action_added", "action_changed", "action_note_added"} <= set(events)


def test_bad_input_is_refused_whole_with_every_problem(site):
    db, people = site
    with pytest.raises(InvalidInput) as raised:
        action_plans.add_action(db, people["senco"], A, "2025", what="x", status="maybe", due_on="soon")
    assert {p.place for p in raised.value.problems} == {"action cycle", "action status", "action due_on"}
    assert action_plans.list_actions(db, people["senco"], A) == []


def test_overdue_first_and_past_due_allowed_but_flagged(site):
    db, people = site
    senco = people["senco"]
    today = access.today()
    later = action_plans.add_action(db, senco, A, "2025/26", what="Later", lead="SENCO", due_on=today + timedelta(30))
    late = action_plans.add_action(db, senco, A, "2025/26", what="Late", lead="", due_on=today - timedelta(3))
    plan = action_plans.list_actions(db, senco, A, "2025/26")
    assert [a.id for a in plan] == [late, later]
    assert plan[0].flags() == ["Overdue", "No lead"] and plan[1].flags() == []


def test_only_the_school_and_admins_write_la_reads_under_consent_peers_and_others_never(site):
    db, people = site
    action_id = action_plans.add_action(db, people["senco"], A, "2025/26", what="Review the SEN policy")
    assert action_plans.list_actions(db, people["north"], A)  # shares with its LA
    assert action_plans.list_actions(db, OPERATOR, A)
    with pytest.raises(NotAllowed):
        action_plans.update_action(db, people["north"], action_id, seen_version=1, lead="LA")
    for outsider in (people["birch"], people["south"], people["peer"]):
        with pytest.raises(NotFound):
            action_plans.list_actions(db, outsider, A)
        with pytest.raises(NotFound):
            action_plans.update_action(db, outsider, action_id, seen_version=1, lead="x")
    consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False)
    with pytest.raises(NotFound):
        action_plans.list_actions(db, people["north"], A)
    assert (A, "Alder Primary") not in action_plans.plan_schools(db, people["north"])
    assert action_plans.plan_schools(db, people["senco"]) == [(A, "Alder Primary")]


def test_open_actions_come_with_the_next_cycle_s_results_beside_how_their_domain_moved(site):
    db, people = site
    senco = people["senco"]
    first = review_of(db, senco, "2024/25", LEADERSHIP)
    keys = [s.key for s in action_plans.suggestions_for(db, senco, first)[:2]]
    done_id, open_id = action_plans.accept_suggestions(db, senco, first, keys)  # the duty, then a priority
    action_plans.update_action(db, senco, done_id, seen_version=1, status="done")
    action_plans.update_action(db, senco, open_id, seen_version=1, status="at_risk")
    better = {**LEADERSHIP, "role-designated": "yes", "lead-strategic-voice": "Established"}
    second = review_of(db, senco, "2025/26", better)
    carried = action_plans.carried_actions(db, senco, reviews.get_review(db, senco, second))
    assert [c.action.id for c in carried] == [open_id]
    assert carried[0].action.status == "at_risk" and carried[0].domain_title == "Leadership and strategic influence"
    assert carried[0].movement.startswith("Up ")
    # nothing is carried into the cycle the actions belong to
    assert action_plans.carried_actions(db, senco, reviews.get_review(db, senco, first)) == []
