"""The LA advisor's overview: every school of the LA for one framework and cycle, its flags, the themes
across the authority, change since the last cycle and completion, from one call.

Who sees what is the access policy's: the schools are the actor's register rows (an LA advisor: their
LA; an admin: every LA, or the one asked for). A school is a *row*, with its name, only where
``access.may_name`` allows (it shares with its LA); every other school is counted in the
distributions, medians, change counts and completion, never named. Groups under 5 schools show no
distribution (``scoring.themes``). Rules are ``scoring.flags``; arithmetic is the batch scorer's.

A handful of queries whatever the number of schools: the schools with their consent, the named
groups, the framework's reviews, each school's latest submission, the cycle's submissions register-wide
(for similar schools), and the answers of reviews not already scored in this process.

    >>> overview = la_overview(db, actor, "senco-role-audit", "2025/26")
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data import access, action_plans, frameworks, groups
from data.access import SHARE_WITH_LA, Actor, NotAllowed, NotFound, SchoolRef
from data.audit import record
from data.db import Database
from data.overview_model import Cell, Overview, SchoolRow
from data.overview_scores import Pick, Scored, scored
from data.tables import reviews, school_group_members, school_groups, schools
from framework.models import Framework
from framework.problems import InvalidInput, Problem
from scoring import flags, themes
from scoring.flags import DomainFacts, SchoolFacts
from scoring.peers import peer_group

ROLES = ("la", "admin")


def la_overview(
    db: Database,
    actor: Actor,
    framework_id: str,
    cycle: str | None = None,
    *,
    la: str | None = None,
    action: access.Action = "read",
    today: date | None = None,
) -> Overview:
    """Everything the overview shows. An admin may name an ``la``; ``action="export"`` records the export.

    Raises NotAllowed for roles other than la and admin, NotFound for an unknown framework or one no
    school of the LA has a self-review of (when no cycle is named).
    """
    if actor.role not in ROLES:
        raise NotAllowed("The LA overview is for LA advisors and administrators.")
    if cycle is not None and not re.fullmatch(r"\d{4}/\d{2}", cycle):
        raise InvalidInput([Problem("cycle", f'"{cycle}" is not a review cycle such as 2025/26')])
    today = today or access.today()
    scope = access.visible_schools(actor) & (schools.c.la == la if la else sa.true())
    with db.read() as conn:
        school_rows = conn.execute(
            sa.select(schools.c.urn, schools.c.name, schools.c.la, schools.c.phase, schools.c.type)
            .add_columns(schools.c.resourced_provision, access.shares(schools.c.urn, SHARE_WITH_LA).label("shares"))
            .where(scope)
            .order_by(schools.c.name, schools.c.urn)
        ).all()
        member_rows = conn.execute(
            sa.select(school_group_members.c.urn, school_groups.c.name)
            .join(school_groups)
            .join(schools, schools.c.urn == school_group_members.c.urn)
            .where(scope, school_groups.c.la == schools.c.la)
        ).all()
        review_rows = conn.execute(_reviews().join(schools).where(scope, reviews.c.framework_id == framework_id)).all()
        last_rows = conn.execute(
            sa.select(reviews.c.school_urn, sa.func.max(reviews.c.submitted_at))
            .join(schools)
            .where(scope, reviews.c.role == "self", reviews.c.status == "submitted")
            .group_by(reviews.c.school_urn)
        ).all()
    cycles = sorted({r.cycle for r in review_rows if r.role == "self"})
    if cycle is None and not cycles:
        raise NotFound(f"No school you can see has a self-review of the framework {framework_id} yet.")
    cycle = cycle or cycles[-1]
    peer_rows = _register_wide(db, framework_id, cycle)
    register = groups.register(db)
    actions = action_plans.items_due(db, [r.urn for r in school_rows])
    inputs = (school_rows, member_rows, review_rows, last_rows, peer_rows)
    key: tuple = (db.url, actor.role, actor.la, actor.id, la, framework_id, cycle, today, id(register))
    key += tuple(tuple(tuple(r) for r in rows) for rows in inputs)
    key += (tuple(sorted((urn, tuple(items)) for urn, items in actions.items())),)
    with _KEPT_LOCK:
        found = _KEPT.get(key)
    if found is None:
        found = _build(db, actor, framework_id, cycle, today, register, actions, *inputs)
        with _KEPT_LOCK:
            _KEPT[key] = found
            while len(_KEPT) > KEPT_OVERVIEWS:
                _KEPT.popitem(last=False)
    if action == "export":
        with db.write() as conn:
            detail = (
                f"{framework_id} {cycle}: {len(found.schools)} schools named, {found.completion['schools']} counted"
            )
            record(conn, actor, "overview_exported", detail=detail)
    return found


# Whole overviews, keyed by who asks and every row they were made from: a second look re-reads the rows
# (a few queries) and nothing else; any change to a review, consent, group or the register is a new key.
KEPT_OVERVIEWS = 16
_KEPT: OrderedDict[tuple, Overview] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def _build(
    db,
    actor,
    framework_id,
    cycle,
    today,
    register,
    actions,
    school_rows,
    member_rows,
    review_rows,
    last_rows,
    peer_rows,
) -> Overview:
    """The overview from the rows read (see ``la_overview``)."""
    picks = [Pick(*r) for r in review_rows]
    cycles = sorted({p.cycle for p in picks if p.role == "self"})
    earlier = [c for c in cycles if c < cycle]
    previous = earlier[-1] if earlier else None
    framework = _framework(db, framework_id, picks, cycle)

    self_best = _best(p for p in picks if p.role == "self" and p.status == "submitted" and p.cycle <= cycle)
    drafts = _best(p for p in picks if p.role == "self" and p.cycle == cycle and p.status != "submitted")
    drafts = {k: v for k, v in drafts.items() if k not in self_best}
    agreed = _best(p for p in picks if p.role == "agreed" and p.status == "submitted" and p.cycle == cycle)
    visited = {p.urn for p in picks if p.role in ("peer", "agreed") and p.status == "submitted" and p.cycle == cycle}
    results = scored(db, framework_id, [*self_best.values(), *drafts.values(), *agreed.values()])
    peers_now = {urn: p for (urn, _), p in _best(Pick(*r) for r in peer_rows).items()}
    peer_results = scored(db, framework_id, list(peers_now.values()))

    bands = tuple(lv.label for lv in framework.default_scale.levels)
    position = {label: i for i, label in enumerate(bands)}
    urns = [r.urn for r in school_rows]
    phase_words = {
        r.urn: groups.GROUP_WORDS.get(peer_group(r.phase, r.type or "mainstream"), r.phase) for r in school_rows
    }
    named = [r for r in school_rows if access.may_name(actor, SchoolRef(r.urn, r.la, _shares(r.shares)))]
    member_of: dict[str, list[str]] = {}
    for urn, name in member_rows:
        member_of.setdefault(urn, []).append(name)
    last = {urn: _as_date(when) for urn, when in last_rows}
    peers = _PeerPercents(peers_now, peer_results, register.similar()) if named else None

    def domains_of(urn: str, c: str | None, source: dict = self_best) -> dict[str, tuple[float | None, str, bool]]:
        pick = source.get((urn, c))
        got = results.get(pick.id) if pick else None
        return got.domains if got else {}

    def positions(domains: dict[str, tuple[float | None, str, bool]]) -> dict[str, int | None]:
        return {did: position.get(v[1]) for did, v in domains.items()}

    progress = {
        u: _progress(u, cycle, self_best, drafts, results, visited, r.shares)
        for u, r in zip(urns, school_rows, strict=True)
    }
    changes: list[tuple[str, str | None]] = []
    rows = []
    named_urns = {r.urn for r in named}
    domain_ids = [d.id for d in framework.domains]
    titles = {d.id: d.title for d in framework.domains}
    duties = {cid: c.text for cid, c in framework.criteria_by_id.items()}
    for r in school_rows:
        now = domains_of(r.urn, cycle)
        shown = [did for did in domain_ids if did in now]  # framework order
        band_now, band_before = positions(now), positions(domains_of(r.urn, previous))
        change = {did: themes.band_change(band_now[did], band_before.get(did)) for did in shown}
        changes += change.items()
        if r.urn not in named_urns:
            continue
        mine = self_best.get((r.urn, cycle))
        got = results.get(mine.id) if mine else None
        band_agreed = positions(domains_of(r.urn, cycle, agreed))
        peer_pcts = peers.of(r.urn) if peers else {}
        facts = SchoolFacts(
            bands=bands,
            domains=[
                DomainFacts(
                    did,
                    titles[did],
                    now[did][0],
                    band_now[did],
                    band_before.get(did),
                    band_agreed.get(did),
                    peer_pcts.get(did, ()),
                )
                for did in shown
            ],
            unmet_duties=[duties[c] for c in (got.unmet if got else ()) if c in duties],
            last_submitted=last.get(r.urn),
            actions=actions.get(r.urn, []),
        )
        cells = tuple(Cell(did, *now[did]) for did in shown)
        rows.append(
            SchoolRow(
                r.urn, r.name, r.phase, r.type or "mainstream", bool(r.resourced_provision),
                tuple(sorted(member_of.get(r.urn, []))), progress[r.urn], mine.id if mine else None,
                cells, tuple(flags.school_flags(facts, today)), change, last.get(r.urn),
            )
        )  # fmt: skip

    answers_now = _answer_table(self_best, results, cycle, phase_words)
    answers_before = _answer_table(self_best, results, previous, phase_words)
    band_table = pd.DataFrame(
        [
            (u, did, v[1])
            for (u, c), p in self_best.items()
            if c == cycle
            for did, v in results.get(p.id, _EMPTY).domains.items()
        ],
        columns=["urn", "domain_id", "band"],
    )
    percent_table = pd.DataFrame(
        [(c, did, v[0]) for (u, c), p in self_best.items() for did, v in results.get(p.id, _EMPTY).domains.items()],
        columns=["cycle", "domain_id", "percent"],
    )
    return Overview(
        framework_id=framework.id,
        framework_title=framework.title,
        cycle=cycle,
        previous_cycle=previous,
        cycles=tuple(sorted(set(cycles) | {cycle})),
        bands=bands,
        domains=tuple((d.id, d.title) for d in framework.domains),
        schools=tuple(rows),
        not_named=len(urns) - len(rows),
        completion=themes.completion(progress.values()),
        domain_distributions=tuple(themes.domain_distributions(band_table, framework, bands)),
        criterion_distributions=tuple(themes.criterion_distributions(answers_now, framework)),
        themes=tuple(themes.lowest_answers(answers_now, answers_before, framework)),
        change_counts=themes.change_counts(changes),
        medians=themes.medians(percent_table),
    )


_EMPTY = Scored({}, 0, 0, (), np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=bool))


def _reviews() -> sa.Select:
    columns = ["id", "school_urn", "cycle", "role", "framework_version", "status", "phase", "resourced_provision"]
    return sa.select(*(reviews.c[c] for c in columns), reviews.c.updated_at, reviews.c.submitted_at).where(
        reviews.c.role.in_(("self", "agreed", "peer"))
    )


def _best(picks) -> dict[tuple[str, str], Pick]:
    """(school, cycle) -> its latest review of those given, as the comparison picks them."""
    best: dict[tuple[str, str], Pick] = {}
    for p in picks:
        key = (p.urn, p.cycle)
        if key not in best or (p.updated_at, p.id) > (best[key].updated_at, best[key].id):
            best[key] = p
    return best


def _register_wide(db: Database, framework_id: str, cycle: str) -> Sequence[sa.Row]:
    """Every school's submitted self-review in the cycle, in any LA: the similar-school peers' values."""
    query = _reviews().where(
        reviews.c.framework_id == framework_id,
        reviews.c.cycle == cycle,
        reviews.c.role == "self",
        reviews.c.status == "submitted",
    )
    with db.read() as conn:
        return conn.execute(query).all()


class _PeerPercents:
    """Each school's similar schools' percents per domain in the cycle, nearest first, from one
    (school x domain) array: a row per school is taken at once rather than a value at a time."""

    def __init__(self, picks: dict[str, Pick], results: dict[int, Scored], similar: dict[str, list[str]]) -> None:
        domains = sorted({did for p in picks.values() for did in results.get(p.id, _EMPTY).domains})
        self.row = {urn: i for i, urn in enumerate(picks)}
        self.columns = {did: j for j, did in enumerate(domains)}
        self.table = np.full((len(picks) + 1, len(domains)), np.nan)  # the last row: a school without a result
        for urn, p in picks.items():
            for did, v in results.get(p.id, _EMPTY).domains.items():
                if v[0] is not None:
                    self.table[self.row[urn], self.columns[did]] = v[0]
        self.similar = similar

    def of(self, urn: str) -> dict[str, list[float]]:
        """domain -> the percents of the school's similar schools that have one, in their order."""
        missing = len(self.row)
        found = self.table[[self.row.get(u, missing) for u in self.similar.get(urn, [])]]
        out = {}
        for did, j in self.columns.items():
            column = found[:, j]
            column = column[~np.isnan(column)]
            if column.size:
                out[did] = column.tolist()
        return out


