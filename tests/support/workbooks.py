"""Workbooks written inline by the tests: a plain sheet per table, through the app's own safe cell writer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl import Workbook

from exports.cells import workbook_bytes, write_table


def tables_workbook(tables: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """A plain workbook from ``{sheet: [header, row, ...]}``, e.g. ``{"framework": [["key", "value"], ...]}``."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in tables.items():
        header, *rows = table if table else [[]]
        write_table(wb.create_sheet(name), [str(h) for h in header], rows)
    return workbook_bytes(wb)
