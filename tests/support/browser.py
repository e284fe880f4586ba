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
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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

# Counts the script runs the server reports ended: a ForwardMsg session_status_changed (field 9) whose
# script_is_running (field 2) is false, read off the websocket before Streamlit handles the message. The
# run-state attribute alone can miss a rerun: when the "running" and "not running" messages are both
# handled before React renders, the attribute never leaves "notRunning".
_COUNT_RUNS_JS = """(() => {
  window.__runsFinished = 0;
  window.__sent = 0;  // messages the app sent to the server
  const read = (b, from, to, onField) => {  // top-level protobuf fields of b[from, to)
    let i = from;
    const varint = () => {
      let v = 0, s = 0, x;
      do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80 && i < to);
      return v;
    };
    while (i < to) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) onField(field, varint(), 0, 0);
      else if (wire === 2) { const n = varint(); onField(field, null, i, i + n); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return;
    }
  };
  const runEnded = (data) => {
    if (!(data instanceof ArrayBuffer)) return false;
    const b = new Uint8Array(data);
    let ended = false;
    read(b, 0, b.length, (field, value, from, to) => {
      if (field !== 9 || value !== null) return;
      let running = false;
      read(b, from, to, (f, v) => { if (f === 2 && v === 1) running = true; });
      ended = !running;
    });
    return ended;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { if (runEnded(e.data)) window.__runsFinished += 1; });
      const send = this.send.bind(this);
      this.send = (d) => { window.__sent += 1; return send(d); };
    }
  };
})();"""

# Watches the whole document, not one stApp node: a page switch can put a new stApp in place of the
# old one between installing the watch and the click, and a watch on the old node then never fires.
_WATCH_RERUN_JS = """() => {
  window.__rerunSeen = false;
  window.__runsBefore = window.__runsFinished;
  window.__sentBefore = window.__sent;
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
_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const focused = document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : null;
  return {state: app && app.getAttribute('data-test-script-state'), focused,
          runsFinished: window.__runsFinished, runsBefore: window.__runsBefore,
          sent: window.__sent, sentBefore: window.__sentBefore};
}"""
_TWO_FRAMES_JS = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
_RERUN_DONE_JS = "() => window.__rerunSeen === true || window.__runsFinished > window.__runsBefore"


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


def new_app_context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
    """A fresh browser context (its own cookies and storage) that counts finished script runs for expect_rerun."""
    context = browser.new_context(viewport=viewport)
    context.add_init_script(_COUNT_RUNS_JS)
    return context


@contextmanager
def expect_rerun(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> Iterator[None]:
    """Around an interaction: waits until a rerun has started *and* finished, so no race with the old state."""
    page.evaluate(_WATCH_RERUN_JS)
    yield
    _wait_for_rerun(page, timeout_ms)


def _wait_for_rerun(page: Page, timeout_ms: int) -> None:
    try:
        page.wait_for_function(_RERUN_DONE_JS, timeout=timeout_ms)
    except PlaywrightTimeout as timeout:
        state = page.evaluate(_STATE_JS)
        raise AssertionError(f"no script run followed the interaction within {timeout_ms} ms: {state}") from timeout
    page.evaluate(_TWO_FRAMES_JS)  # the end of the run may be counted before Streamlit has drawn it
    wait_for_app(page, timeout_ms)


def click_sent(page: Page, target: Locator) -> None:
    """Click a widget and check that the click reached the server (a message within 5 s): a click drawn
    but not sent is a lost answer, whatever the page shows."""
    page.evaluate(_WATCH_RERUN_JS)
    target.click()
    try:
        page.wait_for_function("() => window.__sent > window.__sentBefore", timeout=5_000)
    except PlaywrightTimeout as timeout:
        raise AssertionError(f"clicked {target.inner_text()!r}, and nothing was sent to the server") from timeout


def click_and_rerun(page: Page, target: Locator, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Click a widget, check the click was sent, and wait for the run it starts to finish and be drawn."""
    page.evaluate(_TWO_FRAMES_JS)
    click_sent(page, target)
    _wait_for_rerun(page, timeout_ms)


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
    context = new_app_context(browser, VIEWPORT)
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
    page = new_app_context(browser, {"width": width, "height": 900}).new_page()
    open_app(page, url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=APP_TIMEOUT_MS)
    return page
