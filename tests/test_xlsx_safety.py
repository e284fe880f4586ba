"""Uploaded workbooks: hostile or broken files are refused with a plain reason, quickly; good ones read as rows."""

from __future__ import annotations

import time
import zipfile
from io import BytesIO

import openpyxl
import pytest

from exports.cells import safe_cell
from framework.problems import InvalidInput
from framework.xlsx_safety import MAX_ROWS, read_sheets, restore_cell
from tests.support.workbooks import tables_workbook

SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_START = f'<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def hand_made_xlsx(sheet_xml: str | bytes, extra: dict[str, bytes] | None = None, names: tuple[str, ...] = ()) -> bytes:
    """A workbook written part by part, so a test can put anything in a sheet's XML.

    Every sheet gets ``sheet_xml``; ``names`` are the sheet names (default: one sheet, "Framework").
    """
    names = names or ("Framework",)
    numbers = range(1, len(names) + 1)
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>' for i in numbers)
    sheets = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" Type="{DOC_RELS}/worksheet"/>' for i in numbers
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>{types}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{DOC_RELS}/officeDocument"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{sheets}</sheets></workbook>'
        )
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">{rels}</Relationships>')
        for i in numbers:
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def text_row(number: int, *values: str) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


def refusal(data: bytes) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_sheets(data, "upload.xlsx")
    return [str(p) for p in caught.value.problems]


def test_rows_keep_their_numbers_and_blank_rows_are_skipped() -> None:
    data = tables_workbook({"Criteria": [["criterion_id", "text"], [], ["L1", "Leaders know"], [None, "  "], ["L2"]]})
    assert read_sheets(data) == {"criteria": [(1, ["criterion_id", "text"]), (3, ["L1", "Leaders know"]), (5, ["L2"])]}


def test_a_hand_made_workbook_reads_like_one_from_excel() -> None:
    sheet = SHEET_START + text_row(1, "key", "value") + text_row(2, "id", "demo") + SHEET_END
    assert read_sheets(hand_made_xlsx(sheet)) == {"framework": [(1, ["key", "value"]), (2, ["id", "demo"])]}


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"") == ["upload.xlsx: the file is empty"]


def test_a_csv_renamed_xlsx_is_refused_with_advice() -> None:
    assert refusal(b"criterion_id,response\nL1,yes\n") == [
        "upload.xlsx: not an Excel workbook (.xlsx): it looks like a CSV or text file; "
        "open it in Excel and save it as an Excel Workbook (.xlsx)"
    ]


def test_random_bytes_are_not_a_workbook() -> None:
    assert refusal(bytes(range(256)) * 4) == [
        "upload.xlsx: not an Excel workbook (.xlsx): the file is not a workbook; "
        "open it in Excel and save it as an Excel Workbook (.xlsx)"
    ]


def test_an_old_xls_file_is_refused_with_advice() -> None:
    assert refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == [
        "upload.xlsx: this is an old .xls workbook or a password-protected one; "
        "open it in Excel and save it as an Excel Workbook (.xlsx) without a password"
    ]


def test_a_zip_of_something_else_is_refused() -> None:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office/>")
    assert refusal(out.getvalue()) == [
        "upload.xlsx: not an Excel workbook (.xlsx): the file is a zip archive of something else; "
        "open it in Excel and save it as an Excel Workbook (.xlsx)"
    ]


def test_a_damaged_workbook_is_refused_without_a_traceback() -> None:
    assert refusal(hand_made_xlsx("<worksheet><sheetData><row")) == [
        "upload.xlsx: could not be read as an Excel workbook (unclosed token: line 1, column 22)"
    ]


def test_a_file_over_10_mb_is_refused_before_anything_else() -> None:
    assert refusal(b"PK" + bytes(10 * 1024 * 1024)) == [
        "upload.xlsx: the file is larger than 10 MB; a framework or review workbook is far smaller"
    ]


def test_a_zip_bomb_is_refused_within_seconds() -> None:
    bomb = {"xl/worksheets/sheet2.xml": bytes(40 * 1024 * 1024)}  # 40 MB of zeros packs into about 40 KB
    data = hand_made_xlsx(SHEET_START + SHEET_END, bomb)
    part = zipfile.ZipFile(BytesIO(data)).getinfo("xl/worksheets/sheet2.xml")
    started = time.perf_counter()
    assert refusal(data) == [
        f'upload.xlsx: part "xl/worksheets/sheet2.xml" expands {part.file_size // part.compress_size} times '
        "when opened, which no real workbook does (a zip bomb?)"
    ]
    assert time.perf_counter() - started < 2


