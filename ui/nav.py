"""The page registry: one place that knows every page, its address and who may see it."""

from __future__ import annotations

import importlib
from typing import NamedTuple

import streamlit as st

from data.access import Actor

EVERYONE = frozenset({"school", "peer", "la", "admin"})


class PageSpec(NamedTuple):
    module: str
    title: str
    icon: str
    roles: frozenset[str]


PAGES: dict[str, PageSpec] = {
    "home": PageSpec("ui.home", "Home", ":material/home:", EVERYONE),
    "start": PageSpec(
        "ui.start_review", "Start a review", ":material/add_circle:", frozenset({"school", "la", "admin"})
    ),
    "review": PageSpec("ui.questionnaire", "Answer questions", ":material/edit_note:", EVERYONE),
    "results": PageSpec("ui.results", "Results", ":material/insights:", EVERYONE),
    "plan": PageSpec("ui.action_plan", "Action plan", ":material/checklist:", frozenset({"school", "la", "admin"})),
    "offline": PageSpec("ui.offline", "Work offline in Excel", ":material/table_view:", EVERYONE),
    "assignments": PageSpec("ui.assignments", "Peer reviews", ":material/handshake:", EVERYONE),
    "audit": PageSpec("ui.audit_log", "Audit log", ":material/history:", frozenset({"la", "admin"})),
    "compare": PageSpec(
        "ui.compare", "Compare with similar schools", ":material/compare_arrows:", frozenset({"school", "la", "admin"})
    ),
    "sharing": PageSpec("ui.sharing", "Sharing", ":material/share:", frozenset({"school", "la", "admin"})),
    "overview": PageSpec("ui.overview", "LA overview", ":material/grid_view:", frozenset({"la", "admin"})),
    "register": PageSpec("ui.register", "School register", ":material/school:", frozenset({"la", "admin"})),
    "visits": PageSpec("ui.visits", "Peer review visits", ":material/groups:", EVERYONE),
    "moderation": PageSpec("ui.moderation", "Moderation", ":material/balance:", EVERYONE),
    "self-vs-agreed": PageSpec("ui.self_vs_agreed", "Self versus agreed", ":material/compare:", EVERYONE),
    "backup": PageSpec("ui.backup", "Backup", ":material/backup:", frozenset({"admin"})),
}


def page(path: str) -> st.Page:
    spec = PAGES[path]
    render = importlib.import_module(spec.module).render
    return st.Page(render, title=spec.title, icon=spec.icon, url_path=path, default=(path == "home"))


def pages_for(actor: Actor) -> list[st.Page]:
    return [page(path) for path, spec in PAGES.items() if actor.role in spec.roles]


def go(path: str, **params: object) -> None:
    """Switch page, carrying e.g. ``review=12`` in the URL so a refresh lands in the same place."""
    st.switch_page(page(path), query_params={k: str(v) for k, v in params.items() if v is not None})
