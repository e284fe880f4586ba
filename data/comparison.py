"""How a school compares with similar schools: the one comparison the page, the workbook and the CLI show.

It decides what the actor may see. Peers are chosen from the whole register, but a peer school is
named only where the access policy lets the actor read its self-review (``access.may_name``: an LA
user for the schools of their LA that share with it, an admin everywhere); every other peer
becomes "School A", "School B"... in an order that is stable but cannot be worked out without
the server's key. The arithmetic is scoring's: ``score_reviews`` (one batch), ``compare`` (with
the small-group rule: under 5 nothing, 5-9 median and range only) and ``senco_measures``. Scores
of submitted reviews are the same for everyone, so they are kept per process, keyed by review
and its last change; nothing actor-specific is cached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import access, frameworks, groups
from data.access import Actor, NotAllowed, NotFound
from data.consent import shared_by
from data.db import Database
from data.schools import School, get_school, list_schools
from data.tables import answers, reviews, settings
from framework.models import Framework
from framework.problems import InvalidInput
from framework.responses import parse_number
from scoring import score_reviews
from scoring.disclosure import MIN_DIFFERENCE, anonymised, differencing_risk
from scoring.peers import MIN_FULL, MIN_SUMMARY, PeerComparison, compare
from scoring.senco_time import HOURS_PREFIX, MEASURES, NO_MEDIAN, SurveyFigure, senco_measures, survey_figures

OVERALL = "overall"
SENCO_FRAMEWORK = "senco-role-audit"
KEPT_SIZE = 250_000  # per-review scores and hours kept per process (a few hundred bytes each)
QUARTILE_WORDS = {1: "top quarter", 2: "second quarter", 3: "third quarter", 4: "bottom quarter"}
PROMPT = (
    "Self-review results are each school's own judgement. Read a difference as a question to talk about "
    "(what do they do that we could learn from?), not as a ranking."
)


@dataclass(frozen=True)
class Measure:
    """The school's value for one domain, the overall result or a SENCO time measure, against its peers."""

    id: str
    title: str
    value: float | None
    band: str | None
    peers: PeerComparison
    unit: str = "%"

    def show(self, value: float | None) -> str:
        if value is None:
            return "no result"
        return f"{value:.0f}%" if self.unit == "%" else f"{value:.1f} {self.unit}"

    def sentence(self, noun: str) -> str:
        """The comparison in words, e.g. 'Leadership: 62%, at or above 64% of similar schools; ...'."""
        p = self.peers
        head = f"{self.title}: {self.show(self.value)}"
        if p.level == "hidden" and p.n == 0:
            return f"{head}. Not compared: none of the {noun} has a result."
        if p.level == "hidden":
            return (
                f"{head}. Not compared: only {p.n} of the {noun} {'has' if p.n == 1 else 'have'} a result, and "
                f"figures for fewer than {MIN_SUMMARY} schools could identify them."
            )
        spread = f"peer median {self.show(p.median)} (range {self.show(p.low)} to {self.show(p.high)}, {p.n} schools)"
        if p.level == "summary":
            return f"{head}; {spread}. With fewer than {MIN_FULL} schools only the median and range are shown."
        if p.percentile is None:
            return f"{head}; {spread}."
        where = QUARTILE_WORDS[p.quartile or 4]
        return f"{head}, at or above {p.percentile:.0f}% of {noun} ({where}); {spread}."


@dataclass(frozen=True)
class Peer:
    label: str  # the school's name where the actor may read it, else "School A"...
    urn: str | None  # None when anonymised
    has_result: bool


@dataclass(frozen=True)
class TrendRow:
    cycle: str
    measure_id: str
    title: str
    value: float | None
    peer_median: float | None
    peer_count: int


@dataclass(frozen=True)
class SencoTime:
    source: str  # the title of the framework whose time-hours-* answers were read
    pupils: float | None
    sen_pupils: float | None
    measures: tuple[Measure, ...]
    survey: tuple[SurveyFigure, ...]
    note: str = NO_MEDIAN


