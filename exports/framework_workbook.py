"""A framework written as an authoring workbook, so an LA can download one, edit it and load its variant."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from exports.cells import add_dropdown, workbook_bytes, write_table
from framework.conditions import format_conditions, format_measure
from framework.models import KINDS, Criterion, Domain, Framework, format_bands
from framework.workbook import CRITERION_COLUMNS, DOMAIN_COLUMNS, GLOSSARY_COLUMNS, KEY_HELP, SCALE_COLUMNS


def write_framework_workbook(framework: Framework) -> bytes:
    """The framework as an authoring workbook that ``read_framework_workbook`` reads back unchanged."""
    book = Workbook()
    book.remove(book.active)
    head = framework.model_dump(include=set(KEY_HELP))
    head["statutory_cap"] = framework.statutory_cap or ""
    head["compliance_gate"] = "yes" if framework.compliance_gate else "no"
    rows = [(key, head[key], meaning) for key, meaning in KEY_HELP.items()]
    write_table(book.create_sheet("framework"), ("key", "value", "meaning"), rows, widths={"value": 50}, wrap=["value"])
    levels = [(s.id, lv.points, lv.label, lv.descriptor) for s in framework.scales for lv in s.levels]
    write_table(book.create_sheet("scales"), SCALE_COLUMNS, levels, wrap=["descriptor"])
    domains = [_cells(d, DOMAIN_COLUMNS, domain_id=d.id) for d in framework.domains]
    write_table(book.create_sheet("domains"), DOMAIN_COLUMNS, domains, wrap=["description"])
    criteria = [
        _cells(
            c,
            CRITERION_COLUMNS,
            criterion_id=c.id,
            scale=c.scale or "",
            bands=format_bands(c.bands),
            statutory="yes" if c.statutory else "no",
            fact="yes" if c.fact else "no",
            applies_if=format_conditions(c.applies_if),
            per="" if c.per is None else _number(c.per),
            per_measure=format_measure(c.per_measure),
        )
        for c in framework.criteria
    ]
    sheet = book.create_sheet("criteria")
    write_table(sheet, CRITERION_COLUMNS, criteria, widths={"text": 60, "guidance": 40, "evidence": 40}, wrap=["text"])
    for column, options in (
        ("kind", f'"{",".join(KINDS)}"'),
        ("statutory", '"yes,no"'),
        ("domain_id", "domains!$A$2:$A$1000"),
    ):
        letter = get_column_letter(CRITERION_COLUMNS.index(column) + 1)
        add_dropdown(sheet, f"{letter}2:{letter}1000", options, f"Choose a {column} from the list")
    if framework.glossary:
        terms = [(t.term, t.meaning) for t in framework.glossary]
        write_table(book.create_sheet("glossary"), GLOSSARY_COLUMNS, terms, widths={"meaning": 80}, wrap=["meaning"])
    return workbook_bytes(book)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _cells(item: Domain | Criterion, columns: tuple[str, ...], **values: object) -> tuple[object, ...]:
    """One sheet row: ``item``'s attributes in ``columns`` order, lists joined, ``values`` where given."""
    values.setdefault("weight", _number(item.weight))
    values.setdefault("phases", ", ".join(item.phases))
    values.setdefault("requires", ", ".join(item.requires))
    return tuple(values[c] if c in values else getattr(item, c) for c in columns)
