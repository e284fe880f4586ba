"""The app starts as a user starts it, renders its title in a real browser, and comes back after a restart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.app_server import AppServer
from tests.support.browser import app_errors, open_app, screenshot

pytestmark = pytest.mark.browser


def _assert_home_renders(page: Page, server: AppServer) -> None:
    open_app(page, server.url)
    assert not app_errors(page), f"the app raised an exception; server log:\n{server.log_tail()}"
    expect(page.get_by_role("heading", name="SEND Review").first).to_be_visible()


def test_app_renders_and_survives_a_restart(app_server: AppServer, page: Page) -> None:
    _assert_home_renders(page, app_server)
    screenshot(page, "smoke-home")

    app_server.restart()
    _assert_home_renders(page, app_server)
