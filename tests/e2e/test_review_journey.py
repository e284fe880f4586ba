"""A new user's self-review in a real browser: answer, reload, restart the server, submit, see results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.app_server import AppServer
from tests.support.browser import app_errors, click_and_rerun, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

OPTION = '[data-testid="stRadioOption"]'
EMAIL, PASSWORD = "senco@demo.example", "a long enough password 42"


@pytest.fixture
def demo_server(app_server_factory) -> AppServer:
    return app_server_factory(env={"SEND_REVIEW_DEMO": "1"})


def _ok(page: Page, server: AppServer) -> None:
    assert not app_errors(page), f"the app raised an exception; server log:\n{server.log_tail()}"


def _questions_shown(page: Page) -> None:
    """A page switch finishes in two script runs; wait for what the user waits for, the questions."""
    expect(page.get_by_text(re.compile(r"\d+ of \d+ questions answered"))).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stRadio"]').nth(1)).to_be_visible(timeout=60_000)
    wait_for_app(page)


def _choose(radio: Locator, option: str, page: Page) -> None:
    click_and_rerun(page, radio.locator(OPTION).filter(has_text=re.compile(rf"^{re.escape(option)}")).first)


def _checked(radio: Locator) -> list[str]:
    return [
        label.inner_text().split("\n")[0]
        for label in radio.locator(OPTION).all()
        if label.locator("input").is_checked()
    ]


def test_a_new_user_completes_a_short_review_and_loses_nothing(demo_server: AppServer, page: Page) -> None:
    open_app(page, demo_server.url)
    _ok(page, demo_server)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Your name").fill("Sam Senco")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    screenshot(page, "journey-1-create-admin")
    page.get_by_role("button", name="Create the administrator").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="SEND Review").first).to_be_visible()
    screenshot(page, "journey-2-home")

    page.get_by_role("button", name="Start a new review").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Start a review")).to_be_visible()
    screenshot(page, "journey-3-start")
    page.get_by_role("button", name="Start the review").click()
    _questions_shown(page)
    _ok(page, demo_server)
    assert re.search(r"review=\d+", page.url), page.url
    radios = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    count = radios.count()
    assert count >= 4
    answers = {}
    for i in range(3):  # answer the first three questions, then reload half-way
        options = [t.split("\n")[0] for t in radios.nth(i).locator(OPTION).all_inner_texts()]
        choice = "Yes" if "Yes" in options else options[1]
        _choose(radios.nth(i), choice, page)
        answers[i] = choice
    page.get_by_placeholder(re.compile(".")).first.fill("Minutes of the governing body, March 2025")
    page.keyboard.press("Tab")  # the note is saved when the box loses focus
    wait_for_app(page)
    screenshot(page, "journey-4-answering")

    page.reload()
    _questions_shown(page)
    _ok(page, demo_server)
    radios = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    assert [_checked(radios.nth(i)) for i in answers] == [[a] for a in answers.values()]
    expect(page.get_by_text("Minutes of the governing body, March 2025")).to_be_visible()

    demo_server.restart()
    page.reload()
    _questions_shown(page)
    _ok(page, demo_server)
    radios = page.locator('[data-testid="stRadio"]').filter(has_not_text="Domains")
    assert [_checked(radios.nth(i)) for i in answers] == [[a] for a in answers.values()], "signed in and answers kept"
    for i in range(3, count):  # the rest of the domain: "Yes", or the third level of a rating
        wait_for_app(page)
        options = radios.nth(i).locator(OPTION)
        option = options.nth(0 if options.count() <= 3 else 2)
        if not option.locator("input").is_checked():  # choosing what is already chosen sends nothing
            _choose(radios.nth(i), option.inner_text().split("\n")[0], page)
    screenshot(page, "journey-5-domain-answered")

    page.get_by_text("I have checked the answers and want to submit").click()
    wait_for_app(page)
    page.get_by_role("button", name="Submit review").click()
    wait_for_app(page)
    _ok(page, demo_server)
    expect(page.get_by_role("heading", name=re.compile("^Results: "))).to_be_visible()
    expect(page.get_by_text("Statutory compliance")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "journey-6-results")
