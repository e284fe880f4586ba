"""In the browser: answering a question moves the counts at once; the domain list still changes domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data import reviews
from framework.library import builtin_framework
from tests.support.browser import app_errors, expect_rerun, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user, prepared_site

pytestmark = pytest.mark.browser

OPTION = '[data-testid="stRadioOption"]'


def test_answering_a_question_moves_the_counts_straight_away(
    app_server_factory, browser: Browser, tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    rid = reviews.start_review(
        db,
        senco,
        school_urn="900001",
        framework=builtin_framework("senco-role-audit"),
        cycle="2025/26",
        phase="primary",
        resourced_provision=False,
    )
    db.dispose()
    server = app_server_factory(url)

    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD)
    open_app(page, f"{server.url}/review?review={rid}&domain=role")
    expect(page.get_by_role("heading", name="The statutory role and qualification")).to_be_visible(timeout=60_000)
    bar = page.get_by_text(re.compile(r"^\d+ of \d+ questions answered$"))
    expect(bar).to_have_text(re.compile(r"^0 of \d+"))
    nav = page.locator('[data-testid="stRadio"]').filter(has_text="Domains")
    role = nav.get_by_test_id("stRadioCaption").first  # under the first domain, the one shown
    expect(role).to_have_text("0 of 17 answered")
    screenshot(page, "questionnaire-progress-before", full_page=False)

    first = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains").first
    with expect_rerun(page):
        first.locator(OPTION).filter(has_text=re.compile(r"^Yes")).first.click()
    expect(page.get_by_text("Saved at")).to_be_visible()
    expect(role).to_have_text("1 of 17 answered")
    expect(bar).to_have_text(re.compile(r"^1 of \d+"))
    expect(page.get_by_text(re.compile(r"The statutory role and qualification \(16\)"))).to_be_visible()
    assert not app_errors(page), server.log_tail()
    screenshot(page, "questionnaire-progress-after-answer", full_page=False)

    with expect_rerun(page):
        nav.locator(OPTION).filter(has_text="Records and data").click()
    expect(page.get_by_role("heading", name="Records and data")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert "domain=records" in page.url
    expect(role).to_have_text("1 of 17 answered")
    assert not app_errors(page), server.log_tail()
