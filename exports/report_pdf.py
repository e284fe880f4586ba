"""The report as a PDF (fpdf2) from the same content as the Word file.

The font is DejaVu Sans, shipped inside the pinned matplotlib package (which draws the charts), so a
fresh install has it without system fonts; Debian's fonts-dejavu-core is the fallback. Characters the
font lacks (most emoji) print as a white square instead of breaking the file; right-to-left and
joined scripts are shaped with HarfBuzz (uharfbuzz). Section bookmarks and a contents page help
readers find their way; every page carries the school's name, any demo marking and its page number.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from exports.report_model import Chart, Heading, Para, ReportContent, Table

FONT = "DejaVu"
MISSING = "\u25a1"  # a white square, in DejaVu Sans
PLACES = (Path(matplotlib.get_data_path()) / "fonts" / "ttf", Path("/usr/share/fonts/truetype/dejavu"))


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """The bundled font file; an error naming every place looked at if none has it."""
    for place in PLACES:
        if (place / name).is_file():
            return place / name
    raise FileNotFoundError(f"{name} is in none of: {', '.join(map(str, PLACES))}")


@cache
def _covered() -> frozenset[int]:
    return frozenset(TTFont(font_path(), lazy=True).getBestCmap())


def printable(text: str) -> str:
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n\t" else MISSING for ch in text)


def _complex(text: str) -> bool:
    """Scripts that need shaping or right-to-left ordering: Hebrew, Arabic, Indic and others from U+0590."""
    return any("\u0590" <= ch <= "\u1fff" or "\ufb1d" <= ch <= "\ufeff" for ch in text)


class _Report(FPDF):
    def __init__(self, content: ReportContent):
        super().__init__(format="A4")
        self.content = content
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FONT, "", font_path())
        self.add_font(FONT, "B", font_path("DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", font_path("DejaVuSans-Oblique.ttf"))
        self.shaping = False
        self.set_title(printable(content.title))
        self.set_author("SEND Review")
        self.set_lang("en-GB")

    def shape_for(self, *texts: str) -> None:
        """HarfBuzz shaping only where a text needs it (right-to-left or joined scripts): it is slow."""
        wanted = any(_complex(t) for t in texts)
        if wanted != self.shaping:
            try:
                self.set_text_shaping(wanted)
                self.shaping = wanted
            except Exception:
                self.shaping = False

    def header(self) -> None:
        self.set_font(FONT, "B" if self.content.marking else "", 8)
        self.set_text_color(80)
        self.cell(0, 5, printable(self.content.header_text), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        mark = f"{self.content.marking} · " if self.content.marking else ""
        self.cell(0, 5, f"{mark}Page {self.page_no()} of {{nb}}", align="C")


def report_pdf(content: ReportContent) -> bytes:
    pdf = _Report(content)
    pdf.add_page()
    _cover(pdf, content)
    for block in content.blocks:
        if isinstance(block, Heading):
            _heading(pdf, block)
        elif isinstance(block, Para):
            _para(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart):
            _chart(pdf, block)
    return bytes(pdf.output())


def _cover(pdf: _Report, content: ReportContent) -> None:
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 10, printable(content.title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    if content.marking:
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, f"{content.marking}: the school, its people and its answers are made up.", align="L")
        pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=(1, 2.6), text_align="LEFT", first_row_as_headings=False, line_height=6) as table:
        for label, value in content.cover:
            table.row((printable(label), printable(value)))
    pdf.add_page()
    pdf.insert_toc_placeholder(_contents, pages=1)


def _contents(pdf: FPDF, outline: list) -> None:
    pdf.set_font(FONT, "B", 14)
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for entry in outline:
        if entry.level > 0:
            continue
        link = pdf.add_link(page=entry.page_number)
        pdf.cell(150, 7, printable(entry.name), link=link)
        pdf.cell(0, 7, str(entry.page_number), align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: _Report, block: Heading) -> None:
    if block.level == 1 and pdf.get_y() > pdf.t_margin + 20:
        pdf.add_page()
    size = 16 if block.level == 1 else 12.5
    if pdf.will_page_break(size * 2):
        pdf.add_page()
    pdf.start_section(printable(block.text)[:200], level=block.level - 1)
    pdf.set_font(FONT, "B", size)
    pdf.shape_for(block.text)
    pdf.ln(2)
    pdf.multi_cell(0, size * 0.55, printable(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1.5)


def _para(pdf: _Report, block: Para) -> None:
    pdf.set_font(FONT, {"warning": "B", "note": "I"}.get(block.style, ""), 10)
    text = printable(block.text)
    if block.style == "bullet":
        pdf.set_x(pdf.l_margin + 4)
        pdf.cell(4, 5.2, "•")
        margin = pdf.l_margin
        pdf.set_left_margin(margin + 8)
        _flow(pdf, text, 5.2)
        pdf.set_left_margin(margin)
    else:
        _flow(pdf, text, 5.2)
    pdf.ln(1.2)


def _flow(pdf: _Report, text: str, height: float) -> None:
    """Running text, shaped only in the stretches that need it (shaping a 10,000-character note is slow)."""
    if not _complex(text):
        pdf.shape_for(text)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align="L")
        return
    runs: list[list[str]] = []
    for token in re.findall(r"\S+\s*|\s+", text):
        if runs and _complex(runs[-1][-1]) == _complex(token):
            runs[-1].append(token)
        else:
            runs.append([token])
    for run in runs:
        part = "".join(run)
        pdf.shape_for(part)
        pdf.write(height, part)
    pdf.ln(height)


def _table(pdf: _Report, block: Table) -> None:
    """Rows that need shaping (right-to-left or joined scripts) are drawn as their own stretch of the table:
    shaping is slow, so the rest of the table is drawn without it, seamlessly below the heading row."""
    pdf.set_font(FONT, "", 8.5)
    widths = block.widths or (1.0,) * len(block.header)
    rows = [tuple(printable(c) for c in row) for row in block.rows]
    runs: list[list[tuple[str, ...]]] = []
    for row in rows:
        if runs and _complex("".join(runs[-1][-1])) == _complex("".join(row)):
            runs[-1].append(row)
        else:
            runs.append([row])
    header = tuple(printable(h) for h in block.header)
    for i, run in enumerate(runs or [[]]):
        pdf.shape_for(*(header if i == 0 else ()), *(c for row in run for c in row))
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=4.6,
            cell_fill_color=245,
            cell_fill_mode=TableCellFillMode.ROWS,
            headings_style=FontFace(emphasis="BOLD", color=255, fill_color=(31, 78, 121)),
            first_row_as_headings=i == 0,
            repeat_headings=1,
        ) as table:
            if i == 0:
                table.row(header)
            for row in run:
                table.row(row)
    pdf.ln(3)


def _chart(pdf: _Report, block: Chart) -> None:
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(block.png)) as img:
        ratio = img.height / img.width
    width = pdf.epw * 0.92
    if pdf.will_page_break(width * ratio + 20):
        pdf.add_page()
    pdf.image(BytesIO(block.png), w=width, alt_text=block.sentence)
    pdf.set_font(FONT, "I", 9)
    pdf.multi_cell(0, 4.8, printable(block.sentence), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
