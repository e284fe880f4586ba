"""The offline workbook round trip never loses or invents an answer (issue 9), on SQLite and PostgreSQL.

An older copy of the workbook keeps the answers given online since it was downloaded; blank cells
clear nothing unless the user ticks to clear them; a cell formatted as a percentage is the percentage
it shows; a number outside what its bands expect is questioned; every review downloads.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from data import reviews
from data.answer_upload import upload_effect
from exports.response_workbook import read_response_workbook, write_response_template
from exports.review_export import review_workbook
from framework.library import builtin_framework
from framework.models import ReviewContext
from framework.problems import InvalidInput
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")
PRIMARY = ReviewContext.of("primary", False)


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    yield db, senco
    db.dispose()


def _review(db, senco) -> int:  # type: ignore[no-untyped-def]
    return reviews.start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )


def _answer(db, senco, rid: int, cid: str, response: str | None) -> None:  # type: ignore[no-untyped-def]
    version = reviews.load_answers(db, senco, rid).get(cid)
    reviews.save_answer(db, senco, rid, cid, seen_version=version.version if version else 0, response=response)


def _download(db, senco, rid: int) -> bytes:  # type: ignore[no-untyped-def]
    return review_workbook(reviews.export_bundle(db, senco, rid, "answers"))


def _edit(data: bytes, cells: dict[str, object], number_format: str | None = None) -> bytes:
    """Type into the response cells of a workbook, as someone does in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        cid = sheet.cell(row, header.index("criterion_id") + 1).value
        if cid in cells:
            cell = sheet.cell(row, header.index("response") + 1)
            cell.value = cells[cid]
            if number_format:
                cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes):  # type: ignore[no-untyped-def]
    return read_response_workbook(data, framework=FRAMEWORK, expect=PRIMARY)


def _responses(db, senco, rid: int) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {cid: a.response for cid, a in reviews.load_answers(db, senco, rid).items()}


def test_a_review_with_a_cleared_number_answer_downloads(site):
    db, senco = site
    rid = _review(db, senco)
    _answer(db, senco, rid, "time-hours-protected", "6")
    _answer(db, senco, rid, "time-hours-protected", None)
    _answer(db, senco, rid, "time-admin", "2.5")
    sheet = _read(_download(db, senco, rid))
    by_id = sheet.responses.set_index("criterion_id")["response"]
    assert by_id["time-hours-protected"] in ("", None) and by_id["time-admin"] == "2.5"
    assert sheet.downloaded_at is not None


def test_an_older_workbook_keeps_the_answers_given_since_and_says_so(site):
    db, senco = site
    rid = _review(db, senco)
    _answer(db, senco, rid, "role-designated", "yes")
    old = _edit(_download(db, senco, rid), {"rec-register": "Developing"})
    for cid, response in {"role-eligible-qualified": "yes", "role-continuity": "no", "role-designated": "no"}.items():
        _answer(db, senco, rid, cid, response)  # given online after the download
    sheet = _read(old)
    effect = upload_effect(db, senco, rid, sheet.responses, sheet.downloaded_at)
    assert effect.newer == 3
    summary = reviews.merge_answers(db, senco, rid, sheet.responses, downloaded_at=sheet.downloaded_at)
    assert summary.kept_newer == 3 and summary.added == 1
    stored = _responses(db, senco, rid)
    assert (
        stored["role-designated"] == "no"
        and stored["role-eligible-qualified"] == "yes"
        and stored["role-continuity"] == "no"
    )
    assert stored["rec-register"] == "Developing"

    at = open_page(app_as(db, senco), "offline", review=rid)
    at.file_uploader[0].set_value(("answers.xlsx", old, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Check the workbook").click().run()
    assert "answers have been given since; they will be kept" in texts(at)


def test_blank_cells_clear_nothing_unless_the_user_ticks_it(site):
    db, senco = site
    rid = _review(db, senco)
    for cid in ("role-designated", "role-eligible-qualified"):
        _answer(db, senco, rid, cid, "yes")
    template = write_response_template(FRAMEWORK, phase="primary", meta={"school_urn": "900001"})  # no answers
    blank = _edit(template, {"rec-register": "Embedded"})

    at = open_page(app_as(db, senco), "offline", review=rid)
    at.file_uploader[0].set_value(("answers.xlsx", blank, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Check the workbook").click().run()
    assert [c.label for c in at.checkbox] == ["Also clear the 2 answers left blank in the workbook"]
    next(b for b in at.button if b.label == "Save the answers").click().run()
    stored = _responses(db, senco, rid)
    assert stored["role-designated"] == "yes" and stored["role-eligible-qualified"] == "yes"
    assert stored["rec-register"] == "Embedded"

    sheet = _read(blank)
    summary = reviews.merge_answers(db, senco, rid, sheet.responses, clear_blanks=True)
    assert summary.cleared == 2
    assert _responses(db, senco, rid)["role-designated"] is None


def test_a_percentage_cell_is_the_percentage_it_shows():
    template = write_response_template(FRAMEWORK, phase="primary")
    sheet = _read(_edit(template, {"rec-review-reports-pct": 0.85}, number_format="0%"))
    assert sheet.responses.set_index("criterion_id")["response"]["rec-review-reports-pct"] == "85"


@pytest.mark.parametrize(
    ("typed", "words"),
    [(0.85, "looks like a fraction; for 85% type 85"), (850, "is outside what this question expects (0 to 100")],
)
def test_a_percentage_outside_what_the_question_expects_is_questioned_with_its_cell(typed, words):
    template = write_response_template(FRAMEWORK, phase="primary")
    with pytest.raises(InvalidInput) as refused:
        _read(_edit(template, {"rec-review-reports-pct": typed}))
    [problem] = refused.value.problems
    assert str(problem).startswith("responses!B") and words in str(problem)
