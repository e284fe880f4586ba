"""A SENCO submits a review, accepts suggested actions and downloads both reports, in Debian's Chromium."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Browser, expect

from data import reviews
from data.access import OPERATOR
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from framework.library import builtin_framework
from tests.support.browser import APP_TIMEOUT_MS, app_errors, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, PLAN_ANSWERS, add_user, register

pytestmark = pytest.mark.browser
ANSWERS = PLAN_ANSWERS


def test_submit_accept_suggested_actions_and_download_both_reports(app_server_factory, browser: Browser, tmp_path):
    url = f"sqlite:///{tmp_path}/journey.db"
    db = open_database(url)
    upsert_schools(db, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    from data import users

    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    review_id = reviews.start_review(
        db,
        senco,
        school_urn="900001",
        framework=builtin_framework("senco-role-audit"),
        cycle="2025/26",
        phase="primary",
        resourced_provision=False,
    )
    for cid, value in ANSWERS.items():
        reviews.save_answer(db, senco, review_id, cid, seen_version=0, response=value)
    db.dispose()
    server = app_server_factory(url, env={"SEND_REVIEW_DEMO": "0"})
    page = signed_in_page(browser, f"{server.url}/review?review={review_id}", "senco@alder.example", PASSWORD)

    wait_for_app(page)
    page.get_by_text("I have checked the answers", exact=False).click()
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text("submitted", exact=False).first).to_be_visible(timeout=APP_TIMEOUT_MS)
    assert reviews.get_review(Database(url), OPERATOR, review_id).status == "submitted"

    page.goto(f"{server.url}/plan?review={review_id}")
    expect(page.get_by_role("heading", name="Suggested actions")).to_be_visible(timeout=APP_TIMEOUT_MS)
    page.get_by_text("Meet the statutory duty", exact=False).first.click()
    wait_for_app(page)
    page.get_by_role("button", name="Accept ticked").click()
    expect(page.get_by_text("1 of 1 actions shown", exact=False)).to_be_visible(timeout=APP_TIMEOUT_MS)
    screenshot(page, "action-plan-1280")
    page.set_viewport_size({"width": 400, "height": 900})
    screenshot(page, "action-plan-400")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{server.url}/results?review={review_id}")
    for label, fmt in (("Word report (.docx)", "docx"), ("PDF report (.pdf)", "pdf")):
        page.get_by_role("button", name=f"Make the {label}").click()
        button = page.get_by_role("button", name=f"Download the {label}")
        expect(button).to_be_visible(timeout=APP_TIMEOUT_MS)
        with page.expect_download(timeout=APP_TIMEOUT_MS) as download:
            button.click()
        data = Path(download.value.path()).read_bytes()
        if fmt == "docx":
            headings = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.style.name.startswith("Heading")]
            assert "Action plan" in headings
        else:
            assert data.startswith(b"%PDF")
    screenshot(page, "results-report-downloads")
    assert not app_errors(page), server.log_tail()
