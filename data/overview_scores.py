"""Scores, statutory duties and categorised answers of many reviews, for the LA overview, one batch at a time.

Every review is scored by the batch scorer (``scoring.score_reviews``), one call per framework
version; its answers are read once and categorised per distinct (criterion, answer) pair for the
themes. Results are kept per process, keyed by review and its last change, so a second look at an
overview of 1,000 schools reads no answers at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data import frameworks
from data.db import Database
from data.review_scores import KEPT_SIZE
from data.tables import answers
from framework.models import Framework
from framework.problems import InvalidInput
from scoring import score_reviews
from scoring.themes import categorise

CHUNK = 500  # ids per IN list: short enough for any database


@dataclass(frozen=True)
class Pick:
    """One review the overview uses (the fields ``_per_review`` keys on: id, status, updated_at)."""

    id: int
    urn: str
    cycle: str
    role: str
    version: str
    status: str
    phase: str
    resourced_provision: bool
    updated_at: object
    submitted_at: object


@dataclass(frozen=True)
class Scored:
    """One review's results: per domain (percent, band, limited), overall, progress and unmet duties."""

    domains: dict[str, tuple[float | None, str, bool]]
    answered: int
    applicable: int
    unmet: tuple[str, ...]  # statutory criterion ids answered "No"
    criteria: np.ndarray  # categorised answers, three parallel arrays: criterion id,
    categories: np.ndarray  # the answer's category in words,
    lowest: np.ndarray  # and whether it is the lowest level or "No"


def scored(db: Database, framework_id: str, picks: list[Pick]) -> dict[int, Scored]:
    """Review id -> its results (reviews that cannot be read are left out rather than hide the rest)."""

    def work(todo: list[Pick]) -> dict[int, Scored]:
        out: dict[int, Scored] = {}
        for version in sorted({p.version for p in todo}):
            framework = frameworks.get_framework(db, framework_id, version)
            batch = [p for p in todo if p.version == version]
            out |= _score(framework, batch, _answers(db, [p.id for p in batch]))
        return out

    return kept(db, picks, work)


_KEPT: OrderedDict[tuple, Scored] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def kept(db: Database, picks: list[Pick], work: Callable[[list[Pick]], dict[int, Scored]]) -> dict[int, Scored]:
    """``work`` on the picks not kept yet. Unlike the comparison, reviews in progress are kept too: a
    review's updated_at moves with every answer, so a changed review is a new key and never stale."""
    keys = {p.id: (db.url, p.id, str(p.updated_at)) for p in picks}
    with _KEPT_LOCK:
        found = {rid: _KEPT[k] for rid, k in keys.items() if k in _KEPT}
    todo = [p for p in picks if p.id not in found]
    if todo:
        fresh = work(todo)
        found.update(fresh)
        with _KEPT_LOCK:
            _KEPT.update((keys[rid], value) for rid, value in fresh.items())
            while len(_KEPT) > KEPT_SIZE:
                _KEPT.popitem(last=False)
    return found


def _answers(db: Database, ids: list[int]) -> pd.DataFrame:
    """The answers of these reviews, read with the driver's own cursor: at 1,000 schools that is some
    200,000 rows, and row objects would cost more than the scoring. The only values put into the SQL
    text are the review ids, which are integers."""
    rows: list = []
    with db.read() as conn:
        cursor = conn.connection.cursor()
        try:
            for start in range(0, len(ids), CHUNK):
                chunk = [int(i) for i in ids[start : start + CHUNK]]
                query = sa.select(answers.c.review_id, answers.c.criterion_id, answers.c.response)
                query = query.where(answers.c.review_id.in_(chunk))
                cursor.execute(str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
                rows += cursor.fetchall()
        finally:
            cursor.close()
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]  # by column: far quicker than row objects
    return pd.DataFrame(
        {
            "review_id": np.array(columns[0], dtype=np.int64),
            "criterion_id": pd.Series(columns[1], dtype=object),
            "response": pd.Series(columns[2], dtype=object),
        }
    )


def _score(framework: Framework, batch: list[Pick], responses: pd.DataFrame) -> dict[int, Scored]:
    table = pd.DataFrame(
        {
            "review_id": [p.id for p in batch],
            "phase": [p.phase for p in batch],
            "resourced_provision": [p.resourced_provision for p in batch],
        }
    )
    try:
        tables = score_reviews(framework, responses, table)
    except InvalidInput:  # one unreadable stored answer must not hide every other school: score one by one
        if len(batch) == 1:
            return {}
        out: dict[int, Scored] = {}
        for p in batch:
            out |= _score(framework, [p], responses[responses["review_id"] == p.id])
        return out
    per: dict[int, dict[str, tuple[float | None, str, bool]]] = {p.id: {} for p in batch}
    d = tables.domains
    for rid, did, pct, band, lim in zip(
        d["review_id"], d["domain_id"], d["percent"], d["band"], d["limited"], strict=True
    ):
        per[int(rid)][str(did)] = (None if pct != pct else float(pct), str(band), bool(lim))  # NaN != NaN
    progress = {
        int(r): (int(a), int(n))
        for r, a, n in tables.overall[["review_id", "answered", "applicable"]].itertuples(index=False)
    }
    c = tables.compliance
    unmet: dict[int, list[str]] = {}
    for rid, cid in zip(
        c["review_id"][c["status"] == "not_met"], c["criterion_id"][c["status"] == "not_met"], strict=True
    ):
        unmet.setdefault(int(rid), []).append(str(cid))
    cats = _categorised(framework, responses)
    cats = cats.sort_values("review_id", kind="stable")
    rid = cats["review_id"].to_numpy()
    crit, words, low = (
        cats[c].to_numpy(t) for c, t in (("criterion_id", object), ("category", object), ("lowest", bool))
    )
    out = {}
    for p in batch:
        lo, hi = np.searchsorted(rid, p.id, "left"), np.searchsorted(rid, p.id, "right")
        out[p.id] = Scored(
            per[p.id], *progress.get(p.id, (0, 0)), tuple(unmet.get(p.id, ())), crit[lo:hi], words[lo:hi], low[lo:hi]
        )
    return out


def _categorised(framework: Framework, responses: pd.DataFrame) -> pd.DataFrame:
    """review_id, criterion_id, category, lowest: each distinct (criterion, answer) pair read once."""
    pairs = responses[["criterion_id", "response"]].drop_duplicates()
    criteria = framework.criteria_by_id
    found = []
    for cid, raw in pairs.itertuples(index=False):
        try:
            got = categorise(framework, criteria[cid], raw) if cid in criteria else None
        except (ValueError, TypeError):
            got = None
        if got is not None:
            found.append((cid, raw, *got))
    table = pd.DataFrame(found, columns=["criterion_id", "response", "category", "lowest"])
    return responses.merge(table, on=["criterion_id", "response"])[["review_id", "criterion_id", "category", "lowest"]]
