"""Headless Chromium through Playwright, plus waits that follow Streamlit's own run state (never fixed sleeps).

Playwright cannot download its browser on this network, so it drives Debian's `chromium`
(installed by scripts/ensure-chromium.sh).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.support import TEST_OUTPUT, skip_or_fail

SCREENSHOTS = TEST_OUTPUT / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# Without the networking flags Chromium keeps dialling Google on this closed network and start-up suffers.
# Playwright itself gives each launch a fresh, empty profile directory (it rejects --user-data-dir here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
APP_TIMEOUT_MS = 60_000  # the first run imports pandas, plotly etc.: ~20 s seen on a loaded 2-core machine

# stApp carries data-test-connection-state and data-test-script-state (streamlit 1.67 frontend);
# "initial" before the first run, then "running"/"rerunRequested", then "notRunning" (or
# "compilationError" when app.py does not parse). The running-man icon is the visible twin.
# Widgets are code-split: until their JS chunk loads they render as stSkeleton, so wait those out too.
_APP_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && ['notRunning', 'compilationError'].includes(app.getAttribute('data-test-script-state'))
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stSkeleton"]');
}"""

# Watches the whole document, not one stApp node: a page switch can put a new stApp in place of the
# old one between installing the watch and the click, and a watch on the old node then never fires.
_WATCH_RERUN_JS = """() => {
  window.__rerunSeen = false;
  if (window.__rerunObserver) window.__rerunObserver.disconnect();
  const busy = (s) => s === 'running' || s === 'rerunRequested';
  window.__rerunObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (busy(r.oldValue) || busy(r.target.getAttribute('data-test-script-state'))) window.__rerunSeen = true;
    }
  });
  window.__rerunObserver.observe(document.documentElement, {attributes: true, attributeOldValue: true,
                                 subtree: true, attributeFilter: ['data-test-script-state']});
}"""


def chromium_path() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Block until the page is connected and Streamlit has finished running the script.

    Right after a click the state may still read "notRunning" from the previous run: wrap
    interactions in `expect_rerun(page)` instead of calling this directly.
    """
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout_ms)
    page.wait_for_function(_APP_IDLE_JS, timeout=timeout_ms)


def open_app(page: Page, url: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Navigate to the app (any path or query) and wait for its first script run to finish."""
    page.goto(url, timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def app_errors(page: Page) -> list[str]:
    """Texts of the exception boxes Streamlit rendered (redacted in production config; the server log has details)."""
    return page.get_by_test_id("stException").all_inner_texts()


@contextmanager
def expect_rerun(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> Iterator[None]:
    """Around an interaction: waits until a rerun has started *and* finished, so no race with the old state."""
    page.evaluate(_WATCH_RERUN_JS)
    yield
    page.wait_for_function("() => window.__rerunSeen === true", timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save test-output/screenshots/<name>.png (kept after the run, for people and for CI artefacts)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_') or 'screenshot'}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the session; skipped without chromium locally, an error under CI."""
    executable = chromium_path()
    if executable is None:
        skip_or_fail("chromium not installed (run scripts/ensure-chromium.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context (no cookies or storage shared between tests); screenshots itself if the test failed."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            with suppress(Exception):  # never hide the test's own failure behind a screenshot error
                screenshot(page, f"FAILED-{request.node.nodeid}")
        context.close()


def signed_in_page(browser: Browser, url: str, email: str, password: str, *, width: int = 1280) -> Page:
    """A fresh browser context (its own cookies) signed in to the app with an email and password."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    open_app(page, url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=APP_TIMEOUT_MS)
    return page
