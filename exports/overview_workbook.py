"""The LA overview as a workbook (summary, heat map, flags, themes, completion) and as CSV.

Made from the overview's document (``data.overview.Overview.document``), which already holds only what
the actor may see: schools that do not share with their LA are in the counts, never in a row. Numbers
are written as numbers and dates as dates; every text cell goes through ``exports.cells.safe_cell`` (a
school name or an answer starting with "=" stays text); each sheet has a frozen header row and filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import csv_bytes, workbook_bytes, write_table

DATE_FORMAT = "d mmm yyyy"
STAGE_WORDS = {"not_started": "Not started", "in_progress": "In progress", "submitted": "Submitted"}
STAGE_WORDS |= {"peer_reviewed": "Peer reviewed"}


def overview_workbook(doc: dict, *, made_on: date | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb.create_sheet("Summary"), doc, made_on or date.today())
    header, rows = heat_map_table(doc)
    _sheet(wb.create_sheet("Heat map"), header, rows)
    _sheet(
        wb.create_sheet("Flags"),
        ["URN", "School", "Phase", "Flag", "Reason"],
        [[s["urn"], s["name"], s["phase"], f["code"], f["reason"]] for s in doc["schools"] for f in s["flags"]],
        wrap=("Reason",),
    )
    themes = doc["themes"]
    _sheet(
        wb.create_sheet("Themes"),
        ["Group", "Criterion", "Answer", "Schools", "Answered", "Percent", "Previous cycle percent", "In words"],
        [
            [t["group"], t["criterion_id"], t["answer"], t["schools"], t["answered"], t["percent"], *_words(t)]
            for t in themes["lowest_answers"]
        ],
        wrap=("In words",),
    )
    _sheet(
        wb.create_sheet("Answers"),
        ["Domain", "Criterion", "Question", "Schools answering", "Answer", "Schools"],
        [
            [doc["domain_titles"].get(d["domain_id"], d["domain_id"]), d["id"], d["title"], d["schools"], k, v]
            for d in themes["criteria"]
            for k, v in (d.get("counts") or {"(fewer than 5 schools: not shown)": None}).items()
        ],
    )
    _sheet(
        wb.create_sheet("Completion"),
        ["URN", "School", "Phase", "Stage", "Answered", "Applicable", "Shares with LA", "Last self-review submitted"],
        [
            [s["urn"], s["name"], s["phase"], s["progress"], *_counts(s), "Yes", _day(s["last_submitted"])]
            for s in doc["schools"]
        ],
    )
    return workbook_bytes(wb)


def heat_map_table(doc: dict) -> tuple[list[str], list[list[object]]]:
    """One row per named school: its facts, then per domain the percent (a number) and the band in words."""
    titles: dict[str, str] = doc["domain_titles"]
    header = ["URN", "School", "Phase", "Type", "Resourced provision", "Groups", "Stage"]
    for title in titles.values():
        header += [f"{title} %", f"{title} band"]
    header += ["Flags"]
    rows = []
    for s in doc["schools"]:
        cells = {d["domain_id"]: d for d in s["domains"]}
        row: list[object] = [s["urn"], s["name"], s["phase"], s["type"], "Yes" if s["resourced_provision"] else "No"]
        row += ["; ".join(s["groups"]), STAGE_WORDS.get(s["status"], s["status"])]
        for did in titles:
            d = cells.get(did)
            row += [d["percent"], d["band"] + (" (limited)" if d["limited"] else "")] if d else [None, ""]
        rows.append([*row, len(s["flags"])])
    return header, rows


def overview_csv(doc: dict) -> bytes:
    """The heat map as CSV (UTF-8 with a byte-order mark, through the one CSV writer)."""
    header, rows = heat_map_table(doc)
    return csv_bytes(header, rows)


def _summary(ws: Worksheet, doc: dict, made_on: date) -> None:
    c = doc["completion"]
    rows: list[list[object]] = [
        ["Framework", doc["framework"]],
        ["Review cycle", doc["cycle"]],
        ["Previous cycle", doc["themes"]["previous_cycle"] or "none"],
        ["Made on", made_on],
        ["Schools counted", c["schools"]],
        ["Schools named (they share with the LA)", c["schools"] - c["not_named"]],
        ["Schools counted but not named", c["not_named"]],
        *[[f"Stage: {words}", c[stage]] for stage, words in STAGE_WORDS.items()],
        ["Flags raised", sum(len(s["flags"]) for s in doc["schools"])],
    ]
    for m in doc["themes"]["medians"]:
        title = doc["domain_titles"].get(m["domain_id"], m["domain_id"])
        rows.append([f"LA median {m['cycle']}: {title} (%)", m["median"]])
    _sheet(ws, ["Item", "Value"], rows)


def _sheet(ws: Worksheet, header: Sequence[str], rows: list[list[object]], *, wrap: Sequence[str] = ()) -> None:
    write_table(ws, list(header), rows, wrap=wrap)
    ws.auto_filter.ref = ws.dimensions
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _words(theme: dict) -> list[object]:
    return [theme["previous_percent"], theme["sentence"]]


def _counts(school: dict) -> list[int | None]:
    return [school["answered"] or None, school["applicable"] or None]