@dataclass(frozen=True)
class Comparison:
    urn: str
    school_name: str
    la: str
    phase: str
    framework_id: str
    framework_title: str
    cycle: str
    choice: str  # similar | la | phase | group:<id>
    noun: str  # "similar schools", "primary schools in Lanternshire"...
    description: str
    own_status: str | None  # submitted | draft | None (no self-review in this cycle)
    peers: tuple[Peer, ...]
    overall: Measure
    domains: tuple[Measure, ...]
    trend: tuple[TrendRow, ...]
    senco: SencoTime | None
    names_shown: bool

    @property
    def with_result(self) -> int:
        return sum(p.has_result for p in self.peers)

    def summary(self) -> str:
        """Who the school is compared with and who is left out, in one or two sentences."""
        left_out = len(self.peers) - self.with_result
        text = f"Compared with {self.with_result} of {len(self.peers)} {self.noun}: {self.description}."
        if left_out:
            text += (
                f" {left_out} {'has' if left_out == 1 else 'have'} no submitted self-review of this framework "
                f"in {self.cycle}, so {'it is' if left_out == 1 else 'they are'} left out."
            )
        return text

    def to_json(self) -> dict:
        """Plain data for the CLI and the workbook: anonymised exactly as on screen."""
        return {
            "urn": self.urn,
            "school": self.school_name,
            "la": self.la,
            "phase": self.phase,
            "framework_id": self.framework_id,
            "framework": self.framework_title,
            "cycle": self.cycle,
            "peers": self.choice,
            "peer_set": self.summary(),
            "peer_count": self.with_result,
            "peers_chosen": len(self.peers),
            "names_shown": self.names_shown,
            "own_review": self.own_status,
            "overall": measure_json(self.overall, "domain_id", self.noun),
            "domains": [measure_json(m, "domain_id", self.noun) for m in self.domains],
            "peer_list": [
                {"label": p.label, **({"urn": p.urn} if p.urn else {}), "has_result": p.has_result} for p in self.peers
            ],
            "trend": [
                {"cycle": t.cycle, "domain_id": t.measure_id, "title": t.title, "percent": _r(t.value)}
                | {"peer_median": _r(t.peer_median), "peer_count": t.peer_count}
                for t in self.trend
            ],
            "senco_time": None if self.senco is None else _senco_json(self.senco, self.noun),
            "note": PROMPT,
        }


def measure_json(m: Measure, key: str, noun: str) -> dict:
    """One measure; values the small-group rule withholds are left out and the reason given instead."""
    p = m.peers
    out = {key: m.id, "title": m.title, ("percent" if m.unit == "%" else "value"): _r(m.value)}
    out |= {"band": m.band} if m.band is not None else {}
    out |= {"peer_count": p.n, "sentence": m.sentence(noun)}
    if p.level == "hidden":
        return out | {"suppressed": True, "reason": p.message}
    peer = "peer_percents" if m.unit == "%" else "peer_values"
    out |= {"peer_median": _r(p.median), "peer_low": _r(p.low), "peer_high": _r(p.high)}
    if p.level == "summary":
        return out | {"suppressed": True, "reason": p.message}
    if not p.values:  # anonymised: the quartiles and the school's position, never the peers' own values
        return (
            out
            | {"peer_q1": _r(p.q1), "peer_q3": _r(p.q3), "percentile": _r(p.percentile)}
            | {
                "quartile": p.quartile,
                "suppressed": True,
                "reason": p.message,
            }
        )
    return (
        out
        | {peer: [_r(v) for v in p.values], "percentile": _r(p.percentile), "quartile": p.quartile}
        | {"suppressed": False}
    )


def _senco_json(s: SencoTime, noun: str) -> dict:
    return {
        "source": s.source,
        "pupils": s.pupils,
        "sen_pupils": _r(s.sen_pupils),
        "measures": [measure_json(m, "measure", noun) for m in s.measures],
        "survey_figures": [{"year": f.year, "finding": f.finding, "source": f.source} for f in s.survey],
        "survey_label": "national survey (self-selected sample)",
        "note": s.note,
    }


