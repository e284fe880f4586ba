"""The report as an editable Word file (python-docx): real headings, a table of contents field that Word
fills in on opening, page numbers, the school's name (and any demo marking) in every page's header,
tables with a repeated header row, and charts as pictures whose alternative text is their sentence."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable

from exports.report_model import Chart, Heading, Para, ReportContent, Table

WIDTH_CM = 16.0


def report_docx(content: ReportContent) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2.5)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = content.title
    doc.core_properties.author = "SEND Review"
    _header_footer(doc, content)
    _cover(doc, content)
    for block in content.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            _para(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Chart):
            _chart(doc, block)
    _update_fields_on_open(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _cover(doc, content: ReportContent) -> None:  # type: ignore[no-untyped-def]
    doc.add_paragraph(content.title, style="Title")
    if content.marking:
        p = doc.add_paragraph()
        run = p.add_run(f"{content.marking}: the school, its people and its answers are made up.")
        run.bold = True
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.cover:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    doc.add_heading("Contents", level=1)
    _field(
        doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "Right-click and choose Update Field to show the contents."
    )
    doc.add_page_break()


def _para(doc, block: Para) -> None:  # type: ignore[no-untyped-def]
    if block.style == "bullet":
        doc.add_paragraph(block.text, style="List Bullet")
        return
    p = doc.add_paragraph()
    run = p.add_run(block.text)
    if block.style == "warning":
        run.bold = True
    elif block.style == "note":
        run.italic = True
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _table(doc, block: Table) -> None:  # type: ignore[no-untyped-def]
    table: DocxTable = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    widths = block.widths or (1.0,) * len(block.header)
    cms = [Cm(WIDTH_CM * w / sum(widths)) for w in widths]
    for cell, text, width in zip(table.rows[0].cells, block.header, cms, strict=True):
        cell.text, cell.width = text, width
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(table.rows[0])
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, cms, strict=True):
            cell.text, cell.width = text, width
    doc.add_paragraph()


def _chart(doc, block: Chart) -> None:  # type: ignore[no-untyped-def]
    doc.add_picture(BytesIO(block.png), width=Cm(WIDTH_CM))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for prop in picture._p.iter(qn("wp:docPr")):
        prop.set("descr", block.sentence)
    p = doc.add_paragraph()
    run = p.add_run(block.sentence)
    run.italic = True


def _header_footer(doc, content: ReportContent) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.text = content.header_text
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if content.marking:
        head.runs[0].bold = True
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if content.marking:
        foot.add_run(f"{content.marking} · ")
    foot.add_run("Page ")
    _field(foot, "PAGE", "1")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES", "1")


def _field(paragraph, instruction: str, placeholder: str) -> None:  # type: ignore[no-untyped-def]
    """A Word field (page number, table of contents) that Word works out when it lays the document out."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)


def _update_fields_on_open(doc) -> None:  # type: ignore[no-untyped-def]
    """Ask Word to fill in the table of contents and page count when the file is opened."""
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    doc.settings.element.append(el)
