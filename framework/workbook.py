"""Framework authoring workbooks: an LA's Excel file in, every problem named by cell; and a framework out.

Read per ``docs/workbooks.md``: rows are read at the edge (``xlsx_safety``), each
cell is checked here so a problem names its sheet and cell, and only a workbook without problems
is built into the frozen ``Framework`` (whose own rules stay the final word). Writing is the
reverse, so an LA can download a built-in framework, edit it and load its variant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from framework.conditions import format_conditions, format_measure, parse_conditions, parse_measure
from framework.models import (
    KINDS,
    PHASES,
    SCHOOL_FLAGS,
    SLUG,
    Criterion,
    Framework,
    format_bands,
    parse_bands,
)
from framework.problems import InvalidInput, Problem, readable
from framework.responses import parse_number
from framework.xlsx_safety import Table, as_text, find_sheet, read_key_values, read_sheets, read_table, suggestion

SHEETS = ("framework", "scales", "domains", "criteria")
REQUIRED_COLUMNS = {
    "framework": ("key", "value"),
    "scales": ("scale_id", "points", "label"),
    "domains": ("domain_id", "title"),
    "criteria": ("criterion_id", "domain_id", "text", "kind"),
}
REQUIRED_KEYS = ("id", "title", "version", "scale")
KEY_HELP = {
    "id": "lower-case letters, digits and hyphens; unique among frameworks",
    "title": "shown to users",
    "version": "free text, e.g. 2026.1; a review records the version it was answered against",
    "scale": "scale_id of the default scale (sheet scales)",
    "description": "optional; shown on the start page",
    "min_completion": "0 to 1 (default 0.5): share of a domain's questions to answer before it gets a score",
    "statutory_cap": "optional level label: the highest band while a statutory item is answered no",
    "compliance_gate": "yes or no (default no): statutory items only cap a domain and add nothing to its percent",
}
SCALE_COLUMNS = ("scale_id", "points", "label", "descriptor")
DOMAIN_COLUMNS = ("domain_id", "title", "description", "weight", "phases", "requires")
CRITERION_COLUMNS = (
    "criterion_id", "domain_id", "text", "kind", "scale", "weight", "statutory", "bands",
    "unit", "guidance", "evidence", "source", "phases", "requires",
    "applies_if", "per", "per_measure", "per_label", "one_question_reason", "fact",
)  # fmt: skip
GLOSSARY_COLUMNS = ("term", "meaning")
FREE_TEXT = (
    "title", "description", "descriptor", "text", "unit", "guidance", "evidence", "source",
    "per_label", "one_question_reason", "term", "meaning",
)  # fmt: skip
Loc = tuple[str | int, ...]


def read_framework_workbook(data: bytes, source: str = "") -> Framework:
    """Build a Framework from an authoring workbook; raises InvalidInput with every ``sheet!CELL`` problem."""
    sheets = read_sheets(data, source)
    problems: list[Problem] = []
    tables: dict[str, Table | None] = {}
    for name in SHEETS:
        rows = find_sheet(sheets, name, source, problems, SHEETS)
        if rows is not None:
            tables[name] = read_table(name, rows, REQUIRED_COLUMNS[name], problems)
    reader = _Reader(problems)
    head = reader.head(tables.get("framework"))
    scales = reader.scales(tables.get("scales"))
    reader.check_head(head, scales)
    domains = reader.domains(tables.get("domains"))
    reader.criteria(tables.get("criteria"), domains, scales, head)
    glossary = reader.glossary(sheets.get("glossary"))  # optional sheet
    if not problems:
        return reader.build(head, scales, domains, glossary)
    raise InvalidInput(sorted(problems, key=_reading_order))


def _reading_order(problem: Problem) -> tuple[int, int, int]:
    """Sheets in the contract's order, then row, then column, as the author reads the workbook."""
    match = re.fullmatch(r"(\w+)(?:!([A-Z]+)(\d+))?", problem.place)
    if not match or match[1] not in SHEETS:
        return (-1, 0, 0)
    column = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(match[2] or "")))
    return (SHEETS.index(match[1]), int(match[3] or 0), column)


class _Cells:
    """One row of a table: reads cells by column name, recording a problem at the cell when one is wrong."""

    def __init__(self, table: Table, row: int, cells: list[object], problems: list[Problem]):
        self.table, self.row, self.cells, self.problems = table, row, cells, problems

    def place(self, column: str) -> str:
        return self.table.place(column, self.row)

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.place(column), message))

    def text(self, column: str) -> str:
        return self.table.text(self.cells, column, strip=column not in FREE_TEXT)

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, f"{column} is blank")
        return value

    def parse(
        self, column: str, parse: Callable[[object], object], default: object = None, required: bool = False
    ) -> object:
        """The cell parsed; ``default`` when blank or absent; None, with a problem, when invalid."""
        raw = self.table.raw(self.cells, column)
        if column not in self.table.columns or not as_text(raw):
            if required:
                self.fail(column, f"{column} is blank")
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None


