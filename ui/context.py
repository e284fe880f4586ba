"""What every page needs: the shared database handle, the acting user, and friendly failure."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from data.access import NotAllowed, NotFound
from data.db import Database
from data.demo_accounts import demo_switched_on
from data.setup import open_database
from framework.problems import InvalidInput, capped

log = logging.getLogger("send_review")


@st.cache_resource(show_spinner="Opening the database (the very first start also loads the demo LA)…")
def get_db() -> Database:
    """One engine per server process (st.cache_resource), never SQLConnection's forever-cache."""
    return open_database(demo_on_empty=demo_switched_on())


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
