"""A review's results as a workbook: summary, domains, compliance, priorities and every answer."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook

from exports.cells import workbook_bytes, write_table
from framework.models import Framework
from framework.words import COMPLIANCE_WORDS, NOT_WORKED_OUT, word
from scoring import ReviewScore, priorities


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
    titles = {d.id: d.title for d in framework.domains}
    write_table(
        wb.create_sheet("domains"),
        [
            "area",
            "percent",
            "band",
            "limited by the statutory duty",
            "questions answered",
            "questions that apply",
            "statutory duties met",
            "statutory duties that apply",
        ],
        [
            [
                d.title,
                _pct(d.percent),
                d.band,
                _duties(framework, d.limited_by),
                d.answered,
                d.applicable,
                d.duties_met,
                d.duties,
            ]
            for d in score.domains
        ],
        wrap=["limited by the statutory duty"],
    )
    duties = sorted(score.compliance, key=lambda c: c.status != "not_met")  # unmet duties first
    write_table(
        wb.create_sheet("compliance"),
        ["statutory duty", "area", "status"],
        [[c.text, titles.get(c.domain_id, ""), word(COMPLIANCE_WORDS, c.status)] for c in duties],
        wrap=["statutory duty"],
    )
    to_improve = priorities(contributions, limit=len(contributions))
    write_table(
        wb.create_sheet("priorities"),
        ["area", "question", "statutory duty", "answer now"],
        [
            [titles.get(r.domain_id, ""), r.text, "yes" if r.statutory else "no", _given(answers, r.criterion_id)]
            for r in to_improve.itertuples()
        ],
        wrap=["question"],
    )
    texts = {c.id: (titles.get(c.domain_id, ""), c.text, c.kind) for c in framework.criteria}
    answer_rows = []
    for r in answers.itertuples():
        area, text, kind = texts.get(r.criterion_id, ("", "", ""))
        answer_rows.append([area, text, _value(r.response, kind), r.evidence])
    write_table(
        wb.create_sheet("answers"),
        ["area", "question", "answer", "evidence"],
        answer_rows,
        wrap=["question", "evidence"],
    )
    return workbook_bytes(wb)


def _pct(value: float | None) -> float | str:
    return NOT_WORKED_OUT if value is None else round(value, 1)


def _duties(framework: Framework, criterion_ids: tuple[str, ...] | list[str]) -> str:
    return "; ".join(framework.criteria_by_id[c].text for c in criterion_ids if c in framework.criteria_by_id)


def _given(answers: pd.DataFrame, criterion_id: str) -> object:
    found = answers.loc[answers["criterion_id"] == criterion_id, "response"]
    return found.iloc[0] if len(found) else ""


def _value(response: object, kind: str) -> object:
    """Numbers stay numbers in the workbook (Excel can add them up); everything else is the text given."""
    if kind == "number" and isinstance(response, str):
        try:
            number = float(response)
        except ValueError:
            return response
        return int(number) if number.is_integer() else number
    if kind == "yes_no" and response in ("yes", "no"):
        return str(response).capitalize()
    return response
