"""The report as plain blocks (headings, paragraphs, tables, charts), which the Word and PDF writers render.

One content model, two renderers: whatever the report says, it says the same in both files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a section, 2: a part of one


@dataclass(frozen=True)
class Para:
    text: str
    style: Literal["body", "bullet", "note", "warning"] = "body"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


@dataclass(frozen=True)
class Chart:
    png: bytes = field(repr=False)
    sentence: str  # the chart in words, printed beside it and given as its alternative text


Block = Heading | Para | Table | Chart


@dataclass(frozen=True)
class ReportContent:
    title: str
    school: str
    marking: str  # "Fictional demo data" on every page of a demo school's report, else ""
    cover: tuple[tuple[str, str], ...]
    blocks: tuple[Block, ...]

    @property
    def header_text(self) -> str:
        return f"{self.school} · {self.marking}" if self.marking else self.school

    def text(self) -> str:
        """Everything the report says, for tests and for searching."""
        parts = [self.title, *(f"{k}: {v}" for k, v in self.cover)]
        for b in self.blocks:
            if isinstance(b, Heading | Para):
                parts.append(b.text)
            elif isinstance(b, Table):
                parts += [" | ".join(b.header), *(" | ".join(r) for r in b.rows)]
            else:
                parts.append(b.sentence)
        return "\n".join(parts)


def clean(text: object) -> str:
    """Text as typed, less the control characters a .docx or PDF cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))


LONG_CELL = 700  # characters: longer cell text is printed after its table, so a row never outgrows a page


def fit_tables(blocks: list[Block]) -> list[Block]:
    """Move very long cell text (a 10,000-character note) out of its table into numbered notes below it."""
    out: list[Block] = []
    for block in blocks:
        if not isinstance(block, Table):
            out.append(block)
            continue
        moved: list[Para] = []
        rows = []
        for row in block.rows:
            cells = []
            for cell in row:
                if len(cell) > LONG_CELL:
                    moved.append(Para(f"Note {len(moved) + 1}: {cell}", "note"))
                    cell = f"{cell[:200]}… (in full in note {len(moved)} below the table)"
                cells.append(cell)
            rows.append(tuple(cells))
        out.append(Table(block.header, tuple(rows), block.widths))
        out += moved
    return out
