"""Tables for the LA overview page, built from ``data.overview.Overview`` (pure: tests call them directly).

A heat-map cell says its band in words with its position on the scale ("3 · Established"), so the
table sorts in band order and colour is never the only signal; a band capped by an unmet statutory
duty says "(limited)". Colours are light fills behind dark text (contrast above 7:1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import pandas as pd

from data.overview import Overview, SchoolRow
from scoring.bands import DUTIES_ONLY
from scoring.flags import CODES

NO_RESULT = ""
INSUFFICIENT = "Insufficient evidence"
FILLS = ("#f6c9c9", "#fbe0b8", "#d8ecd0", "#a9d8a0", "#c9dcf2", "#e4d4f4")  # lowest band first
GREY = "#eeeeee"
STICKY = "position: sticky; top: 0; background: #ffffff; z-index: 1"  # the header stays while the map scrolls
CELL = "text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; overflow-wrap: anywhere"  # wraps, never cut
CHANGE_MARKS = {"improved": "↑ improved", "same": "= same", "declined": "↓ declined"}


@dataclass(frozen=True)
class Filters:
    phases: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    resourced: str = "any"  # any | yes | no
    groups: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()  # a school shows if any domain is in one of these bands

    def keep(self, s: SchoolRow) -> bool:
        if self.phases and s.phase not in self.phases:
            return False
        if self.types and s.type not in self.types:
            return False
        if self.resourced != "any" and s.resourced_provision != (self.resourced == "yes"):
            return False
        if self.groups and not set(self.groups) & set(s.groups):
            return False
        return not self.bands or any(c.band in self.bands for c in s.cells)


def chosen(o: Overview, f: Filters) -> list[SchoolRow]:
    return [s for s in o.schools if f.keep(s)]


def cell_text(o: Overview, s: SchoolRow, domain_id: str) -> str:
    """ "3 · Established", "1 · Emerging (limited)", "Insufficient evidence", or blank without a result."""
    return row_texts(o, s).get(domain_id, NO_RESULT)


def row_texts(o: Overview, s: SchoolRow) -> dict[str, str]:
    """Every cell of a school's row in words (``cell_text``), by domain, worked out once for the row."""
    return {c.domain_id: _cell_words(o, c.band, c.limited) for c in s.cells}


def _cell_words(o: Overview, band: str, limited: bool) -> str:
    if band == DUTIES_ONLY:  # statutory items alone, under compliance_gate: no level to show
        return DUTIES_ONLY
    if band not in o.bands:
        return INSUFFICIENT
    return f"{o.bands.index(band) + 1} · {band}" + (" (limited)" if limited else "")


def results_link(s: SchoolRow) -> str | None:
    """The results page of the school's submitted self-review; the name rides along for the link's text."""
    if s.review_id is None:
        return None
    return f"results?review={s.review_id}&school={quote(s.name)}"


def name_html(s: SchoolRow) -> str:
    """The school's name, escaped, as a link to its results where it has a submitted self-review."""
    link = results_link(s)
    return f'<a href="{escape(link)}" target="_self">{escape(s.name)}</a>' if link else escape(s.name)


def heat_map(o: Overview, rows: Sequence[SchoolRow]) -> pd.DataFrame:
    titles = dict(o.domains)
    texts = [row_texts(o, s) for s in rows]
    return pd.DataFrame(
        {
            "School": [results_link(s) or s.name for s in rows],
            "URN": [s.urn for s in rows],
            "Phase": [s.phase for s in rows],
            "Stage": [s.progress.words() for s in rows],
            **{titles[d]: [t.get(d, NO_RESULT) for t in texts] for d, _ in o.domains},
            "Flags": [len(s.flags) for s in rows],
        }
    )


def fill(o: Overview, text: object) -> str:
    """The CSS for one heat-map cell, from its words."""
    if not isinstance(text, str) or not text:
        return ""
    for i, band in enumerate(o.bands):
        if f"· {band}" in text:
            return f"background-color: {FILLS[i % len(FILLS)]}; color: #111111"
    return f"background-color: {GREY}; color: #111111" if text in (INSUFFICIENT, DUTIES_ONLY) else ""


SORTS = ("School", "URN", "Phase", "Stage", "Flags")


def sort_rows(o: Overview, rows: Sequence[SchoolRow], by: str, descending: bool = False) -> list[SchoolRow]:
    """Rows sorted by a column of the heat map: a domain sorts by band, then percent; no result last."""
    titles = {t: d for d, t in o.domains}
    if by in titles:
        did = titles[by]

        def key(s: SchoolRow) -> tuple:
            c = next((c for c in s.cells if c.domain_id == did), None)
            rank = o.bands.index(c.band) if c is not None and c.band in o.bands else -1
            return (rank, c.percent if c is not None and c.percent is not None else -1.0)

        ordered = sorted(rows, key=key, reverse=descending)
        return [r for r in ordered if key(r)[0] >= 0] + [r for r in rows if key(r)[0] < 0]  # then in given order
    simple = {
        "School": lambda s: s.name.lower(),
        "URN": lambda s: s.urn,
        "Phase": lambda s: s.phase,
        "Stage": lambda s: (s.progress.stage, s.progress.answered),
        "Flags": lambda s: len(s.flags),
    }
    return sorted(rows, key=simple.get(by, simple["School"]), reverse=descending)


