"""When a page is opened without ?review=ID: let the user choose one of the reviews they can see."""

from __future__ import annotations

import streamlit as st

from data import frameworks, reviews
from data.access import Actor
from data.db import Database
from ui import nav
from ui.auth import require_actor
from ui.context import get_db, query_int
from ui.labels import STATUS_WORDS


def pick_review(db: Database, actor: Actor, *, target: str, title: str, status: str | None = None) -> None:
    st.title(title)
    items = reviews.list_reviews(db, actor, status=status)
    if not items:
        st.info("There are no reviews here yet. Start one from the Home page.")
        return
    st.markdown("Choose a review:")
    titles = {fw.id: fw.title for fw in frameworks.list_frameworks(db)}  # people read titles, not ids
    for r in items[:50]:
        title = titles.get(r.framework_id, r.framework_id)
        st.page_link(
            nav.page(target),
            label=f"{r.school_name} · {title} · {r.cycle} · {STATUS_WORDS.get(r.status, r.status)}",
            query_params={"review": r.id},
        )
    if len(items) > 50:
        st.caption(f"Showing the 50 most recently changed of {len(items)} reviews.")


def requested_review(*, target: str, title: str, status: str | None = None) -> tuple[Database, Actor, int] | None:
    """The database, the user and the ``?review=ID`` of a review page; without an id, show the picker."""
    actor = require_actor()
    db = get_db()
    review_id = query_int("review")
    if review_id is None:
        pick_review(db, actor, target=target, title=title, status=status)
        return None
    return db, actor, review_id
