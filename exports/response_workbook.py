"""Response workbooks: a template to answer a review offline, and reading a completed one back.

The template lists the questions with everything needed to answer them (the levels written
out, guidance, pick-lists); reading follows ``docs/workbooks.md`` and takes
each answer's meaning from ``framework.responses.read_response``, so a workbook and the app
accept exactly the same answers. A workbook with any problem yields nothing but the problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import add_dropdown, safe_cell, workbook_bytes, write_table
from framework.library import builtin_frameworks
from framework.models import PHASE_LABELS, PHASES, Criterion, Framework, ReviewContext, applicable_criteria
from framework.problems import InvalidInput, Problem
from framework.responses import is_blank, read_response
from framework.xlsx_safety import (
    ShownPercent,
    Table,
    as_text,
    find_sheet,
    read_key_values,
    read_sheets,
    read_table,
    suggestion,
)

SHEETS = ("review", "responses")
REVIEWER_ROLES = ("self", "peer", "la")
REVIEW_KEYS = {
    "framework_id": "the framework these answers belong to; do not change",
    "framework_version": "the version of the framework the template was made from",
    "school_urn": "the school's unique reference number",
    "school_name": "",
    "phase": ", ".join(PHASES),
    "resourced_provision": "yes if the school has resourced provision (ARC/ARP), otherwise no",
    "reviewer_role": "self, peer or la",
    "reviewer_name": "",
    "review_date": "as a date, e.g. 2026-10-01",
    "downloaded_at": "when this workbook was downloaded from the app (UTC); do not change",
}
ANSWER_COLUMNS = ("criterion_id", "response", "evidence")
# Guide columns are read by people, never by the importer: their words, not the framework's field names.
GUIDE_COLUMNS = ("domain", "question", "type of answer", "statutory", "levels", "guidance", "evidence hint", "unit")
ANSWER_TYPES = {"rating": "Rating", "yes_no": "Yes or no", "number": "Number", "text": "Text"}
RESPONSE_COLUMNS = (*ANSWER_COLUMNS, *GUIDE_COLUMNS)
STATUTORY = "Statutory: must be met"
STATUTORY_FILL = PatternFill("solid", start_color="FCE4D6")
ANSWER_FILL = PatternFill("solid", start_color="FFF2CC")
NA = "N/A"


@dataclass(frozen=True, eq=False)
class ResponseSheet:
    """A completed response workbook, checked: one row per listed criterion, answers in canonical form."""

    framework: Framework
    context: ReviewContext
    meta: dict[str, str]  # the review sheet's keys, e.g. school_urn, reviewer_role, review_date
    responses: pd.DataFrame  # criterion_id, response ("" when blank), evidence, row (in the workbook)

    @property
    def downloaded_at(self) -> datetime | None:
        """When the app wrote this workbook (UTC), if it says; answers changed online since are kept."""
        return _moment(self.meta.get("downloaded_at", ""))


def _moment(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def builtin_framework_or_none(framework_id: str) -> Framework | None:
    return next((fw for fw in builtin_frameworks() if fw.id == framework_id), None)


# --- writing -------------------------------------------------------------------------------------


def write_response_template(
    framework: Framework,
    *,
    phase: str | None = None,
    resourced_provision: bool = False,
    meta: dict | None = None,
    answers: dict[str, tuple[str, str]] | None = None,
    context: ReviewContext | None = None,
) -> bytes:
    """A workbook to answer ``framework`` offline; with ``phase``, only the questions that apply are listed
    (with ``context``, also by the school's nursery classes and sixth form).

    ``meta`` fills other review keys (school_urn, school_name, reviewer_role, ...); ``answers``
    (criterion_id -> (response, evidence)) prefills a partly answered review.
    """
    if phase is not None and phase not in PHASES:
        raise InvalidInput([Problem("phase", f'phase must be one of {", ".join(PHASES)} (got "{phase}")')])
    if phase:
        criteria = applicable_criteria(framework, context or ReviewContext.of(phase, resourced_provision))
    else:
        criteria = list(framework.criteria)
    book = Workbook()
    book.remove(book.active)
    review = {key: "" for key in REVIEW_KEYS} | {k: as_text(v) for k, v in (meta or {}).items()}
    review |= {"framework_id": framework.id, "framework_version": framework.version}
    review |= {"phase": phase or review["phase"], "resourced_provision": "yes" if resourced_provision else "no"}
    _write_review_sheet(book.create_sheet("review"), review)
    _write_responses_sheet(book, framework, criteria, answers or {})
    return workbook_bytes(book)


def _write_review_sheet(ws: Worksheet, review: dict[str, str]) -> None:
    rows = [(key, value, REVIEW_KEYS.get(key, "")) for key, value in review.items()]
    write_table(ws, ("key", "value", "meaning"), rows, widths={"value": 40})
    keys = list(review)
    for key, options in (("phase", PHASES), ("resourced_provision", ("yes", "no")), ("reviewer_role", REVIEWER_ROLES)):
        add_dropdown(ws, f"B{keys.index(key) + 2}", f'"{",".join(options)}"', f"Choose one of {', '.join(options)}")


def _write_responses_sheet(
    book: Workbook, framework: Framework, criteria: Sequence[Criterion], answers: dict[str, tuple[str, str]]
) -> None:
    ws = book.create_sheet("responses")
    rows = []
    for crit in criteria:
        response, evidence = answers.get(crit.id, ("", ""))
        evidence = "" if is_blank(evidence) else evidence
        rows.append(
            (
                crit.id,
                _cell_answer(crit, response),
                evidence,
                framework.domains_by_id[crit.domain_id].title,
                crit.text,
                ANSWER_TYPES.get(crit.kind, crit.kind),
                STATUTORY if crit.statutory else "",
                _levels(framework, crit),
                crit.guidance,
                crit.evidence,
                crit.unit,
            )
        )
    widths = {"response": 18, "evidence": 40, "question": 60, "levels": 50, "guidance": 40, "evidence hint": 40}
    wrap = ("evidence", "question", "levels", "guidance", "evidence hint")
    write_table(ws, RESPONSE_COLUMNS, rows, widths=widths, wrap=wrap)
    _pick_lists(book, ws, framework, criteria)
    _mark_cells(ws, criteria)


def _cell_answer(crit: Criterion, response: object) -> object:
    """A number answer goes in as a number, so Excel does not flag it as text; a cleared answer (None,
    or NaN from a data frame) is a blank cell."""
    if is_blank(response):
        return ""
    text = as_text(response)
    if crit.kind == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            pass
    return text


def _levels(framework: Framework, crit: Criterion) -> str:
    """What each possible answer means, one per line, beside the question."""
    if crit.kind == "rating":
        lines = [
            f"{lv.label}: {lv.descriptor}" if lv.descriptor else lv.label for lv in framework.scale_of(crit).levels
        ]
    elif crit.kind == "yes_no":
        lines = ["yes", "no"]
    elif crit.kind == "number":
        unit = f" {crit.unit}" if crit.unit else ""
        default = framework.default_scale
        lines = [f"{_interval(b.low, b.high)}{unit}: {default.level(b.points).label}" for b in crit.bands]
    else:
        return "free text"
    return "\n".join(lines if crit.statutory else [*lines, f"{NA}: does not apply to this school"])


def _interval(low: float | None, high: float | None) -> str:
    if low is None:
        return f"under {high:g}"
    if high is None:
        return f"{low:g} or more"
    return f"{low:g} to under {high:g}"


def _pick_lists(book: Workbook, ws: Worksheet, framework: Framework, criteria: Sequence[Criterion]) -> None:
    """Response pick-lists (level labels, yes/no, N/A where allowed), kept on a hidden ``lists`` sheet."""
    options_by_row: dict[tuple[str, ...], list[int]] = {}
    for row, crit in enumerate(criteria, start=2):
        if crit.kind == "rating":
            options = tuple(lv.label for lv in framework.scale_of(crit).levels)
        elif crit.kind == "yes_no":
            options = ("yes", "no")
        else:
            continue
        options_by_row.setdefault(options if crit.statutory else (*options, NA), []).append(row)
    if not options_by_row:
        return
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    response = get_column_letter(RESPONSE_COLUMNS.index("response") + 1)
    for column, (options, rows) in enumerate(options_by_row.items(), start=1):
        for i, option in enumerate(options, start=1):
            lists.cell(row=i, column=column, value=safe_cell(option))
        letter = get_column_letter(column)
        cells = " ".join(f"{response}{row}" for row in rows)
        add_dropdown(ws, cells, f"lists!${letter}$1:${letter}${len(options)}", f"Choose one of {', '.join(options)}")


def _mark_cells(ws: Worksheet, criteria: Sequence[Criterion]) -> None:
    """Answer cells stand out and stay editable; the guide columns are protected (no password)."""
    for row, crit in enumerate(criteria, start=2):
        for column in ("response", "evidence"):
            cell = ws.cell(row=row, column=RESPONSE_COLUMNS.index(column) + 1)
            cell.protection = Protection(locked=False)
            cell.fill = STATUTORY_FILL if crit.statutory and column == "response" else ANSWER_FILL
        if crit.statutory:
            ws.cell(row=row, column=RESPONSE_COLUMNS.index("statutory") + 1).fill = STATUTORY_FILL
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # still allowed: resizing


# --- reading -------------------------------------------------------------------------------------


def read_response_workbook(
    data: bytes,
    *,
    framework: Framework | None = None,
    lookup: Callable[[str], Framework | None] = builtin_framework_or_none,
    source: str = "",
    expect: ReviewContext | None = None,
) -> ResponseSheet:
    """Check a completed response workbook; raises InvalidInput with every ``sheet!CELL`` problem.

    The framework is the one given, or found by ``lookup`` from the review sheet's framework_id.
    ``expect`` is the context of the review the answers are for: a workbook made for a school of
    another phase (or provision) would bring answers to questions this review does not ask.
    """
    sheets = read_sheets(data, source)
    problems: list[Problem] = []
    tables = {}
    for name, required in (("review", ("key", "value")), ("responses", ("criterion_id", "response"))):
        rows = find_sheet(sheets, name, source, problems, SHEETS)
        tables[name] = None if rows is None else read_table(name, rows, required, problems)
    meta, found, context = _review(tables["review"], framework, lookup, problems, expect)
    responses = _responses(tables["responses"], found, problems) if found and tables["responses"] else None
    if problems or found is None or context is None or responses is None:
        raise InvalidInput(problems)
    return ResponseSheet(found, context, meta, responses)


def _review(
    table: Table | None,
    given: Framework | None,
    lookup: Callable[[str], Framework | None],
    problems: list[Problem],
    expect: ReviewContext | None = None,
) -> tuple[dict[str, str], Framework | None, ReviewContext | None]:
    """The review sheet: its keys as text, the framework it names, and the school's context."""
    if table is None:
        return {}, None, None
    found = read_key_values(table, REVIEW_KEYS, problems)
    meta = {key: as_text(table.raw(cells, "value")) for key, (_, cells) in found.items()}

    def fail(key: str, message: str) -> None:
        place = table.place("value", found[key][0]) if key in found else "review"
        problems.append(Problem(place, message if key in found else f'no row with key "{key}"'))

    framework = None
    framework_id = meta.get("framework_id", "")
    if not framework_id:
        fail("framework_id", "framework_id is blank: it names the framework these answers belong to")
    elif given is not None and framework_id != given.id:
        fail("framework_id", f'framework_id "{framework_id}" differs from the framework given ("{given.id}")')
    elif given is not None:
        framework = given
    elif (framework := lookup(framework_id)) is None:
        fail("framework_id", f'no known framework has id "{framework_id}"')

    phase = _phase(meta.get("phase", ""))
    if phase is None:
        got = f' (got "{meta["phase"]}")' if meta.get("phase") else ""
        fail("phase", f"phase must be one of {', '.join(PHASES)}{got}")
    else:
        meta["phase"] = phase
    resourced = meta.get("resourced_provision", "").lower() or "no"
    if resourced not in ("yes", "no"):
        fail("resourced_provision", f'resourced_provision must be yes or no (got "{meta["resourced_provision"]}")')
    meta["resourced_provision"] = resourced
    role = meta.get("reviewer_role", "").lower()
    if role and role not in REVIEWER_ROLES:
        fail(
            "reviewer_role", f'reviewer_role must be one of {", ".join(REVIEWER_ROLES)} (got "{meta["reviewer_role"]}")'
        )
    if "reviewer_role" in meta:
        meta["reviewer_role"] = role
    if meta.get("downloaded_at") and _moment(meta["downloaded_at"]) is None:
        got = meta["downloaded_at"]
        fail("downloaded_at", f'downloaded_at is not a time the app wrote (got "{got}"); leave it as it was')
    if meta.get("review_date") and not _is_date(table.raw(found["review_date"][1], "value")):
        fail("review_date", f'review_date must be a date such as 2026-10-01 (got "{meta["review_date"]}")')
    context = ReviewContext.of(phase, resourced == "yes") if phase else None
    if expect is not None and context is not None:
        if context.phase != expect.phase:
            fail("phase", f'phase is "{phase}" but this review is for a {PHASE_LABELS[expect.phase].lower()} school')
        if ("resourced_provision" in context.flags) != ("resourced_provision" in expect.flags):
            want = "yes" if "resourced_provision" in expect.flags else "no"
            fail("resourced_provision", f'resourced_provision is "{resourced}" but this review says "{want}"')
        context = expect  # the review's other characteristics (nursery, sixth form, measures) stand
    return meta, framework, context


def _phase(text: str) -> str | None:
    """A phase by its id or its label, as people write either (``Post-16``, ``all through``)."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    labels = {label.lower().replace("-", "_").replace(" ", "_"): phase for phase, label in PHASE_LABELS.items()}
    return key if key in PHASES else labels.get(key)


def _is_date(raw: object) -> bool:
    if isinstance(raw, (date, datetime)):
        return True
    try:
        date.fromisoformat(as_text(raw))
    except ValueError:
        return False
    return True


def expected_range(criterion: Criterion) -> tuple[float | None, float | None]:
    """The numbers a number question's bands expect: from the lowest band's start to the highest band's
    end (open when a band is open), and at most 0 to 100 for a percentage."""
    lows = [b.low for b in criterion.bands]
    highs = [b.high for b in criterion.bands]
    low = None if not lows or None in lows else min(lows)
    high = None if not highs or None in highs else max(highs)
    if "%" in (criterion.unit or ""):
        low, high = max(low or 0.0, 0.0), min(high if high is not None else 100.0, 100.0)
    return low, high


def questioned_number(criterion: Criterion, value: float, *, percent_cell: bool = False) -> str | None:
    """Why a number answer looks like a mistake, or None: outside what the bands expect, or a fraction
    typed for a percentage (0.85 for 85%)."""
    unit = f" {criterion.unit}" if criterion.unit else ""
    low, high = expected_range(criterion)
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low:g} to {high:g}" if low is not None and high is not None else f"at least {low:g}"
        if low is None:
            span = f"at most {high:g}"
        return f"{value:g}{unit} is outside what this question expects ({span}{unit}); check the number"
    if "%" in unit and 0 < value < 1 and not percent_cell:
        return (
            f"{value:g}{unit} looks like a fraction; for {value * 100:g}% type {value * 100:g} "
            "(or format the cell as a percentage)"
        )
    return None


def _responses(table: Table, framework: Framework, problems: list[Problem]) -> pd.DataFrame:
    """One row per listed criterion with its answer in canonical form; blank criterion rows are skipped."""
    seen: dict[str, int] = {}
    rows = []
    for row, cells in table.rows:
        criterion_id = table.text(cells, "criterion_id")
        raw, evidence = table.raw(cells, "response"), table.text(cells, "evidence")
        if not criterion_id:
            if as_text(raw) or evidence:
                problems.append(Problem(table.place("criterion_id", row), "criterion_id is blank"))
            continue
        criterion = framework.criteria_by_id.get(criterion_id)
        if criterion is None:
            hint = suggestion(criterion_id, framework.criteria_by_id)
            message = f'framework "{framework.id}" has no criterion "{criterion_id}"{hint}'
            problems.append(Problem(table.place("criterion_id", row), message))
            continue
        if criterion_id in seen:
            message = f'criterion "{criterion_id}" is listed twice (first on row {seen[criterion_id]})'
            problems.append(Problem(table.place("criterion_id", row), message))
            continue
        seen[criterion_id] = row
        reading = read_response(framework, criterion, raw)
        if reading.error:
            problems.append(Problem(table.place("response", row), reading.error))
        elif criterion.kind == "number" and not reading.blank and not reading.not_applicable:
            doubt = questioned_number(criterion, float(reading.value), percent_cell=isinstance(raw, ShownPercent))
            if doubt:
                problems.append(Problem(table.place("response", row), doubt))
        rows.append((criterion_id, reading.value, evidence, row))
    return pd.DataFrame(rows, columns=["criterion_id", "response", "evidence", "row"])
