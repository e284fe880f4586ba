"""In Chromium, as a SENCO who answers quickly: every option clicked is sent, saved and shown as saved.

Each click here follows the end of the run the click before started, with no pause for drawing, as a
user working down a domain does. When a save asked for a second run (Streamlit's ``st.rerun`` from the
widget's callback), a click made between the two runs was drawn as chosen but not sent until the next
click, and the last one never: 17 of 120 such clicks were lost. Every change is now a single run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from data import reviews
from framework.library import builtin_framework
from tests.support.browser import click_sent, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user, prepared_site

pytestmark = pytest.mark.browser

OPTION = '[data-testid="stRadioOption"]'
EVIDENCE = "Evidence (where it is kept, what it shows; no pupil names)"
FRAMEWORK = builtin_framework("senco-role-audit")


def _quick_click(page: Page, option: Locator) -> None:
    """Click, check the click was sent, and wait only for the end of the run it started."""
    click_sent(page, option)
    page.wait_for_function("() => window.__runsFinished > window.__runsBefore", timeout=60_000)


def test_every_quick_click_on_a_domain_is_stored(app_server_factory, browser: Browser, tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    rid = reviews.start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )
    server = app_server_factory(url)
    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD)
    open_app(page, f"{server.url}/review?review={rid}&domain=role")
    radios = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    questions = [c.id for c in FRAMEWORK.criteria if c.domain_id == "role" and c.kind in ("yes_no", "rating")]
    assert radios.count() == len(questions)

    chosen = {}
    for i, criterion_id in enumerate(questions):
        option = radios.nth(i).locator(OPTION).nth(1)  # "No", or the second level of a rating
        _quick_click(page, option)
        chosen[criterion_id] = option.inner_text().split("\n")[0]
    wait_for_app(page)
    screenshot(page, "questionnaire-quick-answers", full_page=False)

    stored = {cid: a.response for cid, a in reviews.load_answers(db, senco, rid).items() if a.response}
    assert stored == {cid: {"No": "no"}.get(label, label) for cid, label in chosen.items()}
    checked = [radios.nth(i).locator(f"{OPTION}:has(input:checked)") for i in range(len(chosen))]
    assert [option.inner_text().split("\n")[0] for option in checked] == list(chosen.values())
    assert page.get_by_text("Saved at").count() == len(questions)

    # a note typed and not yet sent, then straight to another question's answer: both are kept
    page.get_by_label(EVIDENCE).first.fill("Minutes of the governing body, March 2025")
    _quick_click(page, radios.nth(1).locator(OPTION).nth(0))
    wait_for_app(page)
    stored_now = reviews.load_answers(db, senco, rid)
    assert stored_now[questions[0]].evidence == "Minutes of the governing body, March 2025"
    assert stored_now[questions[1]].response == "yes"
    assert {cid: a.response for cid, a in stored_now.items() if cid not in questions[:2]} == {
        cid: stored[cid] for cid in questions[2:]
    }
