"""Keeps the questionnaire's widgets and the stored answers in step, and saves only what the user changed.

Why this is careful: Streamlit drops the state of widgets that a run does not draw (another domain,
another page), and a browser can deliver a widget state late, after the page has moved on (a note
committed on blur while a link was being followed). Streamlit then calls ``on_change`` for every
widget whose state it had dropped, because "nothing" differs from the browser's value. Saving
``st.session_state[key]`` in those callbacks wrote a whole domain of values nobody chose, and radios
drawn without a value showed their first option as if it were an answer.

So here:

* every answer widget's key names the review, the question and the stored version it was drawn from
  (``r:12:role-designated:3``), and is seeded from that stored answer, or from the user's own unsaved
  input, before the widget is drawn: a widget never shows a default presented as an answer;
* a callback saves only when its widget's value differs from what that widget was seeded with (a
  replayed or late state equal to what was shown is not a change), and names the version the widget
  was drawn from, so a late or stale value cannot overwrite a newer answer;
* the session is checked at the moment of saving; when it has ended nothing is saved and what the
  user typed is kept (``pending``) and shown again after signing in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import streamlit as st

from data import reviews
from data.access import NotAllowed
from framework.models import Criterion, Framework
from framework.responses import read_response
from ui import auth
from ui.context import get_db

Field = Literal["response", "evidence"]
NA = "N/A"
_MISSING = object()
SESSION_ENDED = (
    "⚠ Not saved: your session has ended. What you typed is kept here; "
    "sign in again and then save it with the button below."
)


@dataclass(frozen=True)
class Pending:
    """User input that could not be saved yet, with the stored version it started from."""

    version: int
    value: object


def _store(name: str) -> dict:
    return st.session_state.setdefault(name, {})


def known(review_id: int) -> dict[str, reviews.Answer]:
    """The newest stored answers this tab knows: refreshed by every full run, advanced by every save."""
    return _store("_answers_known").setdefault(review_id, {})


def refresh(review_id: int, stored: dict[str, reviews.Answer]) -> None:
    """A full run has just read the database: that is the truth from now on."""
    _store("_answers_known")[review_id] = dict(stored)


def current(review_id: int, criterion_id: str) -> reviews.Answer:
    return known(review_id).get(criterion_id) or reviews.Answer(None, "", 0, None)


def pending() -> dict[tuple[int, str, str], Pending]:
    return _store("_answers_pending")


def notes() -> dict[tuple[int, str], str]:
    """The last save message per answer ("Saved at …", or why not)."""
    return _store("_answer_notes")


def _seeds() -> dict[str, object]:
    """What each answer widget (by key) was drawn with; a callback compares against it."""
    return _store("_answer_seeds")


def widget_key(field: Field, review_id: int, criterion_id: str, version: int) -> str:
    return f"{field[0]}:{review_id}:{criterion_id}:{version}"


def widget_value(criterion: Criterion | None, stored: str | None, field: Field = "response") -> object:
    """The widget value that shows a stored answer: None (no selection, empty box) when unanswered."""
    if field == "evidence":
        return stored or ""
    if stored in (None, ""):
        return "" if criterion is not None and criterion.kind == "text" else None
    if criterion is not None and criterion.kind == "number":
        return None if stored == NA else float(stored)  # N/A is shown by its own box (``seed_na``)
    return stored


def seed(review_id: int, criterion: Criterion, field: Field) -> str:
    """The key of this answer's widget for the stored version, its value set before it is drawn."""
    answer = current(review_id, criterion.id)
    key = widget_key(field, review_id, criterion.id, answer.version)
    if _users_own(key):
        return key  # the user's own input, not saved (yet): it stays as typed
    waiting = pending().get((review_id, criterion.id, field))
    value = waiting.value if waiting is not None else widget_value(criterion, _stored(answer, field), field)
    if criterion.kind == "number" and value == NA:
        value = None  # an N/A kept unsaved: the number box stays empty, its "Not applicable" box ticked
    return _seeded(key, value)


def na_key(review_id: int, criterion_id: str, version: int) -> str:
    return f"n:{review_id}:{criterion_id}:{version}"


def seed_na(review_id: int, criterion: Criterion) -> str:
    """The key of a number question's "Not applicable" box, ticked when N/A is stored (or kept unsaved)."""
    answer = current(review_id, criterion.id)
    key = na_key(review_id, criterion.id, answer.version)
    if _users_own(key):
        return key
    waiting = pending().get((review_id, criterion.id, "response"))
    return _seeded(key, (waiting.value if waiting is not None else answer.response) == NA)


