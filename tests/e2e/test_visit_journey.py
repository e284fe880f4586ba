"""In the browser: two reviewers rate independently, the lead moderates and submits the agreed review,
and the school then sees its self-review against the agreed judgement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from data import moderation, schools, users
from data.access import OPERATOR
from data.setup import open_database
from tests.support.browser import app_errors, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, register, share_all
from tests.support.visits import RATED, build, rate

pytestmark = pytest.mark.browser


def _ok(page: Page, server) -> None:  # type: ignore[no-untyped-def]
    assert not app_errors(page), server.log_tail()


def _rate_in_browser(browser: Browser, server, email: str, visit_id: int, shot: str) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(browser, server.url, email, PASSWORD)
    open_app(page, f"{server.url}/visits?visit={visit_id}")
    page.get_by_role("button", name=re.compile("(Start|Continue) my rating")).click()
    expect(page.get_by_text(re.compile(r"\d+ of \d+ questions answered"))).to_be_visible(timeout=60_000)
    wait_for_app(page)
    tags = page.get_by_text("Evidence this rating rests on").first
    expect(tags).to_be_visible()
    screenshot(page, shot)
    page.get_by_text("I have checked the answers and want to submit").click()
    wait_for_app(page)
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text("Statutory compliance").first).to_be_visible(timeout=60_000)
    _ok(page, server)
    page.context.close()


def test_two_reviewers_the_lead_and_the_school(app_server_factory, browser: Browser, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = open_database(url)
    schools.upsert_schools(
        db,
        OPERATOR,
        register([("900001", "Alder Primary", "North", "primary"), ("900002", "Birch High", "South", "secondary")]),
    )
    share_all(db)
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    world = build(db, with_la=False)
    p, visit_id = world.people, world.visit_id
    for key, levels in (("peer1", [2, 3, 2, 1, 2, 2, 1, 1]), ("peer2", [2, 2, 3, 1, 1, 2, 1, 2])):
        rate(db, p[key], moderation.start_rating(db, p[key], visit_id), levels, submit=False)
    db.dispose()
    server = app_server_factory(url)

    _rate_in_browser(browser, server, p["peer1"].email, visit_id, "visit-1-rating-peer1")
    _rate_in_browser(browser, server, p["peer2"].email, visit_id, "visit-2-rating-peer2")

    lead = signed_in_page(browser, server.url, p["peer1"].email, PASSWORD)
    open_app(lead, f"{server.url}/moderation?visit={visit_id}")
    expect(lead.get_by_text("agreed exactly on").first).to_be_visible(timeout=60_000)
    screenshot(lead, "visit-3-moderation")
    lead.get_by_role("button", name=re.compile("Start the agreed review")).click()
    wait_for_app(lead)
    expect(lead.get_by_role("button", name="Save agreed rating").first).to_be_visible(timeout=60_000)
    lead.get_by_label("Rationale").first.fill("Pupil voice and the provision map agree")
    lead.get_by_role("button", name="Save agreed rating").first.click()
    wait_for_app(lead)
    screenshot(lead, "visit-4-agreed")
    lead.get_by_text("Submit the agreed review").first.click()
    lead.get_by_text("The team has agreed every judgement").click()
    wait_for_app(lead)
    lead.get_by_role("button", name="Submit the agreed review").click()
    expect(lead.get_by_text(re.compile("Your self-review (was|matched)")).first).to_be_visible(timeout=60_000)
    _ok(lead, server)

    for width in (1280, 400):
        school = signed_in_page(browser, server.url, p["senco"].email, PASSWORD, width=width)
        open_app(school, f"{server.url}/self-vs-agreed?visit={visit_id}")
        expect(school.get_by_text(re.compile("Your self-review (was|matched)")).first).to_be_visible(timeout=60_000)
        screenshot(school, f"visit-5-self-vs-agreed-{width}")
        _ok(school, server)
        if width == 1280:
            open_app(school, f"{server.url}/moderation?visit={visit_id}")
            expect(school.get_by_text("agreed exactly on").first).to_be_visible(timeout=60_000)
            screenshot(school, "visit-6-school-moderation")
        school.context.close()
    assert RATED
