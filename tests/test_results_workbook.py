"""The results workbook speaks the framework's words: no internal ids, numbers stored as numbers, a domain of
duties alone with its duty counts."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from exports.results_workbook import results_workbook
from framework.library import builtin_framework
from framework.models import ReviewContext
from scoring import criterion_contributions, score_review
from tests.test_pages_results_gate import ANSWERS, GATED


def test_no_internal_ids_and_numbers_are_numbers() -> None:
    framework = builtin_framework("senco-role-audit")
    context = ReviewContext.of("primary")
    number = next(c for c in framework.criteria if c.kind == "number")
    rating = next(c for c in framework.criteria if c.kind == "rating")
    answers = pd.DataFrame(
        {
            "criterion_id": [number.id, rating.id],
            "response": ["2.5", framework.scale_of(rating).levels[0].label],
            "evidence": ["timetable", ""],
        },
        dtype=object,
    )
    score = score_review(framework, answers, context)
    contributions = criterion_contributions(framework, answers, context)
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(framework, score, contributions, answers, {})))
    ids = {c.id for c in framework.criteria} | {d.id for d in framework.domains}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not ids & {v for v in row if isinstance(v, str)}, f"an internal id on sheet {sheet.title}: {row}"
        assert "criterion_id" not in [c.value for c in sheet[1]]
    answered = {row[1]: row[2] for row in book["answers"].iter_rows(min_row=2, values_only=True)}
    assert answered[number.text] == 2.5
    assert [c.value for c in book["priorities"][1]] == ["area", "question", "statutory duty", "answer now"]


def test_a_domain_of_duties_alone_gives_its_duty_counts_as_numbers() -> None:
    context = ReviewContext.of("primary")
    answers = pd.DataFrame(
        {"criterion_id": list(ANSWERS), "response": list(ANSWERS.values()), "evidence": [""] * len(ANSWERS)},
        dtype=object,
    )
    answers.loc[answers["criterion_id"] == "d2", "response"] = "no"
    score = score_review(GATED, answers, context)
    contributions = criterion_contributions(GATED, answers, context)
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(GATED, score, contributions, answers, {})))
    rows = list(book["domains"].iter_rows(values_only=True))
    by_area = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    law = by_area["Legal duties"]
    assert law["band"] == "Duties only"
    assert (law["statutory duties met"], law["statutory duties that apply"]) == (3, 4)
    assert (by_area["Practice"]["statutory duties met"], by_area["Practice"]["statutory duties that apply"]) == (0, 0)
