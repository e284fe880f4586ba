"""Find the questionnaire's widgets in an AppTest by review and question, whatever stored version they show.

An answer widget's key names the stored version it was drawn from (``r:12:role-designated:3``), so a
test names the review and the question and leaves the version to the page.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget


def widget(at: AppTest, kind: str, key_prefix: str) -> Widget:
    found = [w for w in getattr(at, kind) if w.key and w.key.startswith(key_prefix)]
    assert len(found) == 1, f"{len(found)} {kind} widgets with a key starting {key_prefix!r}"
    return found[0]


def answer(at: AppTest, review_id: int, criterion_id: str, kind: str = "radio") -> Widget:
    """The answer widget of a question: ``radio`` (ratings, yes/no), ``number_input`` or ``text_area``."""
    return widget(at, kind, f"r:{review_id}:{criterion_id}:")


def evidence(at: AppTest, review_id: int, criterion_id: str) -> Widget:
    return widget(at, "text_area", f"e:{review_id}:{criterion_id}:")


def not_applicable(at: AppTest, review_id: int, criterion_id: str) -> Widget:
    """The "Not applicable" box beside a number question."""
    return widget(at, "checkbox", f"n:{review_id}:{criterion_id}:")


def clear_button(at: AppTest, review_id: int, criterion_id: str) -> Widget:
    return widget(at, "button", f"clear:r:{review_id}:{criterion_id}:")


def domain_list(at: AppTest, review_id: int) -> Widget:
    return widget(at, "radio", f"domain-nav-{review_id}-")


def answer_keys(at: AppTest, review_id: int) -> set[str]:
    """The questions whose answer radios are on the page."""
    return {w.key.split(":")[2] for w in at.radio if w.key and w.key.startswith(f"r:{review_id}:")}
