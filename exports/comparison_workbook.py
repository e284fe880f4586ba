"""A school's comparison with its peers as a workbook, from the same plain data the CLI prints.

The input is ``Comparison.to_json()``: already anonymised for the user who asked and already
stripped of what a small group must not show, so the workbook can hold nothing the screen did not.
Every cell goes through ``write_table`` and so through the one sanitiser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl import Workbook

from exports.cells import safe_cell, workbook_bytes, write_table
from framework.words import NO_REVIEW, STATUS_WORDS, word

WITHHELD = "not shown"


def comparison_workbook(comparison: Mapping) -> bytes:
    """Sheets: summary, domains, peers, senco_time (when recorded), trend, notes.

    >>> comparison_workbook(compare_school(db, actor, "900001", "senco-role-audit").to_json())  # doctest: +SKIP
    """
    c = comparison
    wb = Workbook()
    summary = wb.active
    summary.title = "summary"
    facts = [
        ("School", c["school"]),
        ("URN", c["urn"]),
        ("Local authority", c["la"]),
        ("Phase", c["phase"]),
        ("Framework", c["framework"]),
        ("Review cycle", c["cycle"]),
        ("This school's self-review", word(STATUS_WORDS, c["own_review"], NO_REVIEW)),
        ("Compared with", c["peer_set"]),
        ("Overall", c["overall"]["sentence"]),
        ("How to read this", c["note"]),
    ]
    write_table(summary, ["", ""], facts, widths={"": 28}, wrap=[""])
    summary.column_dimensions["B"].width = 100
    _measures(wb.create_sheet("domains"), [c["overall"], *c["domains"]], "domain_id", "percent")
    write_table(
        wb.create_sheet("peers"),
        ["school", "URN", f"self-review submitted in {c['cycle']}"],
        [[p["label"], p.get("urn", WITHHELD), "yes" if p["has_result"] else "no"] for p in c["peer_list"]],
    )
    senco = c.get("senco_time")
    if senco:
        ws = wb.create_sheet("senco_time")
        _measures(ws, senco["measures"], "measure", "value")
        ws.append([])
        ws.append(
            [safe_cell(f"Published figures: {senco['survey_label']}. Reference points, not targets. {senco['note']}")]
        )
        for figure in senco["survey_figures"]:
            ws.append([safe_cell(f"{figure['year']}: {figure['finding']} Source: {figure['source']}.")])
    write_table(
        wb.create_sheet("trend"),
        ["cycle", "domain", "this school %", "peer median %", "peers with a result"],
        [[t["cycle"], t["title"], t["percent"], _or(t["peer_median"]), t["peer_count"]] for t in c["trend"]],
    )
    return workbook_bytes(wb)


def _measures(ws, measures: Sequence[Mapping], key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """One row per measure; withheld values say so, and the reason is kept beside them."""
    header = [key, "title", "this school", "band", "peers with a result", "peer median", "peer lowest"]
    header += ["peer highest", "at or above (% of peers)", "quarter (1 = top)", "peer values (sorted)", "note"]
    rows = []
    for m in measures:
        values = m.get("peer_percents", m.get("peer_values"))
        rows.append(
            [
                m[key],
                m["title"],
                m.get(value),
                m.get("band", ""),
                m["peer_count"],
                _or(m.get("peer_median")),
                _or(m.get("peer_low")),
                _or(m.get("peer_high")),
                _or(m.get("percentile")),
                _or(m.get("quartile")),
                WITHHELD if values is None else ", ".join(f"{v:g}" for v in values),
                m.get("reason", m["sentence"]),
            ]
        )
    write_table(ws, header, rows, widths={"note": 80, "peer values (sorted)": 40}, wrap=["note", "title"])


def _or(value: object) -> object:
    return WITHHELD if value is None else value
