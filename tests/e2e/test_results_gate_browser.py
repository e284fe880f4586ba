"""In the browser: the results page of a gated framework shows a domain of duties alone by its compliance,
and the questionnaire counts only the questions that apply ("n of m")."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data import reviews
from framework.explain import questions_that_apply
from framework.library import builtin_framework
from tests.support.browser import app_errors, open_app, screenshot, signed_in_page
from tests.support.pages import PASSWORD, prepared_site
from tests.test_pages_results_gate import gated_review

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 400])
def test_duties_only_and_questions_that_do_not_apply_read_right(
    app_server_factory, browser: Browser, tmp_path: Path, monkeypatch, width: int
) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco, gated = gated_review(db)
    audit = reviews.start_review(
        db, senco, school_urn="900001", framework=builtin_framework("senco-role-audit"), cycle="2025/26",
        phase="primary", resourced_provision=False,
    )  # fmt: skip
    reviews.save_answer(db, senco, audit, "time-ehcp", seen_version=0, response="0")
    context = reviews.get_review(db, senco, audit).context
    asked = len(questions_that_apply(builtin_framework("senco-role-audit"), context, {"time-ehcp": "0"}))
    db.dispose()
    server = app_server_factory(url)

    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD, width=width)
    open_app(page, f"{server.url}/results?review={gated}")
    heading = page.get_by_role("heading", name="Domains")
    expect(heading).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Statutory duties only, with no level: Legal duties (4 of 4 duties met).")).to_be_visible()
    heading.scroll_into_view_if_needed()
    screenshot(page, f"results-duties-only-{width}", full_page=False)

    open_app(page, f"{server.url}/review?review={audit}&domain=records")
    expect(page.get_by_text(f"1 of {asked} questions answered")).to_be_visible(timeout=60_000)
    screenshot(page, f"review-counts-only-what-applies-{width}", full_page=False)
    assert not app_errors(page), server.log_tail()
