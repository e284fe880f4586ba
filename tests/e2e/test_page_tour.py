"""Every page on the demo data, wide and narrow, with no error and a screenshot to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from data import reviews
from data.access import OPERATOR
from data.db import Database
from tests.support.app_server import AppServer
from tests.support.browser import app_errors, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def test_every_page_renders_on_the_demo_data(app_server_factory, browser: Browser) -> None:
    server: AppServer = app_server_factory(env={"SEND_REVIEW_DEMO": "1"})
    for width, height in ((1280, 900), (400, 860)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        open_app(page, server.url)
        if width == 1280:  # the first visit creates the administrator; the cookie signs the narrow visit in
            page.get_by_label("Email").fill("admin@demo.example")
            page.get_by_label("Your name").fill("Ada Admin")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password again").fill(PASSWORD)
            page.get_by_role("button", name="Create the administrator").click()
        else:
            page.get_by_label("Email").fill("admin@demo.example")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=60_000)
        page.wait_for_function("document.cookie.includes('send_review_session=')")  # the session survives page loads
        db = Database(server.database_url)
        draft = reviews.list_reviews(db, OPERATOR, status="draft")[0].id
        done = reviews.list_reviews(db, OPERATOR, status="submitted")[0].id
        db.dispose()
        tour = [
            ("home", "", "In progress"),
            ("start", "start", "Start the review"),
            ("review", f"review?review={draft}", "questions answered"),
            ("results", f"results?review={done}", "Statutory compliance"),
            ("offline", f"offline?review={draft}", "Upload the filled-in workbook"),
            ("sharing", "sharing", "share their reviews with the LA"),
            ("overview", "overview", "Heat map"),
        ]
        for name, path, text in tour:
            open_app(page, f"{server.url}/{path}")
            expect(page.get_by_text(text).first).to_be_visible(timeout=60_000)
            wait_for_app(page)
            assert not app_errors(page), f"{name} raised an exception; log:\n{server.log_tail()}"
            screenshot(page, f"tour-{width}-{name}")
        context.close()
