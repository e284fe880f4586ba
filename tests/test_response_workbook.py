"""Response workbooks: a template to answer offline, and a completed one read back with every problem by cell."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest

from exports.cells import workbook_bytes
from exports.response_workbook import read_response_workbook, write_response_template
from framework.library import framework_from_dict
from framework.problems import InvalidInput
from tests.support.workbooks import tables_workbook

DEMO = framework_from_dict(
    {
        "id": "demo",
        "title": "Demo audit",
        "version": "1.0",
        "scale": "quality",
        "scales": [
            {
                "id": "quality",
                "levels": [
                    {"points": 1, "label": "Emerging", "descriptor": "Starting out"},
                    {"points": 2, "label": "Developing", "descriptor": "In parts of the school"},
                    {"points": 3, "label": "Established"},
                ],
            }
        ],
        "domains": [
            {
                "id": "lead",
                "title": "Leadership",
                "criteria": [
                    {"id": "L1", "text": "Leaders know the register", "kind": "rating", "guidance": "Ask the head"},
                    {"id": "L2", "text": "A SENCO is designated", "kind": "yes_no", "statutory": True},
                    {"id": "L3", "text": "Protected hours", "kind": "number", "bands": "0..2=1; 2..5=2; 5..=3",
                     "unit": "hours per week", "evidence": "Timetable"},
                    {"id": "L4", "text": "Notes", "kind": "text"},
                    {"id": "L5", "text": "Plans reviewed each term", "kind": "yes_no", "phases": ["primary"]},
                ],
            },
            {
                "id": "arp",
                "title": "Resourced provision",
                "requires": ["resourced_provision"],
                "criteria": [{"id": "A1", "text": "Places planned with the LA", "kind": "rating"}],
            },
        ],
    }
)  # fmt: skip
REVIEW = [["key", "value"], ["framework_id", "demo"], ["framework_version", "1.0"], ["phase", "primary"]]
RESPONSES = [["criterion_id", "response", "evidence"], ["L1", "established", "minutes"], ["L2", "Yes"], ["L3", 4.5]]


def workbook(review: list[list[object]] = REVIEW, responses: list[list[object]] = RESPONSES) -> bytes:
    return tables_workbook({"review": review, "responses": responses})


def known(framework_id: str):
    return DEMO if framework_id == "demo" else None


def problems(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_response_workbook(data, lookup=known, **kwargs)
    return [str(p) for p in caught.value.problems]


def records(data: bytes) -> list[tuple]:
    sheet = read_response_workbook(data, lookup=known)
    return list(sheet.responses.itertuples(index=False, name=None))


# --- reading -------------------------------------------------------------------------------------


def test_a_completed_workbook_reads_back_in_canonical_form() -> None:
    responses = [*RESPONSES, ["L4", "=busy term"], ["L5", "n/a", "  "], ["A1", None, "not yet"]]
    sheet = read_response_workbook(workbook(responses=responses), lookup=known)
    assert sheet.framework is DEMO
    assert (sheet.context.phase, sheet.context.flags) == ("primary", frozenset())
    assert sheet.meta == {
        "framework_id": "demo",
        "framework_version": "1.0",
        "phase": "primary",
        "resourced_provision": "no",
    }
    assert list(sheet.responses.itertuples(index=False, name=None)) == [
        ("L1", "Established", "minutes", 2),
        ("L2", "yes", "", 3),
        ("L3", "4.5", "", 4),
        ("L4", "=busy term", "", 5),
        ("L5", "N/A", "", 6),
        ("A1", "", "not yet", 7),
    ]


def test_the_framework_given_is_used_instead_of_a_lookup() -> None:
    sheet = read_response_workbook(workbook(), framework=DEMO, lookup=lambda _: None)
    assert sheet.framework is DEMO


def test_rows_without_a_criterion_id_are_skipped_unless_they_hold_an_answer() -> None:
    responses = [
        ["criterion_id", "response", "evidence", "question"],
        ["L1", "Emerging"],
        [None, None, None, "Heading"],
    ]
    assert records(workbook(responses=responses)) == [("L1", "Emerging", "", 2)]
    assert problems(workbook(responses=[*responses, [None, "yes"]])) == ["responses!A4: criterion_id is blank"]


@pytest.mark.parametrize(
    ("criterion", "response", "message"),
    [
        ("L1", "Great", '"Great" is not an answer to this question (use one of Emerging, Developing, Established)'),
        ("L1", 7, '"7" is not an answer to this question (use one of Emerging, Developing, Established)'),
        ("L2", "maybe", 'answer yes or no (got "maybe")'),
        ("L2", "N/A", "N/A is not allowed on a statutory criterion: answer yes or no"),
        ("L3", "lots", 'expected a number (got "lots")'),
        ("L3", -1, "-1 is outside every band of this question (0..2=1; 2..5=2; 5..=3)"),
    ],
)
def test_a_wrong_answer_is_named_by_its_cell(criterion: str, response: object, message: str) -> None:
    responses = [["criterion_id", "response"], ["L4", "fine"], [criterion, response]]
    assert problems(workbook(responses=responses)) == [f"responses!B3: {message}"]


def test_every_problem_is_reported_at_once() -> None:
    review = [["key", "value"], ["framework_id", "demo"], ["phase", "infant"], ["reviewer_role", "Head"]]
    responses = [
        ["evidence", "criterion_id", "response"],
        [None, "L1", "Great"],
        [None, "L11", "yes"],
        [None, "L2", "N/A"],
        [None, "L1", "Emerging"],
    ]
    assert problems(workbook(review, responses)) == [
        'review!B3: phase must be one of early_years, primary, secondary, all_through, special, post_16 (got "infant")',
        'review!B4: reviewer_role must be one of self, peer, la (got "Head")',
        'responses!C2: "Great" is not an answer to this question (use one of Emerging, Developing, Established)',
        'responses!B3: framework "demo" has no criterion "L11" (did you mean "L1"?)',
        "responses!C4: N/A is not allowed on a statutory criterion: answer yes or no",
        'responses!B5: criterion "L1" is listed twice (first on row 2)',
    ]


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ([["framework_id", "demo"]], 'review: no row with key "phase"'),
        ([["framework_id", "demo"], ["phse", "primary"], ["phase", "primary"]],
         'review!A3: unknown key "phse" (did you mean "phase"?)'),
        ([["framework_id", "demo"], ["phase", None]], "review!B3: phase must be one of "
         "early_years, primary, secondary, all_through, special, post_16"),
        ([["phase", "primary"]], 'review: no row with key "framework_id"'),
        ([["framework_id", "other"], ["phase", "primary"]], 'review!B2: no known framework has id "other"'),
        ([["framework_id", None], ["phase", "primary"]],
         "review!B2: framework_id is blank: it names the framework these answers belong to"),
        ([["framework_id", "demo"], ["phase", "primary"], ["resourced_provision", "maybe"]],
         'review!B4: resourced_provision must be yes or no (got "maybe")'),
        ([["framework_id", "demo"], ["phase", "primary"], ["review_date", "next week"]],
         'review!B4: review_date must be a date such as 2026-10-01 (got "next week")'),
    ],
)  # fmt: skip
def test_the_review_sheet_is_checked(review: list[list[object]], message: str) -> None:
    assert problems(workbook(review=[["key", "value"], *review])) == [message]


def test_a_framework_id_other_than_the_framework_given_is_refused() -> None:
    other = DEMO.model_copy(update={"id": "other"})
    assert problems(workbook(), framework=other) == [
        'review!B2: framework_id "demo" differs from the framework given ("other")'
    ]


def test_phase_labels_and_review_details_are_read_as_people_write_them() -> None:
    review = [
        ["key", "value"],
        ["framework_id", "demo"],
        ["phase", "Post-16"],
        ["resourced_provision", "Yes"],
        ["reviewer_role", "LA"],
        ["school_urn", 100001],
        ["review_date", "2026-10-01"],
    ]
    sheet = read_response_workbook(workbook(review=review), lookup=known)
    assert (sheet.context.phase, sheet.context.flags) == ("post_16", frozenset({"resourced_provision"}))
    assert sheet.meta == {
        "framework_id": "demo",
        "phase": "post_16",
        "resourced_provision": "yes",
        "reviewer_role": "la",
        "school_urn": "100001",
        "review_date": "2026-10-01",
    }


def test_missing_sheets_are_named_with_a_suggestion() -> None:
    data = tables_workbook({"review": REVIEW, "response": RESPONSES})
    assert problems(data, source="filled.xlsx") == ['filled.xlsx: no sheet "responses" (did you mean "response"?)']


# --- the template --------------------------------------------------------------------------------


def sheet_rows(data: bytes, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(BytesIO(data))[name].iter_rows(values_only=True))


def test_a_template_for_a_phase_lists_only_the_questions_that_apply() -> None:
    secondary = sheet_rows(write_response_template(DEMO, phase="secondary"), "responses")
    assert [row[0] for row in secondary[1:]] == ["L1", "L2", "L3", "L4"]
    with_arp = sheet_rows(write_response_template(DEMO, phase="primary", resourced_provision=True), "responses")
    assert [row[0] for row in with_arp[1:]] == ["L1", "L2", "L3", "L4", "L5", "A1"]
    everything = sheet_rows(write_response_template(DEMO), "responses")
    assert [row[0] for row in everything[1:]] == ["L1", "L2", "L3", "L4", "L5", "A1"]


def test_the_template_review_sheet_is_prefilled() -> None:
    data = write_response_template(DEMO, phase="primary", meta={"school_urn": 100001, "reviewer_role": "self"})
    assert [row[:2] for row in sheet_rows(data, "review")] == [
        ("key", "value"),
        ("framework_id", "demo"),
        ("framework_version", "1.0"),
        ("school_urn", "100001"),
        ("school_name", None),
        ("phase", "primary"),
        ("resourced_provision", "no"),
        ("reviewer_role", "self"),
        ("reviewer_name", None),
        ("review_date", None),
        ("downloaded_at", None),  # written by the app when a review's workbook is downloaded
    ]


def test_the_template_explains_each_question_beside_it() -> None:
    header, l1, l2, l3, *_ = sheet_rows(write_response_template(DEMO, phase="primary"), "responses")
    assert header == (
        "criterion_id", "response", "evidence", "domain", "question", "type of answer", "statutory", "levels",
        "guidance", "evidence hint", "unit",
    )  # fmt: skip
    assert l1[3:] == (
        "Leadership",
        "Leaders know the register",
        "Rating",
        None,
        "Emerging: Starting out\nDeveloping: In parts of the school\nEstablished\nN/A: does not apply to this school",
        "Ask the head",
        None,
        None,
    )
    assert l2[6:8] == ("Statutory: must be met", "yes\nno")
    assert l3[7:] == (
        "0 to under 2 hours per week: Emerging\n2 to under 5 hours per week: Developing\n"
        "5 or more hours per week: Established\nN/A: does not apply to this school",
        None,
        "Timetable",
        "hours per week",
    )


def test_the_template_offers_pick_lists_and_protects_the_guide_columns() -> None:
    book = openpyxl.load_workbook(BytesIO(write_response_template(DEMO, phase="primary")))
    sheet, lists = book["responses"], book["lists"]
    assert lists.sheet_state == "hidden"
    by_cells = {}
    for dv in sheet.data_validations.dataValidation:
        column = dv.formula1.split("!")[1].split("$")[1]
        options = [row[0] for row in lists.iter_rows(min_col=openpyxl.utils.column_index_from_string(column),
                                                      max_col=openpyxl.utils.column_index_from_string(column),
                                                      values_only=True) if row[0] is not None]  # fmt: skip
        by_cells[str(dv.sqref)] = options
    assert by_cells == {
        "B2": ["Emerging", "Developing", "Established", "N/A"],
        "B3": ["yes", "no"],
        "B6": ["yes", "no", "N/A"],
    }
    assert sheet.protection.sheet
    assert not sheet["B2"].protection.locked and not sheet["C2"].protection.locked
    assert sheet["E2"].protection.locked
    assert sheet["B3"].fill.start_color.rgb.endswith("FCE4D6")  # the statutory answer stands out


def test_a_filled_in_template_reads_back() -> None:
    book = openpyxl.load_workbook(BytesIO(write_response_template(DEMO, phase="primary")))
    book["review"]["B4"] = 100001
    for row, (response, evidence) in enumerate([("Developing", "SEF"), ("no", None), (6, None)], start=2):
        book["responses"].cell(row=row, column=2, value=response)
        book["responses"].cell(row=row, column=3, value=evidence)
    sheet = read_response_workbook(workbook_bytes(book), lookup=known)
    assert sheet.meta["school_urn"] == "100001"
    assert list(sheet.responses.itertuples(index=False, name=None)) == [
        ("L1", "Developing", "SEF", 2),
        ("L2", "no", "", 3),
        ("L3", "6", "", 4),
        ("L4", "", "", 5),
        ("L5", "", "", 6),
    ]


def test_a_partly_answered_review_round_trips_through_its_template() -> None:
    answers = {"L1": ("Established", '=HYPERLINK("x")'), "L3": ("2.5", ""), "L4": ("-see the file", "@here")}
    data = write_response_template(DEMO, phase="primary", answers=answers, meta={"reviewer_name": "A. Peer"})
    sheet = read_response_workbook(data, lookup=known)
    assert sheet.meta["reviewer_name"] == "A. Peer"
    assert list(sheet.responses.itertuples(index=False, name=None)) == [
        ("L1", "Established", '=HYPERLINK("x")', 2),
        ("L2", "", "", 3),
        ("L3", "2.5", "", 4),
        ("L4", "-see the file", "@here", 5),
        ("L5", "", "", 6),
    ]
    cell = openpyxl.load_workbook(BytesIO(data))["responses"]["C2"]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("x")')


def test_a_template_for_an_unknown_phase_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        write_response_template(DEMO, phase="infant")
    assert [str(p) for p in caught.value.problems] == [
        'phase: phase must be one of early_years, primary, secondary, all_through, special, post_16 (got "infant")'
    ]
