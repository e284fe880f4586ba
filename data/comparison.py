"""How a school compares with similar schools: the one comparison the page, the workbook and the CLI show.

This module runs the queries and decides what the actor may see. Peers are chosen from the whole
register, but a peer school is named only where the access policy lets the actor read its
self-review (``access.may_name``); every other peer gets an anonymous label (``data.peer_labels``)
and, for a user who cannot name every peer, only the figures that survive differencing
(``scoring.disclosure``, docs/comparison-privacy.md). The arithmetic is scoring's; which reviews
count and their kept scores are ``data.review_scores``'; the sentences and plain data are
``data.comparison_view``'s (re-exported here, so ``from data.comparison import Comparison`` works).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import access, frameworks, groups
from data.access import Actor, NotAllowed, NotFound
from data.comparison_view import PROMPT, QUARTILE_WORDS, Comparison, Measure, Peer, SencoTime, TrendRow, measure_json
from data.consent import shared_by
from data.db import Database
from data.peer_labels import peer_labels
from data.review_scores import OVERALL, Pick, Scores, hours_of, per_review, picked_reviews, scores_of
from data.schools import School, get_school, list_schools
from data.tables import reviews
from framework.models import Framework
from framework.problems import InvalidInput
from scoring.disclosure import MIN_DIFFERENCE, anonymised, differencing_risk
from scoring.peers import PeerComparison, compare
from scoring.senco_time import HOURS_PREFIX, MEASURES, senco_measures, survey_figures

__all__ = [
    "PROMPT",
    "QUARTILE_WORDS",
    "Comparison",
    "Measure",
    "Peer",
    "SencoTime",
    "TrendRow",
    "comparable_schools",
    "compare_school",
    "cycles_for",
    "measure_json",
]

SENCO_FRAMEWORK = "senco-role-audit"


# --- the one entry point -----------------------------------------------------------------------


def compare_school(
    db: Database,
    actor: Actor,
    urn: str,
    framework_id: str,
    cycle: str | None = None,
    peers: str = "similar",
    *,
    action: access.Action = "read",
) -> Comparison:
    """The school against its chosen peers for one framework and cycle (default: its latest).

    ``action="export"`` is the check for downloads. Raises NotFound for a school, group or framework the
    actor cannot see, InvalidInput for a peer choice that is not one of similar, la, phase, group:<id>.
    """
    school = get_school(db, actor, urn)
    access.require(actor, action, school.ref)
    if not access.may_name(actor, school.ref):
        raise NotAllowed(f"{school.name} has not chosen to share its reviews with its LA, so its results stay private.")
    register = groups.register(db)
    chosen = groups.peer_set(db, actor, register, school, peers)
    peer_urns = chosen.urns
    picked = picked_reviews(db, framework_id, urn, peer_urns)
    cycles = sorted({c for _, c in picked})
    if not picked:
        raise NotFound(f"Neither this school nor its peers have a self-review of the framework {framework_id}.")
    cycle = cycle or (sorted(c for u, c in picked if u == urn) or cycles)[-1]
    framework = _framework(db, framework_id, picked, urn, cycle)
    scores = scores_of(db, framework_id, picked)
    titles = {OVERALL: "Overall", **{d.id: d.title for d in framework.domains}}
    named = _nameable(db, actor, register, peer_urns)
    anonymous = not (bool(peer_urns) and len(named) == len(peer_urns))
    if anonymous:
        _refuse_differencing(db, actor, register, school, peers, framework_id, cycle, peer_urns)
    measures = _measures(titles, scores, urn, peer_urns, cycle, anonymous)
    own = picked.get((urn, cycle))
    return Comparison(
        urn=urn,
        school_name=school.name,
        la=school.la,
        phase=school.phase,
        framework_id=framework.id,
        framework_title=framework.title,
        cycle=cycle,
        choice=peers,
        noun=chosen.noun,
        description=chosen.description,
        own_status=own.status if own else None,
        peers=peer_labels(db, urn, peer_urns, named, {u for u in peer_urns if (u, cycle) in scores}, register.name),
        overall=measures[0],
        domains=tuple(m for m in measures[1:] if m.value is not None or m.peers.n),
        trend=tuple(
            TrendRow(c, m.id, m.title, m.value, m.peers.median, m.peers.n)
            for c in cycles
            if c <= cycle
            for m in _measures(titles, scores, urn, peer_urns, c, anonymous)
            if m.value is not None or m.peers.n
        ),
        senco=_senco(db, framework, register, school, peer_urns, cycle, picked, anonymous),
        names_shown=not anonymous,
    )


def cycles_for(db: Database, actor: Actor, urn: str, framework_id: str) -> tuple[list[str], str | None]:
    """Cycles with self-reviews of this framework (the school's own, or any submitted), newest first, and
    the one to show first: the school's latest, else the newest."""
    get_school(db, actor, urn)
    query = (
        sa.select(reviews.c.cycle, reviews.c.school_urn == urn)
        .where(reviews.c.framework_id == framework_id, reviews.c.role == "self")
        .where(sa.or_(reviews.c.status == "submitted", reviews.c.school_urn == urn))
        .distinct()
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
    cycles = sorted({c for c, _ in rows}, reverse=True)
    own = sorted((c for c, mine in rows if mine), reverse=True)
    return cycles, (own or cycles or [None])[0]


def comparable_schools(db: Database, actor: Actor) -> tuple[list[School], int]:
    """The schools whose comparison the actor may open, and how many more they see only anonymised
    (schools of an LA advisor's LA that have not shared their reviews with it)."""
    seen = list_schools(db, actor)
    shown = [s for s in seen if access.may_name(actor, s.ref)]
    return shown, len(seen) - len(shown)


def _nameable(db: Database, actor: Actor, register: groups.Register, urns: list[str]) -> set[str]:
    """The peers the actor may see by name: those whose self-reviews they could read (see ``may_name``)."""
    with db.read() as conn:
        given = shared_by(conn, urns)
    return {u for u in urns if access.may_name(actor, register.ref(u, given.get(u, frozenset())))}


# --- reviews and their scores -----------------------------------------------------------------


def _framework(db: Database, framework_id: str, picked: dict[tuple[str, str], Pick], urn: str, cycle: str):
    """The version the school answered in this cycle, else the newest version any peer answered."""
    mine = picked.get((urn, cycle))
    version = mine.version if mine else max(p.version for p in picked.values())
    return frameworks.get_framework(db, framework_id, version)


def _measures(
    titles: dict[str, str], scores: Scores, urn: str, peer_urns: list[str], cycle: str, anonymous: bool
) -> list[Measure]:
    """Overall first, then each domain in framework order, for one cycle."""
    mine = scores.get((urn, cycle), {})
    theirs = [scores[(u, cycle)] for u in peer_urns if (u, cycle) in scores]
    out = []
    for mid, title in titles.items():
        value, band = mine.get(mid, (None, None))
        peers = _compare(value, [t[mid][0] for t in theirs if mid in t], "%", anonymous)
        out.append(Measure(mid, title, value, band, peers))
    return out


def _compare(value: float | None, peer_values: list, unit: str, anonymous: bool) -> PeerComparison:
    """``compare``, then, for a user who may not name every peer, only what survives differencing."""
    found = compare(value, peer_values)
    return anonymised(found, unit, found.values) if anonymous else found


def _refuse_differencing(
    db: Database,
    actor: Actor,
    register: groups.Register,
    school: School,
    choice: str,
    framework_id: str,
    cycle: str | None,
    peer_urns: list[str],
) -> None:
    """Refuse a comparison whose schools with results differ by 1 to 4 from those of another peer set the
    actor may choose for the same school, framework and cycle (docs/comparison-privacy.md)."""
    options = groups.peer_choices(db, actor, school)
    sets: dict[str, list[str]] = {}
    for other in options:
        if other != choice:
            try:
                sets[other] = groups.peer_set(db, actor, register, school, other).urns
            except (InvalidInput, NotAllowed, NotFound):
                continue
    union = sorted(set(peer_urns).union(*sets.values()))
    picked = {k: p for k, p in picked_reviews(db, framework_id, school.urn, union).items() if k[1] == cycle}
    with_result = {u for (u, _) in scores_of(db, framework_id, picked) if u != school.urn}
    chosen = frozenset(set(peer_urns) & with_result)
    risky = differencing_risk(chosen, {o: frozenset(set(u) & with_result) for o, u in sets.items()})
    if risky:
        other, difference = risky[0]
        raise NotAllowed(
            f"This comparison is not shown: its schools with results differ from those of "
            f'"{options[other]}" by only {difference}, and setting the two side by side could reveal those '
            f"schools' results. Comparisons are shown only when every choice differs by at least "
            f"{MIN_DIFFERENCE} schools; ask your LA to make a larger group, or choose another set."
        )


# --- SENCO time ---------------------------------------------------------------------------------


def _senco(
    db: Database,
    framework: Framework,
    register: groups.Register,
    school: School,
    peer_urns: list[str],
    cycle: str,
    picked: dict[tuple[str, str], Pick],
    anonymous: bool = False,
) -> SencoTime | None:
    """Hours from the time-hours-* answers: of this framework if it asks them, else of the SENCO role audit."""
    source = framework.id if any(c.id.startswith(HOURS_PREFIX) for c in framework.criteria) else SENCO_FRAMEWORK
    if source != framework.id:
        picked = picked_reviews(db, source, school.urn, peer_urns)
    if (school.urn, cycle) not in picked:
        return None
    source_title = frameworks.get_framework(db, source, picked[(school.urn, cycle)].version).title
    now = {urn: p for (urn, c), p in picked.items() if c == cycle}
    found = per_review("hours", db, list(now.values()), lambda todo: hours_of(db, todo))
    hours = {urn: found[p.id] for urn, p in now.items() if found.get(p.id) is not None}
    if school.urn not in hours:
        return None
    frame = register.frame.set_index("urn").loc[[school.urn, *peer_urns]]
    table = senco_measures(frame.assign(hours=[hours.get(u, float("nan")) for u in frame.index]))
    me, others = table.loc[school.urn], table.drop(index=school.urn)
    units = {"hours": "h", "per_100_pupils": "h", "per_sen_pupil": "min"}
    measures = tuple(
        Measure(
            key,
            words,
            _none(me[key]),
            None,
            _compare(_none(me[key]), others[key].tolist(), units[key], anonymous),
            units[key],
        )
        for key, words in MEASURES.items()
    )
    pupils = _none(frame.at[school.urn, "pupils"])
    return SencoTime(source_title, pupils, _none(me["sen_pupils"]), measures, tuple(survey_figures(school.phase)))


def _none(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
