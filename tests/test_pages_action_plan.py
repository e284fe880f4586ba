"""The action-plan page and the results page's report downloads through the real app (AppTest), both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from data import action_plans, reviews
from data.access import today
from framework.library import builtin_framework
from tests.support.pages import PLAN_ANSWERS, add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")
A = "900001"
ANSWERS = PLAN_ANSWERS


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn=A)
    north = add_user(db, "advisor@north.example", "la", la="North")
    review_id = reviews.start_review(
        db, senco, school_urn=A, framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )
    for cid, value in ANSWERS.items():
        reviews.save_answer(db, senco, review_id, cid, seen_version=0, response=value)
    reviews.submit_review(db, senco, review_id)
    yield db, senco, north, review_id
    db.dispose()


def test_suggestions_are_accepted_then_edited_as_typed_overdue_first(site):
    db, senco, _, review_id = site
    at = open_page(app_as(db, senco), "plan", review=review_id)
    assert not at.exception
    assert "Suggested actions" in texts(at)
    duty = next(c for c in at.checkbox if "Meet the statutory duty" in c.label)
    duty.check()
    at.run()
    next(b for b in at.button if b.label == "Accept ticked").click()
    at.run()
    (action,) = action_plans.list_actions(db, senco, A)
    assert action.criteria == ("role-designated",)
    at.text_input(key=f"action-{action.id}-{action.version}-lead").set_value("SENCO").run()
    assert action_plans.list_actions(db, senco, A)[0].lead == "SENCO"
    action_plans.add_action(db, senco, A, "2025/26", what="Late one", due_on=today() - timedelta(days=5))
    at = open_page(app_as(db, senco), "plan", review=review_id)
    assert at.expander[0].label.startswith("Late one") and "Overdue" in at.expander[0].label
    assert "1 overdue" in texts(at)
    assert any(b.label == "Action plan (.xlsx)" for b in at.get("download_button"))


def test_filters_narrow_by_status(site):
    db, senco, _, review_id = site
    first = action_plans.add_action(db, senco, A, "2025/26", what="Done thing", status="done")
    action_plans.add_action(db, senco, A, "2025/26", what="Open thing")
    at = open_page(app_as(db, senco), "plan", review=review_id)
    at.multiselect[1].set_value(["done"]).run()
    assert [e.label.split(" · ")[0] for e in at.expander] == ["Done thing"]
    assert first


def test_the_la_reads_the_plan_without_editing_it(site):
    db, senco, north, _ = site
    action_plans.add_action(db, senco, A, "2025/26", what="Review the SEN policy")
    at = open_page(app_as(db, north), "plan", school=A)
    assert not at.exception
    assert "Suggested actions" not in texts(at) and "Add your own action" not in texts(at)
    assert at.expander[0].label.startswith("Review the SEN policy")
    assert all(t.disabled for t in at.text_area)


def test_results_page_offers_both_reports_and_makes_them(site):
    db, senco, _, review_id = site
    at = open_page(app_as(db, senco), "results", review=review_id)
    assert not at.exception
    next(b for b in at.button if b.label == "Make the PDF report (.pdf)").click()
    at.run()
    assert not at.exception
    assert any(b.label == "Download the PDF report (.pdf)" for b in at.get("download_button"))
