"""Flags for the LA advisor's overview: where a school may need a conversation, each with its reason in words.

Every rule is a small pure function of plain values, so each can be tested on hand-made data and the
overview (``data.overview``) only gathers the facts. A flag is a prompt to look, not a judgement:
the reason says exactly what was seen. Bands are compared by their position on the framework's
scale (0 = lowest); "Insufficient evidence" has no position and never raises a band flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from scoring.peers import comparison_level, quartile

STATUTORY = "statutory_unmet"
BOTTOM_QUARTILE = "bottom_quartile"
FELL_BAND = "fell_band"
NO_RECENT_REVIEW = "no_recent_review"
ABOVE_AGREED = "above_agreed"
OVERDUE_ACTIONS = "overdue_actions"
STALE_AFTER = timedelta(days=365)
DONE = frozenset({"done", "completed", "complete", "closed", "cancelled"})

CODES: dict[str, str] = {
    STATUTORY: "Statutory duty not met",
    BOTTOM_QUARTILE: "Bottom quarter of similar schools",
    FELL_BAND: "Fell a band since the last cycle",
    NO_RECENT_REVIEW: "No submitted review in the last 12 months",
    ABOVE_AGREED: "Self-review more than one band above the agreed review",
    OVERDUE_ACTIONS: "Overdue action-plan items",
}


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    domain_id: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class DomainFacts:
    """One domain of one school in the cycle shown, with what the rules compare it with."""

    domain_id: str
    title: str
    percent: float | None = None
    band: int | None = None  # position on the scale; None for "Insufficient evidence"
    previous_band: int | None = None
    agreed_band: int | None = None
    peer_percents: Sequence[float] = ()


@dataclass(frozen=True)
class SchoolFacts:
    """What the rules need about one school; ``bands`` are the scale's labels, lowest first."""

    bands: Sequence[str]
    domains: Sequence[DomainFacts] = ()
    unmet_duties: Sequence[str] = ()  # texts of statutory duties answered "No"
    last_submitted: date | None = None  # the newest submitted self-review of any framework
    actions: Sequence[tuple[date | None, str]] = field(default_factory=tuple)  # (due date, status)
    noun: str = "similar schools"


def unmet_duties(duties: Iterable[str]) -> list[Flag]:
    """One flag per statutory duty answered "No" in the self-review."""
    return [Flag(STATUTORY, f"Statutory duty not met: {text}") for text in duties]


def bottom_quartile(d: DomainFacts, noun: str = "similar schools") -> Flag | None:
    """The domain is in the bottom quarter of its peers, where the peers are enough to show quartiles (10+)."""
    if d.percent is None or comparison_level(len(d.peer_percents)) != "full":
        return None
    if quartile(d.percent, d.peer_percents) != 4:
        return None
    n = len(d.peer_percents)
    return Flag(BOTTOM_QUARTILE, f"{d.title}: {d.percent:.0f}%, in the bottom quarter of {n} {noun}.", d.domain_id)


def fell_band(d: DomainFacts, bands: Sequence[str]) -> Flag | None:
    """The domain's band is lower than in the previous cycle's submitted self-review."""
    if d.band is None or d.previous_band is None or d.band >= d.previous_band:
        return None
    return Flag(FELL_BAND, f"{d.title}: {bands[d.previous_band]} last cycle, {bands[d.band]} now.", d.domain_id)


def above_agreed(d: DomainFacts, bands: Sequence[str]) -> Flag | None:
    """The self-review rates the domain more than one band above the review agreed after a peer visit."""
    if d.band is None or d.agreed_band is None or d.band - d.agreed_band <= 1:
        return None
    return Flag(
        ABOVE_AGREED,
        f"{d.title}: self-review {bands[d.band]}, agreed review {bands[d.agreed_band]} "
        f"({d.band - d.agreed_band} bands apart).",
        d.domain_id,
    )


def no_recent_review(last_submitted: date | None, today: date) -> Flag | None:
    """No self-review submitted in the 12 months up to today."""
    if last_submitted is None:
        return Flag(NO_RECENT_REVIEW, "No self-review has been submitted yet.")
    if today - last_submitted <= STALE_AFTER:
        return None
    when = f"{last_submitted:%-d %B %Y}"
    return Flag(NO_RECENT_REVIEW, f"The last self-review was submitted on {when}, over 12 months ago.")


def overdue_actions(items: Iterable[tuple[date | None, str]], today: date) -> Flag | None:
    """Action-plan items past their due date and not done; items without a due date are never overdue."""
    late = sorted(due for due, status in items if due is not None and due < today and status.lower() not in DONE)
    if not late:
        return None
    word = "item is" if len(late) == 1 else "items are"
    return Flag(OVERDUE_ACTIONS, f"{len(late)} action-plan {word} overdue (the oldest was due {late[0]:%-d %B %Y}).")


def school_flags(facts: SchoolFacts, today: date) -> list[Flag]:
    """Every rule for one school, statutory duties first, then per domain in framework order."""
    found: list[Flag | None] = [*unmet_duties(facts.unmet_duties)]
    for d in facts.domains:
        found += [bottom_quartile(d, facts.noun), fell_band(d, facts.bands), above_agreed(d, facts.bands)]
    found += [no_recent_review(facts.last_submitted, today), overdue_actions(facts.actions, today)]
    return [f for f in found if f is not None]


def band_position(bands: Mapping[str, int], label: str | None) -> int | None:
    """A band label's position on the scale; None for "Insufficient evidence" or no result."""
    return None if label is None else bands.get(label)
