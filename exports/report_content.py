"""What the written report says, built once from what the caller hands in (exports never reads the database).

The sections follow what a head teacher takes to governors: cover, summary in plain words, results
per domain, the statutory checklist, comparison with similar schools (as the school itself sees it,
anonymised), self against agreed judgement, the action plan, and every answer. It never uses Ofsted's
grade words: bands are the framework's own levels. Missing parts are said, not skipped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

import pandas as pd

from exports.report_charts import bars_chart
from exports.report_model import Block, Chart, Heading, Para, ReportContent, Table, clean, fit_tables
from exports.report_sections import action_blocks, agreed_blocks, comparison_blocks
from framework.models import Framework, ReviewContext, applicable_criteria
from scoring import ReviewScore, priorities, strengths
from scoring.models import DomainScore

MARKING = "Fictional demo data"
STATUS_WORDS = {"met": "Met", "not_met": "Not met", "unknown": "Not answered"}


class ReportSource(Protocol):
    """What the report is made from (data/reports.py ReportBundle has these)."""

    about: Mapping[str, str]
    school_name: str
    reviewer: str
    reviewed_on: date | None
    role: str
    demo: bool
    framework: Framework
    answers: pd.DataFrame
    score: ReviewScore
    contributions: pd.DataFrame
    context: ReviewContext
    include_evidence: bool
    actions: Sequence
    carried: Sequence
    comparison: object | None
    comparison_note: str
    self_score: ReviewScore | None
    lines_of_enquiry: Sequence[str]
    today: date


def build_report(src: ReportSource) -> ReportContent:
    fw = src.framework
    cover = (
        *((k, clean(v)) for k, v in src.about.items()),
        ("Framework", f"{fw.title} (version {fw.version})"),
        ("Reviewed by", clean(src.reviewer) or "Not recorded"),
        ("Date", (src.reviewed_on or src.today).strftime("%d %B %Y")),
    )
    blocks: list[Block] = [*_summary(src), *_domains(src), *_compliance(src)]
    blocks += comparison_blocks(src.comparison, src.comparison_note)
    if src.role == "agreed":
        blocks += agreed_blocks(fw, src.self_score, src.score, src.lines_of_enquiry)
    blocks += action_blocks(fw, src.actions, src.carried, src.score, src.contributions, src.today)
    blocks += _appendix(src)
    return ReportContent(
        title=f"SEND review report: {clean(src.school_name)}",
        school=clean(src.school_name),
        marking=MARKING if src.demo else "",
        cover=cover,
        blocks=tuple(fit_tables(blocks)),
    )


def _summary(src: ReportSource) -> list[Block]:
    score, fw = src.score, src.framework
    out: list[Block] = [Heading("Summary")]
    done = score.completion
    if done.answered == 0:
        out.append(
            Para(
                "No scored question has been answered yet, so there are no results. The appendix lists "
                "every question still to answer."
            )
        )
        return out
    pct = "no percent" if score.overall.percent is None else f"{score.overall.percent:.1f}%"
    out.append(
        Para(
            f"Overall band: {score.overall.band} ({pct}), from {done.answered} of {done.applicable} "
            f"scored questions answered. Bands are the framework's own levels "
            f"({', '.join(lv.label for lv in fw.default_scale.levels)})."
        )
    )
    scored = sorted((d for d in score.domains if d.percent is not None), key=lambda d: d.percent or 0)
    if scored:
        best, worst = scored[-1], scored[0]
        out.append(
            Para(
                f"Strongest domain: {best.title} ({best.percent:.1f}%, {best.band}). "
                f"Weakest domain: {worst.title} ({worst.percent:.1f}%, {worst.band})."
            )
        )
    unmet = [c for c in score.compliance if c.status == "not_met"]
    if unmet:
        duties = "; ".join(_duty(fw, c.criterion_id) for c in unmet)
        out.append(
            Para(
                f"Limited by statutory duties not met: {duties}. Until they are met no band can be "
                f"higher than {fw.cap_level.label}.",
                "warning",
            )
        )
    missing = [d.title for d in score.domains if d.percent is None and not d.duties_only]
    if missing:
        out.append(Para("Not enough answers for a result yet (insufficient evidence): " + "; ".join(missing) + "."))
    duties_only = [f"{d.title} ({d.duties_words})" for d in score.domains if d.duties_only]
    if duties_only:
        out.append(Para("Statutory duties only, so compliance rather than a level: " + "; ".join(duties_only) + "."))
    unknown = sum(c.status == "unknown" for c in score.compliance)
    if unknown:
        out.append(Para(f"{unknown} statutory {'duty is' if unknown == 1 else 'duties are'} not answered yet."))
    return out


def _duty(fw: Framework, criterion_id: str) -> str:
    c = fw.criteria_by_id[criterion_id]
    return f"{c.text} ({c.source})" if c.source else c.text


def _domains(src: ReportSource) -> list[Block]:
    fw, score = src.framework, src.score
    out: list[Block] = [Heading("Results by domain")]
    if not score.domains:
        return [*out, Para("No domain of this framework applies to this school.")]
    notes = [d.band_words + (" (limited)" if d.limited else "") for d in score.domains]
    out.append(
        Chart(
            bars_chart([d.title for d in score.domains], [d.percent for d in score.domains], notes),
            _chart_sentence(score.domains),
        )
    )
    out.append(
        Table(
            ("Domain", "Percent", "Band", "Limited", "Answered"),
            tuple(
                (d.title, _pct(d.percent), d.band_words, "Yes" if d.limited else "No", _answered(d))
                for d in score.domains
            ),
            (4, 1.2, 2, 1.2, 1.4),
        )
    )
    evidence = _evidence(src) if src.include_evidence else {}
    for d in score.domains:
        out += _domain(fw, d, src.contributions, evidence.get(d.domain_id, []))
    return out


def _weakness(row: object) -> str:
    if row.statutory and row.q == 0:  # type: ignore[attr-defined]
        return f"{row.text} (a statutory duty not met)"  # type: ignore[attr-defined]
    return f"{row.text} (a top answer would add {100 * row.shortfall:.0f} percentage points)"  # type: ignore[attr-defined]


def _answered(d: DomainScore) -> str:
    return "–" if d.duties_only else f"{d.answered} of {d.applicable}"


def _domain(fw: Framework, d: DomainScore, contributions: pd.DataFrame, notes: list[tuple[str, str]]) -> list[Block]:
    out: list[Block] = [Heading(d.title, 2)]
    if d.duties_only:
        out.append(
            Para(
                f"{d.duties_words.capitalize()}. This domain holds statutory duties only: they are checked, "
                "not scored, so it shows compliance rather than a level."
            )
        )
    elif d.percent is None:
        need = math.ceil(fw.min_completion * d.applicable - 1e-9)
        out.append(
            Para(
                f"Insufficient evidence: {d.answered} of {d.applicable} questions answered; a result needs "
                f"at least {max(need, 1)}."
            )
        )
    else:
        out.append(Para(f"Band: {d.band}. Percent: {d.percent:.1f}%. Answered: {d.answered} of {d.applicable}."))
    if d.limited_by:
        out.append(Para("Why limited: " + "; ".join(_duty(fw, c) for c in d.limited_by) + " is not met.", "warning"))
    mine = contributions[contributions["domain_id"] == d.domain_id]
    good = list(strengths(mine, limit=3)["text"])
    weak = [_weakness(r) for r in priorities(mine, limit=3).itertuples()]
    out.append(Para("Strengths:" if good else "Strengths: none recorded yet."))
    out += [Para(clean(t), "bullet") for t in good]
    out.append(Para("Priorities:" if weak else "Priorities: nothing lowers this domain."))
    out += [Para(clean(t), "bullet") for t in weak]
    if notes:
        out.append(Para("Evidence notes (included by the school):"))
        out += [Para(f"{q}: {clean(n)}", "bullet") for q, n in notes]
    return out


def _evidence(src: ReportSource) -> dict[str, list[tuple[str, str]]]:
    by_id = src.framework.criteria_by_id
    out: dict[str, list[tuple[str, str]]] = {}
    for row in src.answers.itertuples():
        note = "" if pd.isna(row.evidence) else str(row.evidence)
        if note.strip() and row.criterion_id in by_id:
            c = by_id[row.criterion_id]
            out.setdefault(c.domain_id, []).append((c.text, note))
    return out


def _chart_sentence(domains: list[DomainScore]) -> str:
    scored = [d for d in domains if d.percent is not None]
    if not scored:
        return "The chart is empty: no domain has enough answers to be scored yet."
    best = max(scored, key=lambda d: d.percent or 0)
    worst = min(scored, key=lambda d: d.percent or 0)
    text = (
        f"Percent for each domain, with its band. {len(scored)} of {len(domains)} domains scored; highest "
        f"{best.title} at {best.percent:.1f}% ({best.band}), lowest {worst.title} at {worst.percent:.1f}% "
        f"({worst.band})."
    )
    limited = [d.title for d in domains if d.limited]
    return text + (" Limited by an unmet statutory duty: " + ", ".join(limited) + "." if limited else "")


def _compliance(src: ReportSource) -> list[Block]:
    fw = src.framework
    out: list[Block] = [Heading("Statutory compliance checklist")]
    if not src.score.compliance:
        return [*out, Para("No statutory duties in this framework apply to this school.")]
    rows = tuple(
        (STATUS_WORDS[c.status], c.text, fw.domains_by_id[c.domain_id].title, fw.criteria_by_id[c.criterion_id].source)
        for c in src.score.compliance
    )
    return [*out, Table(("Status", "Duty", "Domain", "Source"), rows, (1.3, 4, 2, 2.2))]


def _appendix(src: ReportSource) -> list[Block]:
    fw = src.framework
    given = {r.criterion_id: r for r in src.answers.itertuples()}
    out: list[Block] = [Heading("Appendix: every answer")]
    if not given:
        out.append(Para("No question has been answered yet."))
    criteria = applicable_criteria(fw, src.context)
    header = ("Question", "Answer", "Evidence note") if src.include_evidence else ("Question", "Answer")
    for domain in fw.domains:
        mine = [c for c in criteria if c.domain_id == domain.id]
        if not mine:
            continue
        rows = []
        for c in mine:
            row = given.get(c.id)
            answer = "" if row is None or pd.isna(row.response) else str(row.response)
            cells = [clean(c.text) + (" (statutory)" if c.statutory else ""), clean(answer) or "Not answered"]
            if src.include_evidence:
                cells.append("" if row is None or pd.isna(row.evidence) else clean(row.evidence))
            rows.append(tuple(cells))
        out += [Heading(domain.title, 2), Table(header, tuple(rows), (4, 2, 3) if src.include_evidence else (5, 2))]
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"