def _got(raw: object) -> str:
    return f'(got "{as_text(raw)}")'


def _weight(raw: object) -> float:
    number = parse_number(raw)
    if number is None or number <= 0:
        raise ValueError(f"weight must be a number greater than 0 {_got(raw)}")
    return number


def _points(raw: object) -> int:
    number = parse_number(raw)
    if number is None or not number.is_integer():
        raise ValueError(f"points must be a whole number {_got(raw)}")
    return int(number)


def _share(raw: object) -> float:
    number = parse_number(raw)
    if number is None or not 0 <= number <= 1:
        raise ValueError(f"min_completion must be a number from 0 to 1, e.g. 0.5 {_got(raw)}")
    return number


def _yes_no(column: str) -> Callable[[object], bool]:
    def parse(raw: object) -> bool:
        answer = as_text(raw).lower()
        if answer not in ("yes", "no"):
            raise ValueError(f"{column} must be yes or no {_got(raw)}")
        return answer == "yes"

    return parse


def _kind(raw: object) -> str:
    kind = as_text(raw).lower()
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} {_got(raw)}")
    return kind


def _listed(column: str, allowed: tuple[str, ...]) -> Callable[[object], tuple[str, ...]]:
    """A comma list whose items must all be ``allowed`` (phases, requires)."""

    def parse(raw: object) -> tuple[str, ...]:
        items = tuple(p.strip().lower() for p in as_text(raw).split(",") if p.strip())
        wrong = [p for p in items if p not in allowed]
        if wrong:
            what = "a comma list from" if len(allowed) > 1 else "blank or"
            raise ValueError(f'{column} must be {what} {", ".join(allowed)} (got "{", ".join(wrong)}")')
        return items

    return parse


def _slug(raw: object) -> str:
    text = as_text(raw)
    if not SLUG.match(text):
        raise ValueError(
            f"id must be lower-case letters, digits and hyphens, starting with a letter or digit {_got(raw)}"
        )
    return text


def _bands(raw: object) -> str:
    """Bands as text once they parse and neither overlap nor are empty (the model's own rules)."""
    text = as_text(raw)
    bands = parse_bands(text)
    try:
        Criterion(id="-", domain_id="-", text="-", kind="number", bands=bands)
    except ValidationError as exc:
        raise ValueError(readable(exc.errors())[0]) from None
    return format_bands(bands)


def _conditions(raw: object) -> str:
    """``ehcp-count > 0; has-deputy = yes``, checked here so a typo names its cell."""
    return format_conditions(parse_conditions(as_text(raw)))


def _per(raw: object) -> float:
    number = parse_number(raw)
    if number is None or number <= 0:
        raise ValueError(f"per must be a number greater than 0, e.g. 10 for per 10 pupils {_got(raw)}")
    return number


HEAD_PARSERS: dict[str, Callable[[object], object]] = {
    "id": _slug,
    "min_completion": _share,
    "compliance_gate": _yes_no("compliance_gate"),
}


