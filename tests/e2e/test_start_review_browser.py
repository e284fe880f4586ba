"""In the browser: opening Start again offers the review already in progress instead of a second one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from data import reviews
from tests.support.browser import app_errors, expect_rerun, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user, prepared_site

pytestmark = pytest.mark.browser


def _questions_shown(page: Page) -> None:
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ questions answered$"))).to_be_visible(timeout=60_000)
    wait_for_app(page)


def test_starting_again_continues_the_review_in_progress(
    app_server_factory, browser: Browser, tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    server = app_server_factory(url)

    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD)
    open_app(page, f"{server.url}/start")
    page.get_by_role("button", name="Start the review").click()
    _questions_shown(page)
    [first] = reviews.list_reviews(db, senco)
    assert f"review={first.id}" in page.url
    question = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains").first
    with expect_rerun(page):
        question.locator('[data-testid="stRadioOption"]').first.click()

    open_app(page, f"{server.url}/start")
    expect(page.get_by_text(re.compile(r"is already in progress: 1 of \d+ questions answered"))).to_be_visible()
    expect(page.get_by_role("button", name="Start the review")).to_have_count(0)
    expect(page.get_by_text("Start a separate new review anyway")).to_be_visible()
    screenshot(page, "start-review-already-in-progress")
    assert not app_errors(page), server.log_tail()

    page.get_by_role("button", name="Continue that review").click()
    _questions_shown(page)
    assert f"review={first.id}" in page.url
    assert [r.id for r in reviews.list_reviews(db, senco)] == [first.id]
    assert not app_errors(page), server.log_tail()
    db.dispose()
