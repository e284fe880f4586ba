"""In the browser: a question that does not apply says why, and a per-unit number shows its sum."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data import reviews
from framework.library import builtin_framework
from tests.support.browser import app_errors, open_app, screenshot, signed_in_page
from tests.support.pages import PASSWORD, add_user, prepared_site

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 400])
def test_notes_explain_why_a_duty_does_not_apply_and_how_time_is_judged(
    app_server_factory, browser: Browser, tmp_path: Path, monkeypatch, width: int
) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    rid = reviews.start_review(
        db, senco, school_urn="900001", framework=builtin_framework("senco-role-audit"), cycle="2025/26",
        phase="primary", resourced_provision=False,
    )  # fmt: skip
    for cid, answer in {"time-sen-support": "40", "time-ehcp": "0", "time-hours-protected": "6"}.items():
        reviews.save_answer(db, senco, rid, cid, seen_version=0, response=answer)
    db.dispose()
    server = app_server_factory(url)

    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD, width=width)
    open_app(page, f"{server.url}/review?review={rid}&domain=time")
    sum_words = "6 hours for 40 pupils on the SEN register = 1.50 hours per 10 pupils on the SEN register: Established"
    note = page.get_by_text(sum_words)
    expect(note).to_be_visible(timeout=60_000)
    note.scroll_into_view_if_needed()
    screenshot(page, f"criterion-notes-per-unit-{width}", full_page=False)

    open_app(page, f"{server.url}/review?review={rid}&domain=records")
    reason = page.get_by_text('Does not apply because the answer to "Pupils with an EHC plan" is 0').first
    expect(reason).to_be_visible(timeout=60_000)
    reason.scroll_into_view_if_needed()
    screenshot(page, f"criterion-notes-not-applicable-{width}", full_page=False)
    assert not app_errors(page), server.log_tail()