def test_a_workbook_that_expands_beyond_50_mb_in_total_is_refused() -> None:
    parts = {f"xl/media/image{i}.xml": bytes(1024 * 1024) for i in range(60)}  # each small enough on its own
    assert refusal(hand_made_xlsx(SHEET_START + SHEET_END, parts)) == [
        "upload.xlsx: the workbook would expand to 60 MB when opened (at most 50 MB); "
        "it is damaged or deliberately oversized"
    ]


def test_a_workbook_with_thousands_of_parts_is_refused() -> None:
    parts = {f"xl/junk/{i}.xml": b"" for i in range(1000)}
    assert refusal(hand_made_xlsx(SHEET_START + SHEET_END, parts)) == [
        "upload.xlsx: the workbook has 1005 parts (at most 1000); it is damaged or not a real workbook"
    ]


def test_xml_entities_are_refused_because_openpyxl_parses_with_defusedxml() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        + SHEET_START
        + '<row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        + SHEET_END
    )
    assert openpyxl.DEFUSEDXML is True
    assert refusal(hand_made_xlsx(laughs)) == [
        "upload.xlsx: could not be read as an Excel workbook "
        "(it contains XML entity or DTD declarations, which are refused for safety)"
    ]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"])
def test_a_doctype_or_entity_in_any_part_is_refused_not_only_in_sheets(part: str) -> None:
    """openpyxl reads workbook.xml with lxml, which took a DOCTYPE and expanded its entities (issue #10)."""
    with zipfile.ZipFile(BytesIO(hand_made_xlsx(SHEET_START + text_row(1, "key") + SHEET_END))) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    text = parts[part].decode()
    head = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY name "Sheet">]>'
    parts[part] = (head + text.replace('name="Framework"', 'name="&name;"')).encode()
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert refusal(out.getvalue()) == [
        "upload.xlsx: could not be read as an Excel workbook "
        "(it contains XML entity or DTD declarations, which are refused for safety)"
    ]


def test_a_million_blank_rows_stop_the_sheet_quickly() -> None:
    blank = "".join(f'<row r="{n}"/>' for n in range(2, 1_000_002))
    sheet = SHEET_START + text_row(1, "key", "value") + blank + text_row(1_000_002, "id", "hidden") + SHEET_END
    data = hand_made_xlsx(sheet)
    started = time.perf_counter()
    sheets = read_sheets(data, "upload.xlsx")
    assert time.perf_counter() - started < 1  # reading takes about 10 ms; a pass over the whole sheet, seconds
    assert sheets == {"framework": [(1, ["key", "value"])]}


def test_a_sheet_whose_data_starts_after_a_long_gap_is_still_read_up_to_200_blank_rows() -> None:
    sheet = SHEET_START + text_row(1, "key") + text_row(200, "id") + text_row(401, "lost") + SHEET_END
    assert read_sheets(hand_made_xlsx(sheet)) == {"framework": [(1, ["key"]), (200, ["id"])]}


def test_a_sheet_with_more_rows_than_any_review_needs_is_refused() -> None:
    rows = "".join(text_row(n, f"r{n}") for n in range(1, MAX_ROWS + 2))
    assert refusal(hand_made_xlsx(SHEET_START + rows + SHEET_END)) == [
        'upload.xlsx: sheet "Framework" has more than 10,000 rows; a review workbook is far smaller'
    ]


def test_sheet_names_that_differ_only_in_case_are_refused() -> None:
    assert refusal(hand_made_xlsx(SHEET_START + SHEET_END, names=("Criteria", "criteria "))) == [
        'upload.xlsx: two sheets are named "criteria" (apart from letter case); keep one'
    ]


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_text_a_spreadsheet_would_run_is_written_as_text_and_reads_back_unchanged(text: str) -> None:
    data = tables_workbook({"notes": [["note"], [text]]})
    cell = openpyxl.load_workbook(BytesIO(data))["notes"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + text
    assert read_sheets(data)["notes"][1][1] == ["'" + text]
    assert restore_cell(cell.value) == text


def test_numbers_and_ordinary_text_pass_the_sanitiser_unchanged() -> None:
    assert [safe_cell(v) for v in (-3, 2.5, "Emerging", "a-b", None)] == [-3, 2.5, "Emerging", "a-b", None]
    assert restore_cell("'plain") == "'plain"
    assert safe_cell("bad\x0bchar") == "badchar"
