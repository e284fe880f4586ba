"""The action plan as an Excel workbook: dates as dates, day counts as numbers, every text cell sanitised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import Workbook

from exports.cells import workbook_bytes, write_table
from scoring.actions import ACTION_STATUSES, action_flags

HEADER = (
    "Action",
    "Cycle",
    "Domain",
    "Criteria",
    "Lead",
    "Due",
    "Days overdue",
    "Status",
    "Success criterion",
    "Flags",
    "Progress notes",
)


def action_plan_workbook(actions: Sequence, domain_titles: Mapping[str, str], school: str, today: date) -> bytes:
    """One row per action; ``actions`` are data.action_plans.Action-like objects."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Action plan"
    rows = []
    for a in actions:
        overdue = (today - a.due_on).days if a.due_on and a.status != "done" and a.due_on < today else 0
        notes = "\n".join(f"{n.noted_on:%d %b %Y} ({n.by}): {n.text}" for n in a.notes)
        flags = action_flags(due_on=a.due_on, lead=a.lead, status=a.status, today=today)
        rows.append(
            (
                a.what,
                a.cycle,
                domain_titles.get(a.domain_id, a.domain_id),
                ", ".join(a.criteria),
                a.lead,
                a.due_on,
                overdue,
                ACTION_STATUSES.get(a.status, a.status),
                a.success,
                ", ".join(flags),
                notes,
            )
        )
    write_table(
        ws,
        HEADER,
        rows,
        widths={"Action": 50, "Success criterion": 40, "Progress notes": 50},
        wrap=("Action", "Success criterion", "Progress notes"),
    )
    for (cell,) in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "DD/MM/YYYY"
    about = wb.create_sheet("About")
    write_table(about, ("Field", "Value"), [("School", school), ("Exported on", today)])
    about["B3"].number_format = "DD/MM/YYYY"
    return workbook_bytes(wb)
