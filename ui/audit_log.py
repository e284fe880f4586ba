"""The audit log (administrators: every row; LA users: their LA's rows), with filters and a CSV download.

Which rows a person may read is decided in data/audit.py; the download goes through its export
check and is itself recorded.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from data import audit, schools
from data.access import Actor
from data.db import Database
from exports.cells import csv_bytes
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

MAX_SCHOOL_CHOICES = 1000  # beyond this (a region's register) the school filter is typed as a URN
_ANY_ACTION = "All actions"
_ANY_SCHOOL = ""


def render() -> None:
    actor = require_actor()
    db = get_db()
    st.title("Audit log")
    st.markdown(
        "Who did what, and when: sign-ins, views of a school's review by someone outside the school, changes, "
        "submissions, reopenings, exports and account changes. Times are in UK time."
    )
    with friendly_errors():
        wanted = _filters(db, actor)
        page = audit.read_log(db, actor, wanted)
        shown = f"the newest {len(page.rows)}" if page.total > len(page.rows) else "all"
        st.caption(f"{page.total} rows match; showing {shown}. The CSV download has every matching row.")
        st.dataframe(_frame(page.rows), hide_index=True, width="stretch")
        st.download_button(
            "Download as CSV",
            data=lambda: csv_bytes(audit.COLUMNS, (row.cells() for row in audit.export_log(db, actor, wanted))),
            file_name=f"send-review-audit-{date.today():%Y-%m-%d}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )


def _filters(db: Database, actor: Actor) -> audit.AuditFilter:
    dates, action_col, school_col = st.columns([2, 1, 2])
    today = date.today()
    since = dates.date_input("From", value=today - timedelta(days=30), format="DD/MM/YYYY", key="audit-since")
    until = dates.date_input("To", value=today, format="DD/MM/YYYY", key="audit-until")
    actions = [_ANY_ACTION, *audit.logged_actions(db, actor)]
    action = action_col.selectbox("Action", actions, key="audit-action")
    register = schools.list_schools(db, actor)
    if len(register) <= MAX_SCHOOL_CHOICES:
        names = {s.urn: f"{s.name} ({s.urn})" for s in register}
        urn = school_col.selectbox(
            "School", [_ANY_SCHOOL, *names], format_func=lambda u: names.get(u, "All schools"), key="audit-school"
        )
    else:
        urn = school_col.text_input("School URN", key="audit-school-urn").strip()
    return audit.AuditFilter(
        since=since or None,
        until=until or None,
        action=None if action == _ANY_ACTION else action,
        school_urn=urn or None,
    )


def _frame(rows: list[audit.AuditRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "When": [r.at.strftime("%d %b %Y %H:%M:%S") for r in rows],
            "Who": [r.who for r in rows],
            "Action": [r.action for r in rows],
            "School": [f"{r.school} ({r.school_urn})" if r.school_urn else "" for r in rows],
            "Review": [str(r.review) if r.review else "" for r in rows],
            "Detail": [r.detail for r in rows],
        }
    )
