"""Opening a workbook someone uploaded, and turning its sheets into plain located rows and tables.

An upload may be anything: a CSV renamed ``.xlsx``, a damaged file, a zip bomb, or a sheet with a
million blank rows. The zip container is checked before openpyxl parses a byte (defusedxml guards
the XML), and each sheet is streamed, stopping at a long run of empty rows, so a hostile file is
refused within seconds and in bounded memory. Everything after this module works on plain
rows that keep their real row numbers, so every problem can name its cell.
"""

from __future__ import annotations

import difflib
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from io import BytesIO
from typing import NoReturn

import defusedxml.ElementTree as DefusedET
import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

from framework.problems import InvalidInput, Problem
from framework.responses import is_blank

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED = 50 * MB
MAX_RATIO = 100  # real workbooks compress about 5-20 to 1; a zip bomb compresses about 1000 to 1
RATIO_FLOOR = 1 * MB  # parts smaller than this cannot hurt, whatever their ratio
MAX_ROWS = 10_000
MAX_COLUMNS = 100
EMPTY_RUN = 200  # as pyxform: more empty rows than this in a row end the sheet
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Row = tuple[int, list[object]]  # (row number as Excel shows it, cell values from column A)
Sheets = dict[str, list[Row]]  # sheet name, lower-cased -> its non-blank rows

# what exports/cells.safe_cell escapes, and how; undone on reading
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def restore_cell(value: object) -> object:
    """Undo ``safe_cell`` on text read back from a workbook we (or someone) wrote."""
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class ShownPercent(float):
    """A number cell formatted as a percentage, read as the percentage it shows: Excel stores 85% as
    0.85, and the person who typed it meant 85."""


def _percent_styles(book: object) -> frozenset[int]:
    """The cell styles whose number format shows a percentage (``0%``, ``0.0%``, custom ones)."""
    custom = list(getattr(book, "_number_formats", []))
    found = set()
    for index, style in enumerate(getattr(book, "_cell_styles", [])):
        fmt = style.numFmtId
        text = BUILTIN_FORMATS.get(fmt, "") if fmt < BUILTIN_FORMATS_MAX_SIZE else ""
        if fmt >= BUILTIN_FORMATS_MAX_SIZE and fmt - BUILTIN_FORMATS_MAX_SIZE < len(custom):
            text = custom[fmt - BUILTIN_FORMATS_MAX_SIZE]
        if "%" in str(text):
            found.add(index)
    return frozenset(found)


def read_sheets(data: bytes, source: str = "") -> Sheets:
    """Every sheet of an untrusted ``.xlsx`` as non-blank rows; raises InvalidInput naming ``source``.

    >>> read_sheets(Path("framework.xlsx").read_bytes(), "framework.xlsx")["framework"][0]
    (1, ['key', 'value'])
    """
    place = source or "workbook"
    check_container(data, place)
    if not openpyxl.DEFUSEDXML:  # a deployment fault, not the user's: never parse uploads without it
        raise RuntimeError("openpyxl is not using defusedxml; install defusedxml before reading uploaded workbooks")
    check_xml_parts(data, place)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it drops; none matter for reading values
        try:
            return _all_rows(data, place)
        except InvalidInput:
            raise
        except Exception as exc:  # openpyxl raises many kinds of error on a malformed part
            raise InvalidInput([Problem(place, f"could not be read as an Excel workbook ({_reason(exc)})")]) from None


