"""One call for the page and the CLI: the report of a review as Word or PDF bytes."""

from __future__ import annotations

from typing import Literal

from exports.report_content import ReportSource, build_report
from exports.report_docx import report_docx
from exports.report_pdf import report_pdf

ReportFormat = Literal["docx", "pdf"]
FORMATS: tuple[str, ...] = ("docx", "pdf")


def write_report(source: ReportSource, fmt: ReportFormat) -> bytes:
    content = build_report(source)
    return report_docx(content) if fmt == "docx" else report_pdf(content)
