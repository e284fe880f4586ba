"""The one place that decides how a value is written to a spreadsheet or CSV cell, and how it reads back.

Text that starts like a formula would be run by Excel (or by openpyxl, which writes any string
beginning with ``=`` as a live formula), so every exporter passes each cell through ``safe_cell``;
importers (framework/xlsx_safety.py) undo it with ``restore_cell`` so what we wrote reads back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from framework.xlsx_safety import ESCAPE, FORMULA_PREFIXES

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH = 10, 60


def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading quote; numbers and other values pass.

    Control characters that XML cannot hold (pasted from other systems) are dropped rather than
    letting the whole export fail.

    >>> safe_cell("=HYPERLINK(...)"), safe_cell(-3)
    ("'=HYPERLINK(...)", -3)
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return ESCAPE + value if value.startswith(FORMULA_PREFIXES) else value


def write_table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: Mapping[str, int] | None = None,
    wrap: Iterable[str] = (),
) -> None:
    """Write a header row (styled, frozen) and data rows, every cell sanitised; size the columns.

    Columns get the width given in ``widths`` or one fitted to their longest line, within bounds;
    columns named in ``wrap`` wrap their text so long descriptors stay readable.
    """
    ws.append([safe_cell(h) for h in header])
    for cell in ws[1] if header else ():
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.freeze_panes = "A2"
    longest = [len(h) for h in header]
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        for i, value in enumerate(row[: len(header)]):
            line = max((len(part) for part in str(value).splitlines()), default=0) if value is not None else 0
            longest[i] = max(longest[i], line)
    wrap = set(wrap)
    for i, name in enumerate(header, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = (widths or {}).get(name) or min(
            max(longest[i - 1] + 2, MIN_WIDTH), MAX_WIDTH
        )
        if name in wrap:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = WRAP


def add_dropdown(ws: Worksheet, cells: str, options: str, error: str, *, strict: bool = True) -> DataValidation:
    """A pick-list on ``cells`` (``"D2:D1000 F4"``); ``options`` is ``'"a,b"'`` or a range, ``lists!$A$1:$A$4``.

    ``strict`` refuses anything typed that is not on the list, with ``error`` as the explanation.
    """
    validation = DataValidation(type="list", formula1=options, allow_blank=True, showErrorMessage=strict)
    validation.error, validation.errorTitle = error, "Not on the list"
    ws.add_data_validation(validation)
    for ref in cells.split():
        validation.add(ref)
    return validation


def workbook_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so Excel reads it right), every cell through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
