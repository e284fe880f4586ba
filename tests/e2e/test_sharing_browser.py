"""In the browser: a SENCO stops sharing with the LA, and the LA advisor loses the school's review at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data import consent, reviews, users
from data.access import OPERATOR, SHARE_WITH_LA
from data.setup import open_database
from tests.support.browser import app_errors, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user

pytestmark = pytest.mark.browser


def test_a_school_withdraws_its_consent_and_its_la_no_longer_sees_its_review(
    app_server_factory, browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = open_database(url, demo_on_empty=True)
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    shared = next(s for s in consent.list_sharing(db, OPERATOR) if s.shares(SHARE_WITH_LA))
    add_user(db, "senco@school.example", "school", school_urn=shared.urn)
    add_user(db, "advisor@la.example", "la", la=shared.la)
    review = next(r for r in reviews.list_reviews(db, OPERATOR, status="submitted") if r.school_urn == shared.urn).id
    db.dispose()
    server = app_server_factory(url)

    advisor = signed_in_page(browser, server.url, "advisor@la.example", PASSWORD)
    open_app(advisor, f"{server.url}/results?review={review}")
    expect(advisor.get_by_text("Statutory compliance").first).to_be_visible(timeout=60_000)

    senco = signed_in_page(browser, server.url, "senco@school.example", PASSWORD)
    open_app(senco, f"{server.url}/sharing")
    expect(senco.get_by_text("Shared", exact=True).first).to_be_visible()
    screenshot(senco, "sharing-school-before")
    senco.get_by_label("Reason (optional, kept in the audit log)").first.fill("The governors will decide in May")
    senco.get_by_role("button", name="Stop sharing").first.click()
    wait_for_app(senco)
    expect(senco.get_by_text(f"{shared.name} no longer shares its reviews with the LA.")).to_be_visible()
    screenshot(senco, "sharing-school-after")
    assert not app_errors(senco), server.log_tail()

    open_app(advisor, f"{server.url}/results?review={review}")
    expect(advisor.get_by_text(f"There is no review {review} that you can open.")).to_be_visible(timeout=60_000)
    open_app(advisor, f"{server.url}/sharing")
    expect(advisor.get_by_text("share their reviews with the LA").first).to_be_visible()
    screenshot(advisor, "sharing-la")
    assert not app_errors(advisor), server.log_tail()

    narrow = signed_in_page(browser, server.url, "advisor@la.example", PASSWORD, width=400)
    open_app(narrow, f"{server.url}/sharing")
    expect(narrow.get_by_text("share their reviews with the LA").first).to_be_visible()
    screenshot(narrow, "sharing-la-400")
