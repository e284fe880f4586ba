"""The report's sections that take optional input: comparison with peers, self against agreed, the action plan.

Each takes plain objects (duck-typed, so exports never imports data/) and says plainly when there is
nothing to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from exports.report_charts import paired_chart
from exports.report_model import Block, Chart, Heading, Para, Table, clean
from framework.models import Framework
from scoring import ReviewScore
from scoring.actions import ACTION_STATUSES, action_flags, suggest_actions

PROMPT = (
    "Self-review results are each school's own judgement: read a difference as a question to talk about, "
    "not as a ranking. Other schools are never named, and groups of fewer than 5 schools are not shown."
)


def comparison_blocks(comparison: object | None, note: str) -> list[Block]:
    """The school against its similar schools, anonymised and suppressed under 5, as the school sees it."""
    out: list[Block] = [Heading("Comparison with similar schools")]
    if comparison is None:
        return [*out, Para(note or "No comparison is available for this review.")]
    c = comparison
    out += [Para(clean(c.summary())), Para(PROMPT, "note")]
    measures = [c.overall, *c.domains]
    rows = []
    for m in measures:
        p = m.peers
        if p.level == "hidden":
            rows.append((m.title, m.show(m.value), "Not shown", "Not shown", f"{p.n} (fewer than 5)"))
        else:
            rows.append((m.title, m.show(m.value), m.show(p.median), f"{m.show(p.low)} to {m.show(p.high)}", str(p.n)))
    out.append(
        Table(("Measure", "This school", "Peer median", "Peer range", "Schools"), tuple(rows), (3, 1.3, 1.3, 2, 1.2))
    )
    shown = [m for m in c.domains if m.peers.level != "hidden"]
    if shown:
        png = paired_chart(
            [m.title for m in shown],
            [m.value for m in shown],
            [m.peers.median for m in shown],
            ("This school", "Peer median"),
        )
        out.append(Chart(png, " ".join(m.sentence(c.noun) for m in shown)))
    else:
        out.append(Para("No domain has results from 5 or more similar schools, so no chart is drawn."))
    return out


def agreed_blocks(
    fw: Framework, self_score: ReviewScore | None, agreed: ReviewScore, lines: Sequence[str]
) -> list[Block]:
    """Self-review against the agreed judgement, domain by domain, and the lines of enquiry when given."""
    out: list[Block] = [Heading("Self-review and agreed judgement")]
    if self_score is None:
        out.append(Para("There is no submitted self-review of this framework in this cycle to compare with."))
    else:
        mine = {d.domain_id: d for d in self_score.domains}
        rows, titles, before, after = [], [], [], []
        for d in agreed.domains:
            s = mine.get(d.domain_id)
            sp = None if s is None else s.percent
            diff = "–" if sp is None or d.percent is None else f"{d.percent - sp:+.1f}"
            rows.append((d.title, _pb(sp, s.band if s else "–"), _pb(d.percent, d.band), diff))
            titles.append(d.title), before.append(sp), after.append(d.percent)
        out.append(Table(("Domain", "Self-review", "Agreed", "Difference (points)"), tuple(rows), (3.5, 2, 2, 1.5)))
        moved = [r for r in rows if r[3] not in ("–", "+0.0", "-0.0")]
        sentence = (
            f"Self-review and agreed percent for each domain. The agreed judgement differs from the "
            f"self-review in {len(moved)} of {len(rows)} domains"
            + (": " + "; ".join(f"{r[0]} {r[3]} points" for r in moved) if moved else "")
            + "."
        )
        out.append(Chart(paired_chart(titles, before, after, ("Self-review", "Agreed")), sentence))
    out.append(Heading("Lines of enquiry", 2))
    out += [Para(clean(t), "bullet") for t in lines] or [Para("No lines of enquiry were recorded for this review.")]
    return out


def _pb(percent: float | None, band: str) -> str:
    return band if percent is None else f"{percent:.1f}% ({band})"


def action_blocks(
    fw: Framework,
    actions: Sequence,
    carried: Sequence,
    score: ReviewScore,
    contributions: pd.DataFrame,
    today: date,
) -> list[Block]:
    """The plan for this cycle (or, with none yet, what the app suggests) and what is carried from before."""
    out: list[Block] = [Heading("Action plan")]
    titles = {d.id: d.title for d in fw.domains}
    if actions:
        out.append(
            Table(
                ("Action", "Domain", "Lead", "Due", "Status", "Success criterion", "Flags"),
                tuple(_action_row(a, titles, today) for a in actions),
                (3.2, 1.8, 1.4, 1.3, 1.2, 2.6, 1.3),
            )
        )
        for a in actions:
            for n in a.notes:
                out.append(
                    Para(f"{clean(a.what)[:80]} — {n.noted_on:%d %b %Y}, {clean(n.by)}: {clean(n.text)}", "note")
                )
    else:
        suggested = suggest_actions(fw, score, contributions)
        if suggested:
            out.append(Para("No actions have been agreed yet. The review suggests these, most urgent first:"))
            out += [Para(f"{s.what} ({s.domain_title}). {s.reason}", "bullet") for s in suggested]
        else:
            out.append(
                Para(
                    "No actions have been agreed yet, and the review suggests none: answer more questions "
                    "for suggestions."
                )
            )
    if carried:
        out.append(Heading("Carried from earlier cycles", 2))
        out.append(
            Table(
                ("Action", "Cycle", "Status", "Domain", "How the domain moved"),
                tuple(
                    (
                        clean(c.action.what),
                        c.action.cycle,
                        ACTION_STATUSES.get(c.action.status, c.action.status),
                        c.domain_title,
                        c.movement,
                    )
                    for c in carried
                ),
                (3.5, 1.2, 1.3, 2, 2.5),
            )
        )
    return out


def _action_row(a: object, titles: dict[str, str], today: date) -> tuple[str, ...]:
    flags = action_flags(due_on=a.due_on, lead=a.lead, status=a.status, today=today)
    return (
        clean(a.what),
        titles.get(a.domain_id, a.domain_id or "–"),
        clean(a.lead) or "–",
        a.due_on.strftime("%d %b %Y") if a.due_on else "–",
        ACTION_STATUSES.get(a.status, a.status),
        clean(a.success) or "–",
        ", ".join(flags) or "–",
    )