def heat_map_html(o: Overview, rows: Sequence[SchoolRow]) -> str:
    """The heat map as an HTML table: row and column headers, a caption, each cell's band in words with
    its percent on the band's colour, "(limited)" where capped, and each school's name linking to its results."""
    head = "".join(f'<th scope="col" style="{STICKY}">{escape(t)}</th>' for _, t in o.domains)
    body = []
    for s in rows:
        name = name_html(s)
        cells = {c.domain_id: c for c in s.cells}
        texts = row_texts(o, s)
        tds = []
        for d, _ in o.domains:
            c = cells.get(d)
            words = "no result" if c is None else texts[d]
            if c is not None and c.percent is not None:
                words += f", {c.percent:.1f}%"
            style = fill(o, texts[d]) if c is not None else "color: #555555"
            tds.append(f'<td style="{style}">{escape(words)}</td>')
        stage = escape(s.progress.words())
        body.append(
            f'<tr><th scope="row">{name} <small>({escape(s.urn)})</small></th><td>{stage}</td>'
            f"<td>{len(s.flags)}</td>{''.join(tds)}</tr>"
        )
    caption = f"Bands by school and domain, {escape(o.framework_title)}, {escape(o.cycle)}"
    return (
        f'<div class="overview-scroll" style="max-height: 640px; overflow: auto">'
        f'<table class="overview-table" style="border-collapse: collapse; font-size: 0.85rem">'
        f'<caption style="text-align: left">{caption}</caption><thead><tr><th scope="col" style="{STICKY}">School</th>'
        f'<th scope="col" style="{STICKY}">Stage</th><th scope="col" style="{STICKY}">Flags</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def flags_table(rows: Iterable[SchoolRow]) -> pd.DataFrame:
    out = [(s.name, s.urn, f.reason, f.code) for s in rows for f in s.flags]
    return pd.DataFrame(out, columns=["School", "URN", "Reason", "Code"])


def flags_html(rows: Iterable[SchoolRow]) -> str:
    """Every flag of the schools shown, one row each, beside its school (its name opening its results,
    once for all its flags): the kind of flag above its reason in full. Reasons are sentences, so they
    wrap rather than being cut."""
    body = []
    for s in rows:
        line = f"{CELL}; border-top: 1px solid #cccccc"  # a line above each school's flags
        school = f'<th scope="rowgroup" rowspan="{len(s.flags)}" style="{line}">{name_html(s)} '
        school += f"<small>({escape(s.urn)})</small></th>"
        for i, f in enumerate(s.flags):
            kind = escape(CODES.get(f.code, f.code))
            first, style = (school, line) if i == 0 else ("", CELL)
            body.append(f'<tr>{first}<td style="{style}"><strong>{kind}</strong><br>{escape(f.reason)}</td></tr>')
    return (
        f'<div class="overview-scroll" style="max-height: 480px; overflow: auto">'
        f'<table class="overview-flags" style="border-collapse: collapse; font-size: 0.85rem; width: 100%">'
        f'<caption style="text-align: left">Flags of the schools shown, one row per flag</caption><thead><tr>'
        f'<th scope="col" style="{STICKY}; {CELL}; width: 30%">School</th>'
        f'<th scope="col" style="{STICKY}; {CELL}">Flag and reason</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def change_table(o: Overview, rows: Sequence[SchoolRow]) -> pd.DataFrame:
    titles = dict(o.domains)
    return pd.DataFrame(
        {
            "School": [s.name for s in rows],
            "URN": [s.urn for s in rows],
            **{titles[d]: [CHANGE_MARKS.get(s.change.get(d) or "", "–") for s in rows] for d, _ in o.domains},
        }
    )


def change_counts_table(o: Overview) -> pd.DataFrame:
    rows = [
        (title, *(o.change_counts.get(d, {}).get(w, 0) for w in ("improved", "same", "declined")))
        for d, title in o.domains
    ]
    return pd.DataFrame(rows, columns=["Domain", "Improved", "Same", "Declined"])


def medians_table(o: Overview) -> pd.DataFrame:
    """LA median per domain (rows) and cycle (columns), "62% (40 schools)", or "too few" below 5."""
    titles = dict(o.domains)
    cells: dict[str, dict[str, str]] = {}
    for r in o.medians.itertuples(index=False):
        text = "too few schools" if pd.isna(r.median) else f"{r.median:.0f}% ({r.schools} schools)"
        cells.setdefault(titles.get(r.domain_id, r.domain_id), {})[r.cycle] = text
    cycles = sorted(o.medians["cycle"].unique()) if len(o.medians) else []
    return pd.DataFrame([{"Domain": t, **{c: by.get(c, "") for c in cycles}} for t, by in cells.items()])


def band_table(o: Overview) -> pd.DataFrame:
    """Schools per band in each domain, LA-wide (named or not)."""
    rows = []
    for d in o.domain_distributions:
        counts = dict(d.counts)
        shown = {b: (counts.get(b, 0) if not d.suppressed else "–") for b in (*o.bands, INSUFFICIENT)}
        rows.append({"Domain": d.title, "Schools": d.n, **shown})
    return pd.DataFrame(rows)


def answers_table(o: Overview) -> pd.DataFrame:
    titles = dict(o.domains)
    rows = [
        {
            "Domain": titles.get(d.domain_id, d.domain_id),
            "Question": d.title,
            "Schools answering": d.n,
            "Answers": "fewer than 5 schools: not shown"
            if d.suppressed
            else "; ".join(f"{k} {v}" for k, v in d.counts if v),
        }
        for d in o.criterion_distributions
    ]
    return pd.DataFrame(rows)


def completion_table(rows: Sequence[SchoolRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "School": [s.name for s in rows],
            "URN": [s.urn for s in rows],
            "Stage": [s.progress.words() for s in rows],
            "Last self-review submitted": [s.last_submitted for s in rows],
        }
    )
