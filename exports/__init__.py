"""Documents out and workbooks in: response templates, completed-workbook import, results and reports.

Every cell written to a spreadsheet or CSV goes through ``exports.cells.safe_cell``.
"""
