"""What every page needs: the shared database handle, the acting user, and friendly failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from data.access import NotAllowed, NotFound
from data.db import Database
from data.demo_accounts import demo_switched_on
from data.setup import is_empty, load_demo_if_empty, open_database
from framework.problems import InvalidInput, capped

log = logging.getLogger("send_review")


@st.cache_resource(show_spinner="Opening the database…")
def _opened() -> Database:
    """One engine per server process (st.cache_resource), never SQLConnection's forever-cache."""
    return open_database()


@st.cache_resource(show_spinner=False)
def _first_start() -> dict:
    """Per server process (and per database, as it is cleared with it): whether the demo check is done."""
    return {"done": False, "lock": threading.Lock()}


def get_db() -> Database:
    db = _opened()
    state = _first_start()
    if not state["done"]:
        _load_demo_once(db, state)
    return db


def _load_demo_once(db: Database, state: dict) -> None:
    """The very first start on an empty database loads the fictional demo LA (unless SEND_REVIEW_DEMO=0),
    with a progress bar: it takes some seconds. Outside the cached function, which cannot draw one."""
    with state["lock"]:
        if state["done"]:
            return
        if demo_switched_on() and is_empty(db):
            bar = st.progress(0.0, text="First start: loading the fictional demo local authority…")

            def step(done: int, total: int) -> None:
                bar.progress(done / total, text=f"First start: loading the demo reviews, {done} of {total} frameworks…")

            if load_demo_if_empty(db, progress=step):
                bar.progress(1.0, text="The demo local authority is ready.")
            else:
                bar.empty()  # another process loaded it meanwhile
        state["done"] = True


def query_int(name: str) -> int | None:
    raw = st.query_params.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Show a plain message instead of a traceback; log the detail for the operator."""
    try:
        yield
    except (NotFound, NotAllowed) as exc:
        st.error(str(exc))
    except InvalidInput as exc:
        st.error("Please fix these problems and try again:\n\n" + "\n".join(f"- {p}" for p in capped(exc.problems)))
    except Exception:  # the last line of defence for users; the log keeps the traceback
        log.exception("unexpected error on a page")
        st.error("Something went wrong on our side. Your saved answers are safe; please reload the page.")
