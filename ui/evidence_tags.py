"""Evidence tags under a question, for a visit team member's own rating (a separate piece of the
questionnaire: one call from ui/questionnaire.py). Other reviews show nothing here."""

from __future__ import annotations

import streamlit as st

from data import moderation
from data.access import Actor, NotAllowed
from data.db import Database
from framework.models import Criterion
from ui import auth
from ui.context import get_db


def _tags(db: Database, actor: Actor, review_id: int) -> dict[str, tuple[str, ...]] | None:
    """Per browser tab and review, what the store holds (None: not a visit rating); kept current by saves."""
    cache = st.session_state.setdefault("_evidence_tags", {})
    if review_id not in cache:
        try:
            cache[review_id] = moderation.load_tags(db, actor, review_id)
        except NotAllowed:
            cache[review_id] = None
    return cache[review_id]


def render(review_id: int, locked: bool, criterion: Criterion) -> None:
    """A multiselect of what this rating rests on, saved the moment it changes."""
    db, actor = get_db(), auth.current_actor()
    if actor is None:
        return
    stored = _tags(db, actor, review_id)
    if stored is None or not criterion.scored:
        return
    key = f"tags:{review_id}:{criterion.id}"
    if key not in st.session_state:
        st.session_state[key] = list(stored.get(criterion.id, ()))
    st.multiselect(
        "Evidence this rating rests on",
        list(moderation.EVIDENCE_TAGS),
        format_func=moderation.EVIDENCE_TAGS.get,
        key=key,
        disabled=locked,
        on_change=_save,
        args=(db, actor, review_id, criterion.id, key),
    )


def _save(db: Database, actor: Actor, review_id: int, criterion_id: str, key: str) -> None:
    tags = list(st.session_state[key])
    moderation.save_tags(db, actor, review_id, criterion_id, tags)
    st.session_state["_evidence_tags"][review_id] = {
        **(st.session_state["_evidence_tags"][review_id] or {}),
        criterion_id: tuple(tags),
    }
