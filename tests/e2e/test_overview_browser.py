"""An LA advisor opens the LA overview of the demo authority in a real browser, at 1280 and 400 px wide:
the heat map, its accessible table, the flags, themes and completion render, and a school's name opens
its results."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data import users
from data.setup import open_database
from tests.support.browser import app_errors, open_app, screenshot, signed_in_page, wait_for_app
from tests.support.pages import PASSWORD, add_user

pytestmark = pytest.mark.browser
LA = "Lanternshire (demo)"


def test_an_la_advisor_reads_the_overview(app_server_factory, browser: Browser, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/send-review.db"
    db = open_database(url, demo_on_empty=True)
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    add_user(db, "advisor@la.example", "la", la=LA)
    db.dispose()
    server = app_server_factory(url)

    wide = signed_in_page(browser, server.url, "advisor@la.example", PASSWORD)
    open_app(wide, f"{server.url}/overview?framework=senco-role-audit")
    expect(wide.get_by_role("heading", name="LA overview")).to_be_visible(timeout=60_000)
    expect(wide.get_by_text("Heat map · SENCO role audit").first).to_be_visible(timeout=60_000)
    expect(wide.locator("table.overview-table th[scope=row]").first).to_be_visible()
    expect(wide.get_by_role("heading", name="Themes across the LA")).to_be_visible()
    expect(wide.get_by_text("schools have not chosen to share", exact=False).first).to_be_visible()
    assert not app_errors(wide), server.log_tail()
    screenshot(wide, "overview-la-1280")
    reason = wide.locator("table.overview-flags tbody td").first
    expect(reason).to_be_visible()
    assert reason.evaluate("td => td.scrollWidth <= td.clientWidth + 1")  # the whole sentence shows, nothing cut
    for heading in ("Flags", "Themes across the LA", "Change since the last cycle", "Completion in 2025/26"):
        wide.get_by_role("heading", name=heading).scroll_into_view_if_needed()
        screenshot(wide, f"overview-la-1280-{heading.split()[0].lower()}", full_page=False)
    sort = wide.get_by_test_id("stSelectbox").filter(has_text="Sort by").locator("input")
    sort.click()
    sort.fill("Records and data")
    sort.press("Enter")
    wait_for_app(wide)
    expect(wide.locator("table.overview-table tbody tr").first.locator("td").nth(5)).to_contain_text("1 · Emerging")
    wide.get_by_text("The same as a grid").click()
    expect(wide.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot(wide, "overview-la-1280-sorted", full_page=False)

    link = wide.locator("table.overview-table th[scope=row] a").first
    name = link.inner_text()
    open_app(wide, f"{server.url}/{link.get_attribute('href')}")
    expect(wide.get_by_text(name.split(" (")[0]).first).to_be_visible(timeout=60_000)
    expect(wide.get_by_text("Statutory compliance").first).to_be_visible(timeout=60_000)
    screenshot(wide, "overview-la-results-from-link")

    narrow = signed_in_page(browser, server.url, "advisor@la.example", PASSWORD, width=400)
    open_app(narrow, f"{server.url}/overview?framework=senco-role-audit")
    expect(narrow.get_by_text("Heat map · SENCO role audit").first).to_be_visible(timeout=60_000)
    wait_for_app(narrow)
    assert not app_errors(narrow), server.log_tail()
    screenshot(narrow, "overview-la-400")
    for heading in ("Heat map · SENCO role audit · 2025/26", "Flags", "Themes across the LA"):
        narrow.get_by_role("heading", name=heading).scroll_into_view_if_needed()
        screenshot(narrow, f"overview-la-400-{heading.split()[0].lower()}", full_page=False)
    flags = narrow.locator("table.overview-flags")
    expect(flags.locator("tbody tr").first).to_be_visible()
    # reasons wrap inside the page's width: the flags table is never wider than its box
    assert flags.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
