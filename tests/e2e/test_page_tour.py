"""Every page each role reaches, on the demo data, wide and narrow: no error, no serious axe-core
violation and headings in order from one h1 (the rule and the element are named on failure), and a
screenshot to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from data import reviews, users
from data.access import OPERATOR
from data.db import Database
from data.demo_accounts import DEMO_ACCOUNTS
from tests.support.accessibility import serious_violations
from tests.support.app_server import AppServer
from tests.support.browser import APP_TIMEOUT_MS, app_errors, new_app_context, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"
WIDTHS = ((1280, 900), (400, 860))
EXPLORE = {"school": "the SENCO of a demo school", "peer": "an assigned peer reviewer", "la": "an LA advisor"}


def _sign_in(page: Page, server: AppServer, role: str, first: bool) -> list[str]:
    """Signs in; returns the sign-in page's own serious violations (it offers Explore as... on the demo)."""
    open_app(page, server.url)
    found = []
    if not first:
        expect(page.get_by_role("button", name=f"Explore as {EXPLORE['school']}")).to_be_visible()
        found = [f"sign-in: {v}" for v in serious_violations(page)]
        screenshot(page, f"tour-sign-in-{role}-{page.viewport_size['width'] if page.viewport_size else 0}")
    if role != "admin":
        page.get_by_role("button", name=f"Explore as {EXPLORE[role]}").click()
    elif first:  # the first visit creates the administrator
        page.get_by_label("Email").fill("admin@demo.example")
        page.get_by_label("Your name").fill("Ada Admin")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create the administrator").click()
    else:
        page.get_by_label("Email").fill("admin@demo.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=APP_TIMEOUT_MS)
    page.wait_for_function("document.cookie.includes('send_review_session=')")
    wait_for_app(page)
    return found


def _nav_paths(page: Page) -> list[str]:
    """The pages in this role's navigation, as paths (read at the wide size, where the sidebar is open).
    Past ten pages the sidebar folds the rest behind "View N more", which is opened first."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
        expect(more).to_contain_text("less")
    hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.pathname)")
    return [h.lstrip("/") for h in hrefs]


def _check_print(page: Page) -> None:
    """Printed (A4), the results page is the results: no sidebar, no Reopen form."""
    expect(page.locator(".st-key-reopen")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.locator(".st-key-reopen")).to_be_hidden()
    expect(page.get_by_role("heading", name=re.compile("^Results: "))).to_be_visible()
    screenshot(page, "tour-school-results-print")
    page.emulate_media(media="screen")


def _review_paths(server: AppServer, role: str) -> list[str]:
    """A review in progress (questions, offline) and a submitted one (results) that this role can open."""
    db = Database(server.database_url)
    try:
        actor = OPERATOR if role == "admin" else users.actor_by_email(db, DEMO_ACCOUNTS[role].email)
        assert actor is not None
        visible = reviews.list_reviews(db, actor)
    finally:
        db.dispose()
    paths = [f"results?review={r.id}" for r in visible if r.status == "submitted"][:1]
    draft = [r.id for r in visible if r.status == "draft"][:1]
    return paths + [p for d in draft for p in (f"review?review={d}", f"offline?review={d}")]


def test_every_page_for_every_role_is_accessible_on_the_demo_data(app_server_factory, browser: Browser) -> None:
    server: AppServer = app_server_factory(env={"SEND_REVIEW_DEMO": "1"})
    problems: list[str] = []
    for role in ("admin", "school", "peer", "la"):
        paths: list[str] = []
        for width, height in WIDTHS:
            context = new_app_context(browser, {"width": width, "height": height})
            page = context.new_page()
            problems += _sign_in(page, server, role, first=(role == "admin" and width == 1280))
            if not paths:
                paths = _nav_paths(page) + _review_paths(server, role)
            for path in paths:
                open_app(page, f"{server.url}/{path}")
                name = f"{role}-{width}-{path.split('?')[0] or 'home'}"
                assert not app_errors(page), f"{name} raised an exception; log:\n{server.log_tail()}"
                problems += [f"{name}: {v}" for v in serious_violations(page)]
                screenshot(page, f"tour-{name}")
                if role == "school" and width == 1280 and path.startswith("results?review="):
                    _check_print(page)
            context.close()
    assert not problems, "serious accessibility violations or headings out of order:\n" + "\n".join(problems)
