"""Suggested actions from a review's scores, and the flags and movement an action plan shows.

Pure functions: the order of suggestions is the order a school should act in. Every unmet statutory
duty comes first (it caps the band however good the rest is), named with its legal source; then the
answers that cost the weakest domains most (``scoring.priorities``), a few per domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from framework.models import Framework
from scoring.models import ReviewScore
from scoring.priorities import priorities

ACTION_STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "done": "Done",
}
WEAKEST_DOMAINS = 3
PER_DOMAIN = 2
MOVE_TOLERANCE = 0.05  # percent points: smaller changes are "no change" (rounding noise)


@dataclass(frozen=True)
class Suggestion:
    """An action the app proposes; ``key`` stays the same for the same gap, so accepting or dropping it sticks."""

    key: str
    kind: Literal["statutory", "priority"]
    what: str
    domain_id: str
    domain_title: str
    criteria: tuple[str, ...]
    success: str
    reason: str
    source: str = ""


def suggest_actions(
    framework: Framework,
    score: ReviewScore,
    contributions: pd.DataFrame,
    *,
    weakest: int = WEAKEST_DOMAINS,
    per_domain: int = PER_DOMAIN,
) -> list[Suggestion]:
    """Unmet statutory duties (framework order), then the top priorities of the ``weakest`` scored domains.

    Domains are ranked by percent, lowest first, ties in framework order; a domain with
    "Insufficient evidence" has no percent and is not ranked (its gap is answering, not acting).
    """
    found = [_duty(framework, c.criterion_id) for c in score.compliance if c.status == "not_met"]
    taken = {cid for s in found for cid in s.criteria}
    order = {d.id: i for i, d in enumerate(framework.domains)}
    ranked = sorted((d for d in score.domains if d.percent is not None), key=lambda d: (d.percent, order[d.domain_id]))
    for domain in ranked[:weakest]:
        assert domain.percent is not None  # only domains with a percent are ranked
        in_domain = contributions["domain_id"] == domain.domain_id
        mine = contributions[in_domain & ~contributions["criterion_id"].isin(taken)]
        for row in priorities(mine, limit=per_domain).itertuples():
            found.append(_priority(framework, row.criterion_id, float(row.shortfall), domain.percent))
    return found


def _duty(framework: Framework, criterion_id: str) -> Suggestion:
    criterion = framework.criteria_by_id[criterion_id]
    domain = framework.domains_by_id[criterion.domain_id]
    source = criterion.source or "statutory duty"
    return Suggestion(
        key=f"duty:{criterion_id}",
        kind="statutory",
        what=f"Meet the statutory duty: {criterion.text}",
        domain_id=domain.id,
        domain_title=domain.title,
        criteria=(criterion_id,),
        success=f"The duty is met and the evidence is kept: {criterion.evidence or criterion.text}",
        reason=f"Statutory duty answered No ({source}); it limits the band of {domain.title}.",
        source=criterion.source,
    )


def _priority(framework: Framework, criterion_id: str, shortfall: float, percent: float) -> Suggestion:
    criterion = framework.criteria_by_id[criterion_id]
    domain = framework.domains_by_id[criterion.domain_id]
    top = {"rating": framework.scale_of(criterion).levels[-1].label, "yes_no": "Yes"}.get(criterion.kind)
    return Suggestion(
        key=f"criterion:{criterion_id}",
        kind="priority",
        what=f"Improve: {criterion.text}",
        domain_id=domain.id,
        domain_title=domain.title,
        criteria=(criterion_id,),
        success=f"At the next review this is rated {top}, with evidence."
        if top
        else "At the next review this answer is in the top band, with evidence.",
        reason=(
            f"{domain.title} is one of the weakest domains ({percent:.1f}%); "
            f"{top or 'an answer in the top band'} here would raise it by {100 * shortfall:.0f} percentage points."
        ),
        source=criterion.source,
    )


def merge_suggestions(chosen: list[Suggestion]) -> Suggestion:
    """Several suggestions as one action: the first one's domain, every criterion, the texts joined."""
    if not chosen:
        raise ValueError("choose at least one suggestion to merge")
    first = chosen[0]
    criteria = tuple(dict.fromkeys(c for s in chosen for c in s.criteria))
    return Suggestion(
        key="+".join(s.key for s in chosen),
        kind="statutory" if any(s.kind == "statutory" for s in chosen) else "priority",
        what="; ".join(s.what for s in chosen),
        domain_id=first.domain_id,
        domain_title=first.domain_title,
        criteria=criteria,
        success=" ".join(s.success for s in chosen),
        reason=" ".join(s.reason for s in chosen),
        source="; ".join(s.source for s in chosen if s.source),
    )


def action_flags(*, due_on: date | None, lead: str, status: str, today: date) -> list[str]:
    """What a plan marks on an action: allowed, but worth a look."""
    flags = []
    if status != "done" and due_on is not None and due_on < today:
        flags.append("Overdue")
    if not lead.strip():
        flags.append("No lead")
    if due_on is None:
        flags.append("No due date")
    return flags


def domain_movement(before: float | None, after: float | None) -> str:
    """How a domain's percent moved between two reviews, in words (the number and its direction)."""
    if before is None and after is None:
        return "No score in either review"
    if before is None:
        return f"New score: {after:.1f}%"
    if after is None:
        return f"Was {before:.1f}%, now insufficient evidence"
    change = after - before
    if abs(change) < MOVE_TOLERANCE:
        return f"No change ({after:.1f}%)"
    word = "Up" if change > 0 else "Down"
    return f"{word} {abs(change):.1f} points ({before:.1f}% to {after:.1f}%)"
