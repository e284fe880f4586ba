"""In Chromium, as a SENCO: a note typed and left by every way out is saved, and nothing else changes (issue 9).

The journey that overwrote a whole domain: type into an evidence box and, without clicking elsewhere,
go to the next domain, back, by the domain list, by the sidebar, and reload. After every step the
database must hold every answer and note as given, plus the typed note.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from data import reviews
from data.db import Database
from framework.library import builtin_framework
from tests.support.browser import app_errors, expect_rerun, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user, prepared_site

pytestmark = pytest.mark.browser

EVIDENCE = "Evidence (where it is kept, what it shows; no pupil names)"
GIVEN = {
    "role-designated": "no",
    "role-eligible-qualified": "yes",
    "role-rule-applies": "yes",
    "role-qualification-dates": "N/A",
    "role-job-description": "Embedded",
    "role-own-development": "Established",
    "role-qualification-notes": "Qualified in 2019",
    "lead-slt-member": "yes",
    "lead-strategic-voice": "Developing",
}


class Journey:
    def __init__(self, db: Database, senco, rid: int, page: Page) -> None:  # type: ignore[no-untyped-def]
        self.db, self.senco, self.rid, self.page = db, senco, rid, page
        self.model = self._stored()

    def _stored(self) -> dict[str, tuple[str | None, str]]:
        return {cid: (a.response, a.evidence) for cid, a in reviews.load_answers(self.db, self.senco, self.rid).items()}

    def type_note(self, box: int, criterion_id: str, text: str) -> None:
        """Type at the end of a note, leaving the box focused (nothing sent yet)."""
        field = self.page.get_by_label(EVIDENCE).nth(box)
        field.click()
        field.press("End")
        self.page.keyboard.type(text)
        response, note = self.model.get(criterion_id, (None, ""))
        self.model[criterion_id] = (response, note + text)

    def wait_for_database(self, seconds: float = 30) -> None:
        """Until the database holds the model (or the time is up; ``check`` then says what differs)."""
        deadline = time.monotonic() + seconds
        while self._stored() != self.model and time.monotonic() < deadline:
            self.page.wait_for_timeout(250)

    def check(self, step: str) -> None:
        wait_for_app(self.page)
        assert not app_errors(self.page), step
        assert self._stored() == self.model, f"after {step}"


@pytest.fixture
def journey(app_server_factory, browser: Browser, tmp_path: Path, monkeypatch) -> Journey:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = prepared_site(url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    framework = builtin_framework("senco-role-audit")
    rid = reviews.start_review(
        db, senco, school_urn="900001", framework=framework, cycle="2025/26", phase="primary", resourced_provision=False
    )
    for cid, response in GIVEN.items():
        saved = reviews.save_answer(db, senco, rid, cid, seen_version=0, response=response)
        reviews.save_answer(db, senco, rid, cid, seen_version=saved.answer.version, evidence=f"Kept in file {cid}")
    server = app_server_factory(url)
    page = signed_in_page(browser, server.url, "senco@alder.example", PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())  # "Reload site? Changes may not be saved": yes
    open_app(page, f"{server.url}/review?review={rid}&domain=role")
    page.server_url = server.url  # type: ignore[attr-defined]
    return Journey(db, senco, rid, page)


def test_a_typed_note_is_saved_by_every_way_out_and_nothing_else_changes(journey: Journey) -> None:
    page, base = journey.page, journey.page.server_url  # type: ignore[attr-defined]
    journey.check("opening the domain")
    screenshot(journey.page, "questionnaire-integrity-role", full_page=False)

    journey.type_note(8, "role-qualification-dates", " and the certificate")
    with expect_rerun(page):
        page.get_by_role("button", name="Leadership and strategic influence →").click()
    expect(page.get_by_role("heading", name="Leadership and strategic influence")).to_be_visible()
    assert "domain=leadership" in page.url
    journey.check("the next button")
    # the answers shown are the stored ones: two on this domain, no option chosen anywhere else
    answers = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    assert answers.locator("input:checked").count() == 2

    journey.type_note(1, "lead-strategic-voice", "; SLT minutes")
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile(r"^← The statutory role")).click()
    expect(page.get_by_role("heading", name="The statutory role and qualification")).to_be_visible()
    journey.check("the previous button")

    journey.type_note(0, "role-designated", " (signed)")
    nav = page.locator('[data-testid="stRadio"]').filter(has_text="Domains")
    with expect_rerun(page):
        nav.locator('[data-testid="stRadioOption"]').filter(has_text="Records and data").click()
    expect(page.get_by_role("heading", name="Records and data")).to_be_visible()
    journey.check("the domain list")

    open_app(page, f"{base}/review?review={journey.rid}&domain=role")
    journey.type_note(9, "role-decided-by-governors", "Governors' minutes, May")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Results").click()
    page.wait_for_url(re.compile(r"/results"))
    journey.check("the sidebar")

    open_app(page, f"{base}/review?review={journey.rid}&domain=role")
    journey.type_note(15, "role-continuity", "Deputy named in the handbook")
    page.reload()
    wait_for_app(page)
    journey.wait_for_database()  # the note kept in the tab is put back and sent once the page is back
    journey.check("a reload")

    answers = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    with expect_rerun(page):
        answers.nth(8).locator('[data-testid="stRadioOption"]').filter(has_text="No").click()
    journey.model["role-qualification-dates"] = ("no", journey.model["role-qualification-dates"][1])
    journey.check("the next deliberate change")
    screenshot(page, "questionnaire-integrity-after", full_page=False)
    page.set_viewport_size({"width": 400, "height": 900})
    open_app(page, page.url)  # drawn afresh at this width, as a phone would: the sidebar folded away
    screenshot(page, "questionnaire-integrity-narrow", full_page=False)


def test_a_number_question_is_marked_not_applicable_and_back(journey: Journey) -> None:
    """The "Not applicable" box beside a number: ticked it stores N/A and turns the number box off."""
    page = journey.page
    open_app(page, f"{page.server_url}/review?review={journey.rid}&domain=time")  # type: ignore[attr-defined]
    question = page.get_by_test_id("stVerticalBlock").filter(has_text="Protected hours a week for SENCO work").last
    number = question.get_by_role("spinbutton")
    box = question.get_by_role("checkbox", name="Not applicable to this school")
    expect(box).not_to_be_checked()
    with expect_rerun(page):
        question.get_by_text("Not applicable to this school").click()
    journey.model["time-hours-protected"] = ("N/A", "")
    journey.check("ticking Not applicable")
    expect(box).to_be_checked()
    expect(number).to_be_disabled()
    expect(number).to_have_value("")
    screenshot(page, "questionnaire-number-not-applicable", full_page=False)
    page.set_viewport_size({"width": 400, "height": 900})
    open_app(page, page.url)  # drawn afresh at this width, as a phone would: the sidebar folded away
    question.scroll_into_view_if_needed()
    screenshot(page, "questionnaire-number-not-applicable-narrow", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    with expect_rerun(page):
        question.get_by_text("Not applicable to this school").click()
    journey.model["time-hours-protected"] = (None, "")
    journey.check("unticking Not applicable")
    expect(number).to_be_enabled()
