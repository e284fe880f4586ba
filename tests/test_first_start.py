"""The app's very first start on an empty database loads the fictional demo LA with a progress bar
(it takes some seconds), once; with SEND_REVIEW_DEMO=0 it loads nothing."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data.db import Database
from data.setup import is_empty
from tests.support.pages import APP


def _first_start(tmp_path, monkeypatch, demo: str) -> tuple[AppTest, Database]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/first-start.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", demo)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at, Database(url)


@pytest.mark.slow
def test_the_first_start_loads_the_demo_la_with_a_progress_bar_once(tmp_path, monkeypatch):
    at, db = _first_start(tmp_path, monkeypatch, "1")
    bars = at.get("progress")
    assert [(b.proto.value, b.proto.text) for b in bars] == [(100, "The demo local authority is ready.")]
    assert not is_empty(db)
    at.run()
    assert not at.get("progress")  # the next run has nothing to load
    db.dispose()


def test_without_the_demo_the_first_start_loads_nothing(tmp_path, monkeypatch):
    at, db = _first_start(tmp_path, monkeypatch, "0")
    assert not at.get("progress")
    assert is_empty(db)
    db.dispose()