def _progress(urn, cycle, done, drafts, results, visited, shares) -> themes.Progress:
    if (urn, cycle) in done:
        return themes.Progress("peer_reviewed" if urn in visited else "submitted", shared=bool(shares))
    if (urn, cycle) in drafts:
        got = results.get(drafts[(urn, cycle)].id)
        return themes.Progress("in_progress", got.answered if got else 0, got.applicable if got else 0, bool(shares))
    return themes.Progress("not_started", shared=bool(shares))


def _answer_table(best: dict, results: dict[int, Scored], cycle: str | None, words: dict[str, str]) -> pd.DataFrame:
    """The categorised answers of every school's submitted self-review in the cycle (``themes.ANSWER_COLUMNS``)."""
    parts = [(u, results[p.id]) for (u, c), p in best.items() if c == cycle and p.id in results]
    if not parts:
        return pd.DataFrame({c: [] for c in themes.ANSWER_COLUMNS}).astype({"lowest": bool})
    sizes = [len(s.criteria) for _, s in parts]

    def text(values: list | np.ndarray) -> pd.Series:  # kept as Python strings: no copy into another string type
        return pd.Series(values, dtype=object)

    return pd.DataFrame(
        {
            "urn": text(np.repeat(np.array([u for u, _ in parts], dtype=object), sizes)),
            "group": text(np.repeat(np.array([words.get(u, "") for u, _ in parts], dtype=object), sizes)),
            "criterion_id": text(np.concatenate([s.criteria for _, s in parts])),
            "category": text(np.concatenate([s.categories for _, s in parts])),
            "lowest": np.concatenate([s.lowest for _, s in parts]).astype(bool),
        }
    )


def _framework(db: Database, framework_id: str, picks: list[Pick], cycle: str) -> Framework:
    """The newest version answered in the cycle, else the newest stored."""
    versions = sorted({p.version for p in picks if p.cycle == cycle})
    if versions:
        return frameworks.get_framework(db, framework_id, versions[-1])
    for fw in frameworks.list_frameworks(db):
        if fw.id == framework_id:
            return fw
    raise NotFound(f"There is no framework {framework_id}.")


def _shares(given: bool) -> frozenset[str]:
    return frozenset({SHARE_WITH_LA}) if given else frozenset()


def _as_date(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None


def overview_las(db: Database, actor: Actor) -> list[str]:
    """The LAs whose overview the actor may open: an advisor's own, every LA of the register for an admin."""
    if actor.role not in ROLES:
        return []
    query = sa.select(schools.c.la).where(access.visible_schools(actor)).distinct().order_by(schools.c.la)
    with db.read() as conn:
        return list(conn.execute(query).scalars())
