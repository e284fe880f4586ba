"""An LA advisor opens the compare page for a demo school in a real browser: the chart and its table render."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from data import users
from data.db import Database
from tests.support.accounts import actor_for
from tests.support.browser import app_errors, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def test_an_la_advisor_sees_the_peer_chart_and_its_table(app_server_factory, page: Page) -> None:
    server = app_server_factory(env={"SEND_REVIEW_DEMO": "1"})
    open_app(page, server.url)  # the first visit loads the demo LA
    db = Database(server.database_url)
    admin = users.create_first_admin(db, "admin@demo.example", "Ada Admin", PASSWORD)
    users.invite_user(db, admin, "advisor@demo.example", "Ali Advisor", "la", la="Lanternshire (demo)")
    advisor_id = next(u.id for u in users.list_users(db, admin) if u.email == "advisor@demo.example")
    users.set_password(db, actor_for(db, advisor_id), advisor_id, PASSWORD)
    db.dispose()

    open_app(page, f"{server.url}/compare?urn=900005&framework=senco-role-audit&peers=similar")
    page.get_by_label("Email").fill("advisor@demo.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Compare with similar schools")).to_be_visible(timeout=60_000)
    wait_for_app(page)

    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=60_000)
    expect(chart.locator(".legendtext", has_text="This school")).to_be_visible()
    expect(chart.locator(".legendtext", has_text="Peer median")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.get_by_text("at or above", exact=False).first).to_be_visible()
    expect(page.get_by_text("Compared with", exact=False).first).to_be_visible()
    assert not app_errors(page), f"the compare page raised an exception; log:\n{server.log_tail()}"
    screenshot(page, "compare-la-advisor")


def test_a_senco_sees_only_rounded_figures_for_anonymised_peers(app_server_factory, page: Page) -> None:
    """Issue #10: no peer's own value reaches a school user; the page reads at 1280 and 400 px."""
    server = app_server_factory(env={"SEND_REVIEW_DEMO": "1"})
    open_app(page, server.url)
    db = Database(server.database_url)
    admin = users.create_first_admin(db, "admin@demo.example", "Ada Admin", PASSWORD)
    users.invite_user(db, admin, "senco@demo.example", "Sam Senco", "school", school_urn="900005")
    senco_id = next(u.id for u in users.list_users(db, admin) if u.email == "senco@demo.example")
    users.set_password(db, actor_for(db, senco_id), senco_id, PASSWORD)
    db.dispose()

    open_app(page, f"{server.url}/compare?urn=900005&framework=senco-role-audit&peers=similar")
    page.get_by_label("Email").fill("senco@demo.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Compare with similar schools")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert not app_errors(page), f"the compare page raised an exception; log:\n{server.log_tail()}"
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=60_000)
    expect(chart.locator(".legendtext", has_text="Peer median")).to_be_visible()
    assert chart.locator(".legendtext", has_text="Peers (box").count() == 0, "no peer's own value is drawn"
    screenshot(page, "compare-senco-1280")
    page.set_viewport_size({"width": 400, "height": 900})
    wait_for_app(page)
    screenshot(page, "compare-senco-400")