def _users_own(key: str) -> bool:
    return key in st.session_state and st.session_state[key] != _seeds().get(key, _MISSING)


def _seeded(key: str, value: object) -> str:
    # Set on every run, even when unchanged: Streamlit sends a widget's value to the browser only when
    # the run set it, and a browser drawing the widget afresh would otherwise show its default.
    st.session_state[key] = value
    _seeds()[key] = value
    return key


def _stored(answer: reviews.Answer, field: Field) -> str | None:
    return answer.response if field == "response" else answer.evidence


def na_changed(review_id: int, framework: Framework, criterion: Criterion, version: int) -> None:
    """on_change of the "Not applicable" box: ticked saves N/A, unticked saves no answer; the number
    box is not read (it is empty while N/A is ticked), so only the box the user changed is written."""
    key = na_key(review_id, criterion.id, version)
    value = st.session_state.get(key, _MISSING)
    if value is _MISSING or value == _seeds().get(key, _MISSING):
        return
    start = _start_version(review_id, criterion, "response", version, key, shown=lambda a: a.response == NA)
    save(review_id, framework, criterion, "response", NA if value else None, start)


def changed(review_id: int, framework: Framework, criterion: Criterion, field: Field, version: int) -> None:
    """on_change of an answer widget drawn from ``version``: save its value if the user changed it."""
    key = widget_key(field, review_id, criterion.id, version)
    value = st.session_state.get(key, _MISSING)
    if value is _MISSING or value == _seeds().get(key, _MISSING):
        return  # a replayed or late widget state that says what was shown: not a change by the user
    start = _start_version(
        review_id, criterion, field, version, key, shown=lambda a: widget_value(criterion, _stored(a, field), field)
    )
    save(review_id, framework, criterion, field, value, start)


def _start_version(
    review_id: int,
    criterion: Criterion,
    field: Field,
    version: int,
    key: str,
    shown: Callable[[reviews.Answer], object],
) -> int:
    """The version this change started from: that of input kept while the session had ended; or, when this
    tab has since saved the *other* field of the same answer (a note committed in the same moment as a
    click), the newer version, which still holds what the widget showed (``shown``), so the change can
    build on it; otherwise the drawn version stands."""
    waiting = pending().get((review_id, criterion.id, field))
    if waiting:
        return waiting.version
    newer = current(review_id, criterion.id)
    if newer.version > version and shown(newer) == _seeds().get(key, _MISSING):
        return newer.version
    return version


def save(review_id: int, framework: Framework, criterion: Criterion, field: Field, value: object, version: int) -> bool:
    """Write one field of one answer, started from ``version``; True when it is stored."""
    where = (review_id, criterion.id)
    if field == "response":
        reading = read_response(framework, criterion, value)
        if reading.error:
            notes()[where] = f"⚠ Not saved: {reading.error}"
            return False
        payload: dict[str, object] = {"response": None if reading.blank else reading.value}
    else:
        payload = {"evidence": value or ""}
    actor = auth.confirm_session()
    if actor is None:
        pending()[(*where, field)] = Pending(version, value)
        notes()[where] = SESSION_ENDED
        return False
    try:
        result = reviews.save_answer(get_db(), actor, review_id, criterion.id, seen_version=version, **payload)
    except NotAllowed as exc:
        notes()[where] = f"⚠ Not saved: {exc}"
        return False
    known(review_id)[criterion.id] = result.answer
    pending().pop((*where, field), None)
    if result.saved:
        notes()[where] = f"Saved at {datetime.now().strftime('%H:%M:%S')}"
    else:
        notes()[where] = (
            "⚠ This answer was changed in another tab or by a colleague, so the newer answer is shown. "
            "Change it again if you still want to."
        )
    return result.saved


def save_pending(review_id: int, framework: Framework, criterion: Criterion) -> None:
    """on_click of "Save what you typed": the input kept while the session had ended."""
    for field in ("response", "evidence"):
        waiting = pending().get((review_id, criterion.id, field))
        if waiting is not None and not save(review_id, framework, criterion, field, waiting.value, waiting.version):
            return


def has_pending(review_id: int, criterion_id: str) -> bool:
    return any((review_id, criterion_id, field) in pending() for field in ("response", "evidence"))
