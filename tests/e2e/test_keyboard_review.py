"""A short review done with the keyboard alone: sign in, start, answer, change domain, submit, open the
results, download. Only key presses move through the app, and every stop must show where the focus is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from data import users
from data.access import OPERATOR
from data.schools import upsert_schools
from data.setup import open_database
from tests.support.app_server import AppServer
from tests.support.browser import APP_TIMEOUT_MS, app_errors, expect_rerun, open_app, screenshot, wait_for_app
from tests.support.pages import register

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "admin@la.example", "a long enough password 42"
MAX_TABS = 250

# What the focused element is, and whether anything draws a focus indicator on it or on the
# control that stands for it (a radio's hidden input is shown by its label's ring).
_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: '', visible: false};
  const control = ['INPUT', 'BUTTON', 'A', 'TEXTAREA', 'SELECT'].includes(el.tagName)
    || ['button', 'radio', 'checkbox', 'combobox', 'link', 'tab', 'switch'].includes(el.getAttribute('role'));
  if (!control) return {name: '', visible: false};
  const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
  const byId = el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'));
  const name = (el.getAttribute('aria-label') || label || (byId && byId.innerText)
                || (el.tagName === 'INPUT' ? '' : el.innerText) || el.getAttribute('placeholder') || '')
                .trim().slice(0, 120);
  const shows = (node) => {
    const s = getComputedStyle(node);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return outline || shadow;
  };
  let node = el, visible = false;
  for (let i = 0; i < 6 && node && node !== document.body; i++, node = node.parentElement) {
    if (shows(node)) { visible = true; break; }
    const ring = node.querySelector && node.querySelector('[data-baseweb="radio"] div, [data-baseweb="checkbox"] span');
    if (i > 0 && ring && node.contains(el) && shows(ring)) { visible = true; break; }
  }
  const r = el.getBoundingClientRect();
  return {name, visible, onScreen: r.width > 0 || r.height > 0 || el.type === 'radio' || el.type === 'checkbox'};
}"""


def _focus(page: Page) -> dict:
    return page.evaluate(_FOCUS_JS)


def _tab_to(page: Page, wanted: str | re.Pattern[str], *, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element's name matches; assert its focus is visible."""
    pattern = re.compile(re.escape(wanted)) if isinstance(wanted, str) else wanted
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus = _focus(page)
        if pattern.search(focus["name"]):
            assert focus["visible"], f"no visible focus on {focus['name']!r}"
            return focus
    raise AssertionError(f"{pattern.pattern!r} not reached with the Tab key")


def _press(page: Page, key: str) -> None:
    """A key that acts (Enter on a button, Space on a box, an arrow in a list): waits for the run it starts."""
    with expect_rerun(page):
        page.keyboard.press(key)


@pytest.fixture
def server(app_server_factory, tmp_path) -> AppServer:
    url = f"sqlite:///{tmp_path}/keyboard.db"
    db = open_database(url)
    upsert_schools(db, OPERATOR, register([("900001", "Alder Primary", "North", "primary")]))
    users.create_first_admin(db, EMAIL, "Ada Admin", PASSWORD)
    db.dispose()
    return app_server_factory(url, env={"SEND_REVIEW_DEMO": "0"})


def test_a_short_review_by_keyboard_alone(server: AppServer, page: Page) -> None:
    open_app(page, server.url)
    _tab_to(page, "Email")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _press(page, "Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=APP_TIMEOUT_MS)
    screenshot(page, "keyboard-1-home")

    _tab_to(page, "Start a new review")
    _press(page, "Enter")
    expect(page.get_by_role("heading", name="Start a review")).to_be_visible(timeout=APP_TIMEOUT_MS)
    _tab_to(page, "Start the review")
    _press(page, "Enter")
    expect(page.get_by_text(re.compile(r"\d+ of \d+ questions answered"))).to_be_visible(timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    screenshot(page, "keyboard-2-questions")

    # answer the first question: Tab into its options, Space picks the focused one
    first = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains").first
    first_option = first.locator('[data-testid="stRadioOption"]').first.inner_text().split("\n")[0]
    _tab_to(page, re.compile("^" + re.escape(first_option)))
    _press(page, "Space")
    expect(page.get_by_text(re.compile(r"^1 of \d+ questions answered"))).to_be_visible(timeout=APP_TIMEOUT_MS)
    screenshot(page, "keyboard-3-answered")

    # move to the next domain with the arrow keys in the Domains list
    before = page.locator("h2, h3").filter(has_not_text="Domains").first.inner_text()
    domains = page.locator('[data-testid="stRadio"]').filter(has_text="Domains").first
    current = domains.locator("input:checked").first.evaluate("el => el.closest('label').innerText").split("\n")[0]
    _tab_to(page, re.compile("^" + re.escape(current[:20])), backwards=True)
    _press(page, "ArrowDown")
    expect(page.locator("h2, h3").filter(has_not_text="Domains").first).not_to_have_text(before, timeout=APP_TIMEOUT_MS)
    assert _focus(page)["visible"], "focus stays visible after changing domain"
    screenshot(page, "keyboard-4-next-domain")

    _tab_to(page, "I have checked the answers")
    _press(page, "Space")
    _tab_to(page, "Submit review")
    _press(page, "Enter")
    expect(page.get_by_role("heading", name=re.compile("^Results: "))).to_be_visible(timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    screenshot(page, "keyboard-5-results")

    _tab_to(page, "Results workbook")
    with page.expect_download(timeout=APP_TIMEOUT_MS) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not app_errors(page), server.log_tail()
