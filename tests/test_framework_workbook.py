"""Framework authoring workbooks: every mistake named by sheet and cell, all at once; frameworks round-trip."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from exports.framework_workbook import write_framework_workbook
from framework.library import builtin_frameworks, framework_from_dict, load_framework_file
from framework.models import Framework
from framework.problems import InvalidInput
from framework.workbook import read_framework_workbook
from tests.support.workbooks import tables_workbook

FRAMEWORK = [["key", "value"], ["id", "demo"], ["title", "Demo audit"], ["version", "1.0"], ["scale", "quality"]]
SCALES = [
    ["scale_id", "points", "label", "descriptor"],
    ["quality", 1, "Emerging", "Starting out"],
    ["quality", 2, "Developing", ""],
    ["quality", 3, "Established", ""],
    ["quality", 4, "Embedded", ""],
]
DOMAINS = [["domain_id", "title", "weight"], ["lead", "Leadership", 2]]
CRITERIA = [
    ["criterion_id", "domain_id", "text", "kind", "statutory", "bands"],
    ["L1", "lead", "Leaders know the SEND register", "rating", "no", None],
    ["L2", "lead", "A SENCO is designated", "yes_no", "yes", None],
    ["L3", "lead", "Protected SENCO hours", "number", "no", "..2=1; 2..5=2; 5..=3"],
]


def workbook(**sheets: list[list[object]] | None) -> bytes:
    """The demo workbook with some sheets replaced (or left out, when given as None)."""
    tables = {"framework": FRAMEWORK, "scales": SCALES, "domains": DOMAINS, "criteria": CRITERIA} | sheets
    return tables_workbook({name: rows for name, rows in tables.items() if rows is not None})


def criteria(*rows: list[object]) -> list[list[object]]:
    return [CRITERIA[0], *rows]


def problems(data: bytes) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_framework_workbook(data, source="audit.xlsx")
    return [str(p) for p in caught.value.problems]


def test_a_valid_workbook_becomes_a_framework() -> None:
    fw = read_framework_workbook(workbook(), source="audit.xlsx")
    assert (fw.id, fw.title, fw.version, fw.scale, fw.min_completion) == ("demo", "Demo audit", "1.0", "quality", 0.5)
    assert [lv.label for lv in fw.default_scale.levels] == ["Emerging", "Developing", "Established", "Embedded"]
    assert fw.domains[0].weight == 2
    l1, l2, l3 = fw.domains[0].criteria
    assert (l1.kind, l1.statutory, l2.statutory, str(l3.bands[1])) == ("rating", False, True, "2..5=2")


def test_column_order_extra_columns_letter_case_and_blank_rows_do_not_matter() -> None:
    shuffled = [
        ["Kind", "notes", "criterion_id", "text", "DOMAIN_ID"],
        ["rating", "ignored", "L1", "Leaders know the SEND register", "lead"],
        [],
        [None, None, None, None, None],
        ["yes_no", None, "L2", "A SENCO is designated", "lead"],
    ]
    fw = read_framework_workbook(workbook(criteria=shuffled))
    assert [c.id for c in fw.criteria] == ["L1", "L2"]


def test_an_unknown_kind_is_named_by_its_cell() -> None:
    rows = criteria(["L1", "lead", "Leaders know", "slider"])
    assert problems(workbook(criteria=rows)) == [
        'criteria!D2: kind must be one of rating, yes_no, number, text (got "slider")'
    ]


def test_every_problem_is_reported_at_once_in_reading_order() -> None:
    rows = criteria(
        ["L1", "lead", "Leaders know", "slider"],
        ["L1", "leed", "", "rating", "yes"],
        ["L3", "lead", "Hours", "number", "no", "..2=1; 1..5=2"],
    )
    head = [*FRAMEWORK, ["min_completion", 1.5]]
    assert problems(workbook(framework=head, criteria=rows)) == [
        'framework!B6: min_completion must be a number from 0 to 1, e.g. 0.5 (got "1.5")',
        'criteria!D2: kind must be one of rating, yes_no, number, text (got "slider")',
        'criteria!A3: criterion "L1" is listed twice (first on row 2)',
        'criteria!B3: no domain "leed" in the domains sheet (did you mean "lead"?)',
        "criteria!C3: text is blank",
        "criteria!E3: only a yes_no question may be statutory (this one is rating)",
        "criteria!F4: bands ..2=1 and 1..5=2 overlap",
    ]


def test_a_misspelt_sheet_name_gets_a_suggestion() -> None:
    data = tables_workbook({"framework": FRAMEWORK, "scales": SCALES, "domains": DOMAINS, "critera": CRITERIA})
    assert problems(data) == ['audit.xlsx: no sheet "criteria" (did you mean "critera"?)']


def test_missing_sheets_and_columns_are_named() -> None:
    data = tables_workbook(
        {"framework": FRAMEWORK, "scales": SCALES, "domains": [["domain_id", "name"], ["lead", "x"]]}
    )
    assert problems(data) == [
        'audit.xlsx: no sheet "criteria"',
        'domains: no column "title" in the header row (row 1)',
    ]


def test_a_misspelt_column_gets_a_suggestion() -> None:
    rows = [["criterion_id", "domain_id", "text", "knid"], ["L1", "lead", "Leaders know", "rating"]]
    assert problems(workbook(criteria=rows)) == [
        'criteria: no column "kind" in the header row (row 1) (did you mean "knid"?)'
    ]


def test_framework_keys_are_checked() -> None:
    head = [["key", "value"], ["id", "Demo Audit"], ["title", ""], ["scale", "qualty"], ["statutory_cap", "Great"]]
    assert problems(workbook(framework=head)) == [
        'framework: no row with key "version" (needed: id, title, version, scale)',
        "framework!B2: id must be lower-case letters, digits and hyphens, starting with a letter or digit "
        '(got "Demo Audit")',
        "framework!B3: title is blank",
        'framework!B4: no scale "qualty" in the scales sheet (did you mean "quality"?)',
    ]


def test_a_misspelt_key_is_named_but_other_extra_rows_are_ignored() -> None:
    head = [*FRAMEWORK, ["author", "LA team"], ["min_completon", 0.6]]
    assert problems(workbook(framework=head)) == [
        'framework!A7: unknown key "min_completon" (did you mean "min_completion"?)'
    ]


def test_statutory_cap_must_be_a_level_of_the_default_scale() -> None:
    head = [*FRAMEWORK, ["statutory_cap", "Great"]]
    assert problems(workbook(framework=head)) == [
        'framework!B6: statutory_cap must be a level of scale "quality": one of Emerging, Developing, '
        'Established, Embedded (got "Great")'
    ]
    capped = read_framework_workbook(workbook(framework=[*FRAMEWORK, ["statutory_cap", "developing"]]))
    assert capped.cap_level.label == "Developing"


def test_scales_need_two_levels_with_distinct_points_and_labels() -> None:
    scales = [
        *SCALES,
        ["often", 0, "Never", ""],
        ["often", 0, "Sometimes", ""],
        ["often", 2, "never", ""],
        ["once", "x", "Only", ""],
    ]
    assert problems(workbook(scales=scales)) == [
        'scales!B7: points 0 are already used by "Never" in scale "often"',
        'scales!C8: label "never" is already used in scale "often" (row 6)',
        'scales!A9: scale "once" has only one level; a scale needs at least two',
        'scales!B9: points must be a whole number (got "x")',
    ]


def test_domains_are_checked() -> None:
    domains = [
        ["domain_id", "title", "weight", "phases", "requires"],
        ["lead", "Leadership", 0, "primary, infant", "arp"],
        ["lead", "Again", "heavy", "", ""],
    ]
    assert problems(workbook(domains=domains)) == [
        'domains!C2: weight must be a number greater than 0 (got "0")',
        "domains!D2: phases must be a comma list from early_years, primary, secondary, all_through, special, "
        'post_16 (got "infant")',
        "domains!E2: requires must be a comma list from resourced_provision, has_nursery, has_sixth_form, "
        'mainstream (got "arp")',
        'domains!A3: domain "lead" is listed twice (first on row 2)',
        'domains!C3: weight must be a number greater than 0 (got "heavy")',
    ]


def test_a_domains_sheet_without_domains_is_refused() -> None:
    assert problems(workbook(domains=[["domain_id", "title"]], criteria=criteria())) == [
        "domains: no domains are listed; a framework needs at least one"
    ]


def test_kinds_limit_scales_statutory_and_bands() -> None:
    header = ["criterion_id", "domain_id", "text", "kind", "scale", "statutory", "bands", "weight"]
    rows = [
        header,
        ["A", "lead", "a", "yes_no", "quality", "no", None, None],
        ["B", "lead", "b", "rating", "often", "no", None, None],
        ["C", "lead", "c", "number", None, "no", None, None],
        ["D", "lead", "d", "rating", None, "maybe", "..2=1", None],
        ["E", "lead", "e", "number", None, "no", "..2=1; 2..=7", -1],
        ["F", "lead", "f", "number", None, "no", "2..x=1", None],
        ["G", "lead", "g", "number", None, "no", "5..2=1", None],
    ]
    assert problems(workbook(criteria=rows)) == [
        "criteria!E2: only a rating question takes a scale (this one is yes_no)",
        'criteria!E3: no scale "often" in the scales sheet',
        "criteria!G4: a number question needs bands, e.g. ..2=1; 2..5=2; 5..=3",
        'criteria!F5: statutory must be yes or no (got "maybe")',
        "criteria!G5: bands are only for number questions (this one is rating)",
        "criteria!G6: band points 7 are not levels of the default scale (1, 2, 3, 4)",
        'criteria!H6: weight must be a number greater than 0 (got "-1")',
        'criteria!G7: "2..x=1": LOW and HIGH must be numbers or blank',
        "criteria!G8: band 5..2=1 is empty: LOW must be below HIGH",
    ]


def test_a_number_question_without_a_bands_column_is_named_at_its_kind() -> None:
    rows = [["criterion_id", "domain_id", "text", "kind"], ["C", "lead", "Hours", "number"]]
    assert problems(workbook(criteria=rows)) == [
        "criteria!D2: a number question needs bands, e.g. ..2=1; 2..5=2; 5..=3"
    ]


def test_nothing_is_returned_when_anything_is_wrong() -> None:
    rows = criteria(
        *CRITERIA[1:], ["L9", "lead", "Fine apart from", "rating", "no", None], ["L9", "lead", "x", "rating"]
    )
    assert problems(workbook(criteria=rows)) == ['criteria!A6: criterion "L9" is listed twice (first on row 5)']


def test_load_framework_file_reads_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(workbook())
    assert load_framework_file(path).id == "demo"
    path.write_bytes(workbook(criteria=criteria(["L1", "lead", "x", "slider"])))
    with pytest.raises(InvalidInput) as caught:
        load_framework_file(path)
    assert [str(p) for p in caught.value.problems] == [
        'criteria!D2: kind must be one of rating, yes_no, number, text (got "slider")'
    ]


RICH = {
    "id": "rich-audit",
    "title": "  A rich audit ",
    "version": "2026.1",
    "description": "Line one\nline two",
    "scale": "quality",
    "min_completion": 0.75,
    "statutory_cap": "Developing",
    "scales": [
        {"id": "quality", "levels": [
            {"points": 1, "label": "Emerging", "descriptor": "Starting"},
            {"points": 2, "label": "Developing"},
            {"points": 3, "label": "Established", "descriptor": "=formula-looking text"},
            {"points": 4, "label": "Embedded", "descriptor": "-dash first"},
        ]},
        {"id": "often", "levels": [{"points": 0, "label": "Never"}, {"points": 2, "label": "Always"}]},
    ],
    "domains": [
        {"id": "lead", "title": "Leadership", "description": "Who leads", "weight": 2.5,
         "criteria": [
             {"id": "L1", "text": "Leaders know", "kind": "rating", "scale": "often", "weight": 0.5,
              "guidance": "Look at\nminutes\n", "evidence": "@minutes", "source": "Code of Practice 6.2"},
             {"id": "L2", "text": "SENCO designated", "kind": "yes_no", "statutory": True},
             {"id": "L3", "text": "Hours", "kind": "number", "bands": "..2.5=1; 2.5..5=2; 5..=4",
              "unit": "hours per week", "phases": ["primary", "secondary"]},
             {"id": "L4", "text": "+ Notes", "kind": "text"},
         ]},
        {"id": "arp", "title": "Resourced provision", "phases": ["special"], "requires": ["resourced_provision"],
         "criteria": [{"id": "A1", "text": "Places planned", "kind": "rating", "requires": ["resourced_provision"]}]},
        {"id": "empty", "title": "Not yet written"},
    ],
}  # fmt: skip


def test_a_rich_framework_survives_workbook_and_back() -> None:
    fw = framework_from_dict(RICH)
    assert read_framework_workbook(write_framework_workbook(fw)) == fw


@pytest.mark.parametrize("fw", builtin_frameworks(), ids=lambda fw: fw.id)
def test_every_builtin_framework_survives_workbook_and_back(fw: Framework) -> None:
    assert read_framework_workbook(write_framework_workbook(fw)) == fw


def test_the_written_workbook_is_ready_to_edit_in_excel() -> None:
    book = openpyxl.load_workbook(BytesIO(write_framework_workbook(framework_from_dict(RICH))))
    assert book.sheetnames == ["framework", "scales", "domains", "criteria"]
    sheet = book["criteria"]
    assert [c.value for c in sheet[1]][:4] == ["criterion_id", "domain_id", "text", "kind"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 60
    lists = {str(dv.sqref): (dv.formula1, dv.showErrorMessage) for dv in sheet.data_validations.dataValidation}
    assert lists == {
        "D2:D1000": ('"rating,yes_no,number,text"', True),
        "G2:G1000": ('"yes,no"', True),
        "B2:B1000": ("domains!$A$2:$A$1000", True),
    }
    assert [book["framework"]["A" + str(r)].value for r in range(2, 9)] == [
        "id", "title", "version", "scale", "description", "min_completion", "statutory_cap",
    ]  # fmt: skip


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    book = openpyxl.load_workbook(BytesIO(write_framework_workbook(framework_from_dict(RICH))))
    cells = [c for row in book["criteria"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert book["criteria"]["A5"].value == "L4" and book["criteria"]["C5"].value == "'+ Notes"


APPLIES = {
    **RICH,
    "domains": [
        {"id": "time", "title": "Time", "criteria": [
            {"id": "sen", "text": "Pupils on the SEN register", "kind": "number", "bands": "0..=1"},
            {"id": "hours", "text": "Hours", "kind": "number", "bands": "..1=1; 1..2=2; 2..=4", "unit": "hours",
             "per": 10, "per_measure": "sen", "per_label": "pupils on the SEN register",
             "requires": ["mainstream", "has_nursery"]},
            {"id": "ar", "text": "Reviews on time", "kind": "yes_no", "statutory": True, "applies_if": "sen > 0",
             "one_question_reason": "one duty"},
        ]},
    ],
    "glossary": [{"term": "EHC plan", "meaning": "Education, health and care plan"}],
}  # fmt: skip


def test_applicability_per_unit_bands_and_glossary_survive_workbook_and_back() -> None:
    fw = framework_from_dict(APPLIES)
    assert read_framework_workbook(write_framework_workbook(fw)) == fw


def test_a_wrong_condition_or_per_is_named_by_its_cell() -> None:
    header = [*CRITERIA[0], "applies_if", "per", "per_measure"]
    rows = [header, ["L1", "lead", "x", "rating", "no", None, "L9 >> 2", None, None],
            ["L3", "lead", "h", "number", "no", "..2=1; 2..=3", None, "-1", "L1"]]  # fmt: skip
    assert problems(workbook(criteria=rows)) == [
        'criteria!G2: "L9 >> 2": the value must be a number, yes or no',
        'criteria!H3: per must be a number greater than 0, e.g. 10 for per 10 pupils (got "-1")',
    ]