def check_container(data: bytes, place: str) -> None:
    """Refuse what is not an ``.xlsx`` zip, or would expand beyond what a review workbook ever needs."""

    def refuse(message: str) -> NoReturn:
        raise InvalidInput([Problem(place, message)])

    save_as = "open it in Excel and save it as an Excel Workbook (.xlsx)"
    if not data:
        refuse("the file is empty")
    if len(data) > MAX_BYTES:
        refuse(f"the file is larger than {MAX_BYTES // MB} MB; a framework or review workbook is far smaller")
    if data.startswith(OLE_MAGIC):
        refuse(f"this is an old .xls workbook or a password-protected one; {save_as} without a password")
    if not zipfile.is_zipfile(BytesIO(data)):
        if data.startswith(b"PK"):
            kind = "the file is damaged or incomplete"
        elif _looks_like_text(data):
            kind = "it looks like a CSV or text file"
        else:
            kind = "the file is not a workbook"
        refuse(f"not an Excel workbook (.xlsx): {kind}; {save_as}")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        refuse(f"not an Excel workbook (.xlsx): the file is damaged ({_reason(exc)}); {save_as}")
    if len(parts) > MAX_ENTRIES:
        refuse(f"the workbook has {len(parts)} parts (at most {MAX_ENTRIES}); it is damaged or not a real workbook")
    total = sum(p.file_size for p in parts)
    if total > MAX_UNCOMPRESSED:
        refuse(
            f"the workbook would expand to {total // MB} MB when opened (at most {MAX_UNCOMPRESSED // MB} MB); "
            "it is damaged or deliberately oversized"
        )
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            refuse(
                f'part "{part.filename}" expands {part.file_size // max(part.compress_size, 1)} times when opened, '
                "which no real workbook does (a zip bomb?)"
            )
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or not any(n.endswith(".xml") and n.startswith("xl/") for n in names):
        refuse(f"not an Excel workbook (.xlsx): the file is a zip archive of something else; {save_as}")


def check_xml_parts(data: bytes, place: str) -> None:
    """Refuse a DTD or entity declaration in any XML part (workbook.xml, relationships, styles, sheets...).

    openpyxl parses some parts (``workbook.xml`` among them) with lxml when it is installed, which
    accepts a DOCTYPE and expands internal entities. A DTD can only come before the root element, so
    each part is read through defusedxml up to its first element: a few bytes per part, however big.
    """
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for part in archive.infolist():
            if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(part) as stream:
                    for _ in DefusedET.iterparse(stream, events=("start",), forbid_dtd=True, forbid_entities=True):
                        break  # the root element: past the only place a DTD may be
            except Exception as exc:  # a DTD or entity (see _reason), or a damaged part openpyxl would fail on
                problem = Problem(place, f"could not be read as an Excel workbook ({_reason(exc)})")
                raise InvalidInput([problem]) from None


def _looks_like_text(data: bytes) -> bool:
    head = data[:2048]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # only a character cut off at the end
    return True


def _reason(exc: BaseException) -> str:
    """The first line of the innermost error: openpyxl wraps the parser's, which says what is wrong."""
    while (inner := exc.__cause__ or exc.__context__) is not None:
        exc = inner
    if isinstance(exc, DefusedXmlException):
        return "it contains XML entity or DTD declarations, which are refused for safety"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _all_rows(data: bytes, place: str) -> Sheets:
    """openpyxl's read-only loading, minus its sizing pass: that parses a whole sheet before one row is
    read when the sheet does not state its size, so each sheet is streamed from its part instead."""
    reader = ExcelReader(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # tells which number cells are dates
        sheets: Sheets = {}
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue
            name = sheet.name.strip().lower()
            if name in sheets:
                raise InvalidInput(
                    [Problem(place, f'two sheets are named "{name}" (apart from letter case); keep one')]
                )
            with reader.archive.open(rel.target) as source:
                parser = WorkSheetParser(
                    source,
                    reader.shared_strings,
                    data_only=True,
                    epoch=reader.wb.epoch,
                    date_formats=reader.wb._date_formats,
                    timedelta_formats=reader.wb._timedelta_formats,
                )
                sheets[name] = _sheet_rows(parser, sheet.name, place, _percent_styles(reader.wb))
        return sheets
    finally:
        reader.archive.close()


def _sheet_rows(parser: WorkSheetParser, title: str, place: str, percent: frozenset[int] = frozenset()) -> list[Row]:
    rows: list[Row] = []
    last = 0  # the last non-blank row
    for number, cells in parser.parse():
        if number - last > EMPTY_RUN:
            break
        values = {
            c["column"]: _shown(c, percent) for c in cells if c["column"] <= MAX_COLUMNS and not is_blank(c["value"])
        }
        if not values:
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(
                [Problem(place, f'sheet "{title}" has more than {MAX_ROWS:,} rows; a review workbook is far smaller')]
            )
        last = number
        rows.append((number, [values.get(column) for column in range(1, max(values) + 1)]))
    return rows


def _shown(cell: dict, percent: frozenset[int]) -> object:
    value = cell["value"]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and cell.get("style_id") in percent:
        return ShownPercent(round(value * 100, 9))
    return value


def as_text(value: object, strip: bool = True) -> str:
    """A cell value as the text its author meant: ``3.0`` -> ``"3"``, a date -> ISO, blank -> ``""``.

    Free text keeps its own spacing (``strip=False``) so a framework survives a round trip exactly.
    """
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() if strip else str(value)


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean "critera"?)`` when a candidate is close to ``name``, else ``""``."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


