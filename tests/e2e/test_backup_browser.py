"""In Chromium, as the administrator of a fresh installation: the first start shows the demo LA loading
with a progress bar; the Backup page makes a backup that downloads whole, and refuses a bad upload with
its problem named, and asks before a good one replaces everything. Screenshots at 1280 and 400 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from data.backup import check_backup
from tests.support.app_server import AppServer
from tests.support.browser import APP_TIMEOUT_MS, app_errors, expect_rerun, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def test_first_start_progress_and_the_backup_page(app_server_factory, browser: Browser, tmp_path: Path) -> None:
    server: AppServer = app_server_factory(env={"SEND_REVIEW_DEMO": "1"})
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_app(page, server.url)  # the very first run: the demo LA is loaded behind a progress bar
    expect(page.get_by_text("The demo local authority is ready.")).to_be_visible()
    screenshot(page, "first-start-demo-loaded", full_page=False)

    page.get_by_label("Email").fill("admin@demo.example")
    page.get_by_label("Your name").fill("Ada Admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=APP_TIMEOUT_MS)
    page.wait_for_function("document.cookie.includes('send_review_session=')")
    wait_for_app(page)

    open_app(page, f"{server.url}/backup")
    expect(page.get_by_role("heading", name="Backup", exact=True)).to_be_visible()
    with expect_rerun(page):
        page.get_by_role("button", name="Make a backup").click()
    expect(page.get_by_text("Backup ready.")).to_be_visible()
    with page.expect_download(timeout=APP_TIMEOUT_MS) as download:
        page.get_by_role("button", name="Download the backup").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    summary, _ = check_backup(saved)
    assert summary.tables["schools"] > 0 and summary.tables["users"] >= 1
    screenshot(page, "backup-1280", full_page=False)

    bad = tmp_path / "holiday-photos.zip"
    bad.write_bytes(b"not a backup at all")
    with expect_rerun(page):
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    expect(page.get_by_text("holiday-photos.zip: the backup is damaged")).to_be_visible()
    expect(page.get_by_role("button", name="Replace everything with this backup")).to_have_count(0)
    assert not app_errors(page), server.log_tail()
    screenshot(page, "backup-bad-upload-1280")

    with expect_rerun(page):
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(saved))
    expect(page.get_by_text(f"{saved.name} was made on")).to_be_visible()
    expect(page.get_by_role("button", name="Replace everything with this backup")).to_be_disabled()
    screenshot(page, "backup-confirm-1280")
    page.get_by_text("I understand that everything in this database will be replaced").click()
    with expect_rerun(page):
        page.get_by_role("button", name="Replace everything with this backup").click()
    expect(page.get_by_text(f"Restored {summary.rows:,} rows")).to_be_visible(timeout=APP_TIMEOUT_MS)
    assert not app_errors(page), server.log_tail()
    screenshot(page, "backup-restored-1280")

    page.set_viewport_size({"width": 400, "height": 860})
    open_app(page, f"{server.url}/backup")
    screenshot(page, "backup-400")
