"""The words people read for stored codes (review roles, statuses, account roles, compliance), in one table.

Pages (through ui/labels.py), workbooks (exports/) and the command line all take their words from
here, so a status reads the same on screen, in a download and in a terminal. It lives in
``framework/`` because that is the one package every layer may import.
"""

from __future__ import annotations

from collections.abc import Mapping

ROLE_WORDS = {"self": "School (self-review)", "peer": "Peer reviewer", "la": "LA advisor", "agreed": "Agreed judgement"}
REVIEW_NOUNS = {"self": "a self-review", "peer": "a peer review", "la": "an LA review", "agreed": "an agreed judgement"}
USER_ROLE_WORDS = {"school": "School staff", "peer": "Peer reviewer", "la": "LA advisor", "admin": "Administrator"}
STATUS_WORDS = {"draft": "In progress", "submitted": "Submitted"}
NO_REVIEW = "No review yet"
COMPLIANCE_WORDS = {"met": "Met", "not_met": "Not met", "unknown": "Not answered yet"}
COMPLIANCE_ICONS = {"met": "✔", "not_met": "✖", "unknown": "?"}
NOT_WORKED_OUT = "Not enough answers yet"  # a percent that cannot be worked out (never "None")
AUDIT_WORDS = {
    "review_reopened": "Reopened",
    "review_submitted": "Submitted",
    "review_started": "Started",
    "submitted": "Submitted",
    "reopened": "Reopened",
}


def word(table: Mapping[str, str], code: str | None, missing: str = "") -> str:
    """The word for ``code``; an unknown code is shown tidied (underscores to spaces), never raw or "None"."""
    if code is None or code == "":
        return missing
    return table.get(code) or code.replace("_", " ").capitalize()


def percent_words(value: float | None, digits: int = 0) -> str:
    """A percent as people read it; a missing one says why instead of "None"."""
    return NOT_WORKED_OUT if value is None else f"{value:.{digits}f}%"