@dataclass(frozen=True)
class Table:
    """A sheet whose first non-blank row names its columns; cells are found by column name."""

    sheet: str
    columns: dict[str, int]  # column name, lower-cased -> 0-based index
    rows: list[Row]  # the rows below the header

    def raw(self, cells: list[object], column: str) -> object:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return None
        return restore_cell(cells[index])

    def text(self, cells: list[object], column: str, strip: bool = True) -> str:
        return as_text(self.raw(cells, column), strip)

    def place(self, column: str, row: int) -> str:
        return f"{self.sheet}!{get_column_letter(self.columns[column] + 1)}{row}"


def find_sheet(
    sheets: Sheets, name: str, source: str, problems: list[Problem], known: Iterable[str]
) -> list[Row] | None:
    """The rows of sheet ``name``, or None with a problem that suggests a close, unclaimed sheet name."""
    if name in sheets:
        return sheets[name]
    unclaimed = [s for s in sheets if s not in set(known)]
    problems.append(Problem(source or "workbook", f'no sheet "{name}"{suggestion(name, unclaimed)}'))
    return None


def read_table(sheet: str, rows: list[Row], required: tuple[str, ...], problems: list[Problem]) -> Table | None:
    """The sheet as a Table, or None with a problem for each required column that is missing."""
    if not rows:
        problems.append(
            Problem(sheet, f"the sheet is empty: its first row should name the columns {', '.join(required)}")
        )
        return None
    (header_row, header), *body = rows
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        name = as_text(value).lower()
        if not name:
            continue
        if name in columns:
            first = f"{get_column_letter(columns[name] + 1)}{header_row}"
            problems.append(
                Problem(
                    f"{sheet}!{get_column_letter(index + 1)}{header_row}",
                    f'column "{name}" appears twice (first in {first})',
                )
            )
            continue
        columns[name] = index
    missing = [c for c in required if c not in columns]
    for column in missing:
        hint = suggestion(column, [c for c in columns if c not in required])
        problems.append(Problem(sheet, f'no column "{column}" in the header row (row {header_row}){hint}'))
    return None if missing else Table(sheet, columns, body)


def read_key_values(table: Table, known: Iterable[str], problems: list[Problem]) -> dict[str, Row]:
    """A ``key``/``value`` sheet as ``{key: (row, cells)}``.

    A key given twice is a problem, and so is an unknown key close to a known one (a typo would
    otherwise be silently ignored); other extra rows are left alone, like extra columns.
    """
    known = list(known)
    found: dict[str, Row] = {}
    for row, cells in table.rows:
        key = table.text(cells, "key").lower()
        if not key:
            continue
        if key not in known and (hint := suggestion(key, known)):
            problems.append(Problem(table.place("key", row), f'unknown key "{key}"{hint}'))
            continue
        if key in found:
            problems.append(Problem(table.place("key", row), f'"{key}" is given twice (first on row {found[key][0]})'))
            continue
        found[key] = (row, cells)
    return found