def _r(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


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
    picked = _picked_reviews(db, framework_id, urn, peer_urns)
    cycles = sorted({c for _, c in picked})
    if not picked:
        raise NotFound(f"Neither this school nor its peers have a self-review of the framework {framework_id}.")
    cycle = cycle or (sorted(c for u, c in picked if u == urn) or cycles)[-1]
    framework = _framework(db, framework_id, picked, urn, cycle)
    scores = _scores(db, framework_id, picked)
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
        peers=_peers(db, urn, peer_urns, named, {u for u in peer_urns if (u, cycle) in scores}, register.name),
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


def _peers(
    db: Database, urn: str, peer_urns: list[str], named: set[str], with_result: set[str], names: dict[str, str]
) -> tuple[Peer, ...]:
    """Named where the actor may, else labelled in an order keyed by the server's secret."""
    key = _label_key(db)
    hidden = sorted(set(peer_urns) - named, key=lambda u: hmac.new(key, f"{urn}:{u}".encode(), hashlib.sha256).digest())
    out = [Peer(names[u], u, u in with_result) for u in sorted(named, key=lambda u: names[u])]
    return tuple(out + [Peer(f"School {_letters(i)}", None, u in with_result) for i, u in enumerate(hidden)])


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as spreadsheet columns."""
    text = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        text = chr(65 + rest) + text
    return text


_KEY_LOCK = threading.Lock()
_KEYS: dict[str, bytes] = {}


def _label_key(db: Database) -> bytes:
    """The server's secret for ordering anonymous labels: made once, stored in settings, shared by replicas."""
    with _KEY_LOCK:
        if db.url not in _KEYS:
            query = sa.select(settings.c.value).where(settings.c.key == "peer_label_key")
            with db.read() as conn:
                value = conn.execute(query).scalar()
            if value is None:
                with db.write() as conn:
                    value = conn.execute(query).scalar()
                    if value is None:
                        value = secrets.token_hex(32)
                        conn.execute(sa.insert(settings).values(key="peer_label_key", value=value))
            _KEYS[db.url] = bytes.fromhex(value)
        return _KEYS[db.url]


# --- reviews and their scores -----------------------------------------------------------------


@dataclass(frozen=True)
class _Pick:
    id: int
    urn: str
    cycle: str
    version: str
    status: str
    phase: str
    resourced_provision: bool
    updated_at: object
    has_nursery: bool = False
    has_sixth_form: bool = False


def _picked_reviews(db: Database, framework_id: str, urn: str, peer_urns: list[str]) -> dict[tuple[str, str], _Pick]:
    """(school, cycle) -> its latest submitted self-review; the school's own may be in progress."""
    wanted = {urn, *peer_urns}
    columns = ["id", "school_urn", "cycle", "framework_version", "status", "phase", "resourced_provision", "updated_at"]
    columns += ["has_nursery", "has_sixth_form"]
    query = (
        sa.select(*(reviews.c[c] for c in columns))
        .where(reviews.c.framework_id == framework_id, reviews.c.role == "self")
        .where(sa.or_(reviews.c.status == "submitted", reviews.c.school_urn == urn))
    )
    if len(wanted) <= 500:  # a long IN list costs more than reading the framework's few thousand rows
        query = query.where(reviews.c.school_urn.in_(sorted(wanted)))
    best: dict[tuple[str, str], tuple[tuple, _Pick]] = {}
    with db.read() as conn:
        for row in conn.execute(query):
            if row.school_urn in wanted:
                rank = (row.status == "submitted", row.updated_at, row.id)
                key = (row.school_urn, row.cycle)
                if key not in best or rank > best[key][0]:
                    best[key] = (rank, _Pick(*row))
    return {key: pick for key, (_, pick) in best.items()}


def _framework(db: Database, framework_id: str, picked: dict[tuple[str, str], _Pick], urn: str, cycle: str):
    """The version the school answered in this cycle, else the newest version any peer answered."""
    mine = picked.get((urn, cycle))
    version = mine.version if mine else max(p.version for p in picked.values())
    return frameworks.get_framework(db, framework_id, version)


Scores = dict[tuple[str, str], dict[str, tuple[float, str]]]  # (urn, cycle) -> measure -> (percent, band)
_KEPT: OrderedDict[tuple, object] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def _per_review(kind: str, db: Database, picks: list[_Pick], work: Callable[[list[_Pick]], dict[int, Any]]):
    """``work`` on the picks, reusing what is kept for submitted reviews: the same for every user, and
    valid until the review changes (its updated_at moves with every answer, submission and reopening)."""
    keys = {p.id: (kind, db.url, p.id, str(p.updated_at)) for p in picks if p.status == "submitted"}
    with _KEPT_LOCK:
        found = {rid: _KEPT[k] for rid, k in keys.items() if k in _KEPT}
    todo = [p for p in picks if p.id not in found]
    if todo:
        fresh = work(todo)
        found.update(fresh)
        with _KEPT_LOCK:
            _KEPT.update((keys[rid], value) for rid, value in fresh.items() if rid in keys)
            while len(_KEPT) > KEPT_SIZE:
                _KEPT.popitem(last=False)
    return found


def _scores(db: Database, framework_id: str, picked: dict[tuple[str, str], _Pick]) -> Scores:
    """Every picked review's percents; those not kept are scored in one batch per framework version."""

    def work(todo: list[_Pick]) -> dict[int, dict[str, tuple[float, str]]]:
        out: dict[int, dict[str, tuple[float, str]]] = {}
        for version in sorted({p.version for p in todo}):
            framework = frameworks.get_framework(db, framework_id, version)
            out |= _score_batch(db, framework, [p for p in todo if p.version == version])
        return out

    found = _per_review("scores", db, list(picked.values()), work)
    return {key: found[p.id] for key, p in picked.items() if found.get(p.id)}


def _score_batch(db: Database, framework: Framework, batch: list[_Pick]) -> dict[int, dict[str, tuple[float, str]]]:
    ids = [p.id for p in batch]
    with db.read() as conn:
        rows = conn.execute(
            sa.select(answers.c.review_id, answers.c.criterion_id, answers.c.response).where(
                answers.c.review_id.in_(ids)
            )
        ).all()
    responses = pd.DataFrame(rows, columns=["review_id", "criterion_id", "response"])
    table = pd.DataFrame(
        {
            "review_id": ids,
            "phase": [p.phase for p in batch],
            "resourced_provision": [p.resourced_provision for p in batch],
            "has_nursery": [p.has_nursery for p in batch],
            "has_sixth_form": [p.has_sixth_form for p in batch],
        }
    )
    try:
        tables = score_reviews(framework, responses, table)
    except InvalidInput:  # one unreadable stored answer must not hide every other school: score one by one
        return {} if len(batch) == 1 else {k: v for p in batch for k, v in _score_batch(db, framework, [p]).items()}
    out: dict[int, dict[str, tuple[float, str]]] = {rid: {} for rid in ids}
    for rid, pct, band in zip(
        tables.overall["review_id"], tables.overall["percent"], tables.overall["band"], strict=True
    ):
        if not pd.isna(pct):
            out[int(rid)][OVERALL] = (float(pct), str(band))
    d = tables.domains
    for rid, mid, pct, band in zip(d["review_id"], d["domain_id"], d["percent"], d["band"], strict=True):
        if not pd.isna(pct):
            out[int(rid)][str(mid)] = (float(pct), str(band))
    return out


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
    picked = {k: p for k, p in _picked_reviews(db, framework_id, school.urn, union).items() if k[1] == cycle}
    with_result = {u for (u, _) in _scores(db, framework_id, picked) if u != school.urn}
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
    picked: dict[tuple[str, str], _Pick],
    anonymous: bool = False,
) -> SencoTime | None:
    """Hours from the time-hours-* answers: of this framework if it asks them, else of the SENCO role audit."""
    source = framework.id if any(c.id.startswith(HOURS_PREFIX) for c in framework.criteria) else SENCO_FRAMEWORK
    if source != framework.id:
        picked = _picked_reviews(db, source, school.urn, peer_urns)
    if (school.urn, cycle) not in picked:
        return None
    source_title = frameworks.get_framework(db, source, picked[(school.urn, cycle)].version).title
    now = {urn: p for (urn, c), p in picked.items() if c == cycle}
    found = _per_review("hours", db, list(now.values()), lambda todo: _hours(db, todo))
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


def _hours(db: Database, picks: list[_Pick]) -> dict[int, float | None]:
    """Each review's protected hours: its first time-hours-* answer that is a number of 0 or more."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(answers.c.review_id, answers.c.response)
            .where(answers.c.review_id.in_([p.id for p in picks]), answers.c.criterion_id.like(f"{HOURS_PREFIX}%"))
            .order_by(answers.c.criterion_id)
        ).all()
    out: dict[int, float | None] = {p.id: None for p in picks}
    for rid, response in rows:
        value = parse_number(response) if response is not None else None
        if out[rid] is None and value is not None and value >= 0:
            out[rid] = value
    return out


def _none(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
