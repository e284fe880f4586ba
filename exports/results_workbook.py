"""A review's results as a workbook: summary, domains, compliance, priorities and every answer."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook

from exports.cells import workbook_bytes, write_table
from framework.models import Framework
from scoring import ReviewScore

COMPLIANCE_WORDS = {"met": "Met", "not_met": "Not met", "unknown": "Not answered"}


def results_workbook(
    framework: Framework,
    score: ReviewScore,
    contributions: pd.DataFrame,
    answers: pd.DataFrame,
    about: Mapping[str, object],
) -> bytes:
    """``about`` holds the header facts (school, cycle, reviewer…) in the order they should appear."""
    wb = Workbook()
    summary = wb.active
    summary.title = "summary"
    overall = score.overall
    facts = [
        *about.items(),
        ("Framework", f"{framework.title} (version {framework.version})"),
        ("Overall band", overall.band + (" (limited by an unmet statutory duty)" if overall.limited else "")),
        ("Overall percent", _pct(overall.percent)),
        ("Questions answered", f"{score.completion.answered} of {score.completion.applicable}"),
    ]
    write_table(summary, ["", ""], facts, widths={"": 40})
    write_table(
        wb.create_sheet("domains"),
        ["domain", "percent", "band", "limited by", "answered", "applicable"],
        [[d.title, _pct(d.percent), d.band, ", ".join(d.limited_by), d.answered, d.applicable] for d in score.domains],
    )
    write_table(
        wb.create_sheet("compliance"),
        ["criterion_id", "statutory duty", "status"],
        [[c.criterion_id, c.text, COMPLIANCE_WORDS[c.status]] for c in score.compliance],
        wrap=["statutory duty"],
    )
    ranked = contributions.sort_values("shortfall", ascending=False)
    write_table(
        wb.create_sheet("priorities"),
        ["domain", "criterion_id", "question", "answer points", "weight", "points lost from the domain"],
        [
            [r.domain_id, r.criterion_id, r.text, r.points, r.weight, round(100 * r.shortfall, 1)]
            for r in ranked.itertuples()
            if r.answered
        ],
        wrap=["question"],
    )
    texts = {c.id: (c.domain_id, c.text) for c in framework.criteria}
    answer_rows = []
    for r in answers.itertuples():
        domain_id, text = texts.get(r.criterion_id, ("", ""))
        answer_rows.append([domain_id, r.criterion_id, text, r.response, r.evidence])
    write_table(
        wb.create_sheet("answers"),
        ["domain", "criterion_id", "question", "response", "evidence"],
        answer_rows,
        wrap=["question", "evidence"],
    )
    return workbook_bytes(wb)


def _pct(value: float | None) -> float | str:
    return "Insufficient evidence" if value is None else round(value, 1)
