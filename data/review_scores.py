"""Which self-reviews count in a comparison, and their scores, kept per process.

Scores of submitted reviews are the same for every user, so they are kept keyed by review and its
last change (``updated_at`` moves with every answer, submission and reopening); nothing
actor-specific is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import frameworks
from data.db import Database
from data.tables import answers, reviews
from framework.models import Framework
from framework.problems import InvalidInput
from framework.responses import parse_number
from scoring import score_reviews
from scoring.senco_time import HOURS_PREFIX

OVERALL = "overall"
KEPT_SIZE = 250_000  # per-review scores and hours kept per process (a few hundred bytes each)


@dataclass(frozen=True)
class Pick:
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


def picked_reviews(db: Database, framework_id: str, urn: str, peer_urns: list[str]) -> dict[tuple[str, str], Pick]:
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
    best: dict[tuple[str, str], tuple[tuple, Pick]] = {}
    with db.read() as conn:
        for row in conn.execute(query):
            if row.school_urn in wanted:
                rank = (row.status == "submitted", row.updated_at, row.id)
                key = (row.school_urn, row.cycle)
                if key not in best or rank > best[key][0]:
                    best[key] = (rank, Pick(*row))
    return {key: pick for key, (_, pick) in best.items()}


Scores = dict[tuple[str, str], dict[str, tuple[float, str]]]  # (urn, cycle) -> measure -> (percent, band)
_KEPT: OrderedDict[tuple, object] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def per_review(kind: str, db: Database, picks: list[Pick], work: Callable[[list[Pick]], dict[int, Any]]):
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


def scores_of(db: Database, framework_id: str, picked: dict[tuple[str, str], Pick]) -> Scores:
    """Every picked review's percents; those not kept are scored in one batch per framework version."""

    def work(todo: list[Pick]) -> dict[int, dict[str, tuple[float, str]]]:
        out: dict[int, dict[str, tuple[float, str]]] = {}
        for version in sorted({p.version for p in todo}):
            framework = frameworks.get_framework(db, framework_id, version)
            out |= _score_batch(db, framework, [p for p in todo if p.version == version])
        return out

    found = per_review("scores", db, list(picked.values()), work)
    return {key: found[p.id] for key, p in picked.items() if found.get(p.id)}


def _score_batch(db: Database, framework: Framework, batch: list[Pick]) -> dict[int, dict[str, tuple[float, str]]]:
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


def hours_of(db: Database, picks: list[Pick]) -> dict[int, float | None]:
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