class _Reader:
    """Reads each sheet into plain dicts, recording problems and where each value came from."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.places: dict[Loc, str] = {(): "framework"}

    def head(self, table: Table | None) -> dict[str, object]:
        if table is None:
            return {}
        found = read_key_values(table, KEY_HELP, self.problems)
        head: dict[str, object] = {}
        for key, (row, raw_cells) in found.items():
            cells = _Cells(table, row, raw_cells, self.problems)
            self.places[(key,)] = cells.place("value")
            parse = HEAD_PARSERS.get(key)
            text = as_text(cells.table.raw(raw_cells, "value"), key not in FREE_TEXT)
            head[key] = cells.parse("value", parse, "") if parse else text  # None: invalid, already reported
        for key in REQUIRED_KEYS:
            if key not in found:
                self.problems.append(
                    Problem("framework", f'no row with key "{key}" (needed: {", ".join(REQUIRED_KEYS)})')
                )
            elif head[key] == "":
                self.problems.append(Problem(self.places[(key,)], f"{key} is blank"))
        return head

    def scales(self, table: Table | None) -> dict[str, list[dict]]:
        scales: dict[str, list[dict]] = {}
        if table is None:
            return scales
        first_row: dict[str, int] = {}
        for row, raw_cells in table.rows:
            cells = _Cells(table, row, raw_cells, self.problems)
            scale_id = cells.required("scale_id")
            points = cells.parse("points", _points, required=True)
            label = cells.required("label")
            if not scale_id:
                continue
            levels = scales.setdefault(scale_id, [])
            first_row.setdefault(scale_id, row)
            scale_index = list(scales).index(scale_id)
            self.places.setdefault(("scales", scale_index), cells.place("scale_id"))
            for column in SCALE_COLUMNS[1:]:
                if column in table.columns:
                    self.places[("scales", scale_index, "levels", len(levels), column)] = cells.place(column)
            for other in levels:
                if isinstance(points, int) and other["points"] == points:
                    cells.fail(
                        "points", f'points {points} are already used by "{other["label"]}" in scale "{scale_id}"'
                    )
                if label and other["label"].lower() == label.lower():
                    cells.fail("label", f'label "{label}" is already used in scale "{scale_id}" (row {other["row"]})')
            levels.append({"points": points, "label": label, "descriptor": cells.text("descriptor"), "row": row})
        for scale_id, levels in scales.items():
            if len(levels) < 2:
                place = table.place("scale_id", first_row[scale_id])
                self.problems.append(
                    Problem(place, f'scale "{scale_id}" has only one level; a scale needs at least two')
                )
        return scales

    def check_head(self, head: dict[str, object], scales: dict[str, list[dict]]) -> None:
        """The default scale and statutory_cap refer to the scales sheet."""
        scale = head.get("scale")
        if scale and scale not in scales:
            hint = suggestion(str(scale), scales)
            self.problems.append(Problem(self.places[("scale",)], f'no scale "{scale}" in the scales sheet{hint}'))
        cap = head.get("statutory_cap")
        if cap and scale in scales:
            levels = scales[str(scale)]
            if not any(str(cap).lower() in (lv["label"].lower(), str(lv["points"])) for lv in levels):
                labels = ", ".join(lv["label"] for lv in sorted(levels, key=lambda lv: lv["points"] or 0))
                message = f'statutory_cap must be a level of scale "{scale}": one of {labels} (got "{cap}")'
                self.problems.append(Problem(self.places[("statutory_cap",)], message))

    def domains(self, table: Table | None) -> dict[str, dict]:
        domains: dict[str, dict] = {}
        if table is None:
            return domains
        for row, raw_cells in table.rows:
            cells = _Cells(table, row, raw_cells, self.problems)
            domain_id = cells.required("domain_id")
            domain = {
                "id": domain_id,
                "title": cells.required("title"),
                "description": cells.text("description"),
                "weight": cells.parse("weight", _weight, 1.0),
                "phases": cells.parse("phases", _listed("phases", PHASES), ()),
                "requires": cells.parse("requires", _listed("requires", SCHOOL_FLAGS), ()),
                "criteria": [],
                "row": row,
            }
            if domain_id in domains:
                cells.fail(
                    "domain_id", f'domain "{domain_id}" is listed twice (first on row {domains[domain_id]["row"]})'
                )
            elif domain_id:
                self._remember(("domains", len(domains)), cells, DOMAIN_COLUMNS)
                domains[domain_id] = domain
        if not table.rows:
            self.problems.append(Problem("domains", "no domains are listed; a framework needs at least one"))
        return domains

    def criteria(
        self, table: Table | None, domains: dict[str, dict], scales: dict[str, list[dict]], head: dict
    ) -> None:
        if table is None:
            return
        seen: dict[str, int] = {}
        default_points = {lv["points"] for lv in scales.get(str(head.get("scale")), ())}
        for row, raw_cells in table.rows:
            cells = _Cells(table, row, raw_cells, self.problems)
            crit: dict[str, Any] = {
                "id": cells.required("criterion_id"),
                "domain_id": cells.required("domain_id"),
                "text": cells.required("text"),
                "kind": cells.parse("kind", _kind, required=True),
                "scale": cells.text("scale") or None,
                "weight": cells.parse("weight", _weight, 1.0),
                "statutory": cells.parse("statutory", _yes_no("statutory"), False),
                "bands": cells.parse("bands", _bands, ""),
                **{column: cells.text(column) for column in ("unit", "guidance", "evidence", "source")},
                "phases": cells.parse("phases", _listed("phases", PHASES), ()),
                "requires": cells.parse("requires", _listed("requires", SCHOOL_FLAGS), ()),
                "applies_if": cells.parse("applies_if", _conditions, ""),
                "per": cells.parse("per", _per, None),
                "fact": cells.parse("fact", _yes_no("fact"), False),
                "per_measure": format_measure(parse_measure(cells.text("per_measure"))),
                **{column: cells.text(column) for column in ("per_label", "one_question_reason")},
            }
            self._check_criterion(cells, crit, domains, scales, default_points)
            if crit["id"] and crit["id"] in seen:
                cells.fail(
                    "criterion_id", f'criterion "{crit["id"]}" is listed twice (first on row {seen[crit["id"]]})'
                )
                continue
            seen[crit["id"]] = row
            domain = domains.get(crit["domain_id"])
            if crit["id"] and domain is not None:
                self._remember(
                    ("domains", list(domains).index(crit["domain_id"]), "criteria", len(domain["criteria"])),
                    cells,
                    CRITERION_COLUMNS,
                )
                domain["criteria"].append(crit)

    def _check_criterion(self, cells: _Cells, crit: dict, domains: dict, scales: dict, default_points: set) -> None:
        """Rules that tie one cell to another cell or sheet: references, and what each kind allows."""
        kind, domain_id = crit["kind"], crit["domain_id"]
        if domain_id and domain_id not in domains and domains:
            cells.fail("domain_id", f'no domain "{domain_id}" in the domains sheet{suggestion(domain_id, domains)}')
        if crit["scale"] and kind is not None:
            if kind != "rating":
                cells.fail("scale", f"only a rating question takes a scale (this one is {kind})")
            elif crit["scale"] not in scales:
                cells.fail(
                    "scale", f'no scale "{crit["scale"]}" in the scales sheet{suggestion(crit["scale"], scales)}'
                )
        if crit["statutory"] and kind not in (None, "yes_no"):
            cells.fail("statutory", f"only a yes_no question may be statutory (this one is {kind})")
        if kind == "number" and crit["bands"] == "" and not crit["fact"]:
            where = "bands" if "bands" in cells.table.columns else "kind"
            cells.fail(where, "a number question needs bands, e.g. ..2=1; 2..5=2; 5..=3")
        elif kind not in (None, "number") and crit["bands"]:
            cells.fail("bands", f"bands are only for number questions (this one is {kind})")
        elif kind == "number" and crit["bands"] and default_points:
            wrong = sorted({b.points for b in parse_bands(crit["bands"])} - default_points)
            if wrong:
                points = ", ".join(str(p) for p in sorted(default_points))
                cells.fail(
                    "bands", f"band points {', '.join(map(str, wrong))} are not levels of the default scale ({points})"
                )

    def _remember(self, loc: Loc, cells: _Cells, columns: tuple[str, ...]) -> None:
        id_column = columns[0]
        self.places[loc] = cells.place(id_column)
        for column in columns:
            if column in cells.table.columns:
                self.places[(*loc, "id" if column == id_column else column)] = cells.place(column)

    def glossary(self, rows: list | None) -> list[dict]:
        """The optional ``glossary`` sheet: a term and its meaning per row."""
        if not rows:
            return []
        table = read_table("glossary", rows, GLOSSARY_COLUMNS, self.problems)
        terms: list[dict] = []
        for row, raw_cells in table.rows if table else ():
            assert table is not None  # rows come only from a table
            cells = _Cells(table, row, raw_cells, self.problems)
            self.places[("glossary", len(terms))] = cells.place("term")
            terms.append({"term": cells.required("term"), "meaning": cells.required("meaning")})
        return terms

    def build(
        self, head: dict, scales: dict[str, list[dict]], domains: dict[str, dict], glossary: Sequence[dict] = ()
    ) -> Framework:
        """The checked values as a Framework; anything only the model catches is mapped back to a cell."""
        data = {
            **{k: v for k, v in head.items() if k in KEY_HELP and v not in ("", None)},
            "scales": [
                {"id": sid, "levels": [{k: lv[k] for k in ("points", "label", "descriptor")} for lv in levels]}
                for sid, levels in scales.items()
            ],
            "domains": [{k: v for k, v in d.items() if k != "row"} for d in domains.values()],
            "glossary": list(glossary),
        }
        try:
            return Framework.model_validate(data)
        except ValidationError as exc:
            problems = [
                Problem(self._place(tuple(err.get("loc", ()))), message)
                for err, message in zip(exc.errors(), readable(exc.errors()), strict=True)
            ]
            raise InvalidInput(sorted(problems, key=_reading_order)) from None

    def _place(self, loc: Loc) -> str:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.places:
                return self.places[loc[:end]]
        return "framework"
