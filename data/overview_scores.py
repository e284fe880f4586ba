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
from scoring.themes import categorise, distinct

CHUNK = 500  # ids per IN list: short enough for any database
BLOCK = 4096  # answer rows turned into an array at a time


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
    300,000 rows, and row objects would cost more than the scoring. The only values put into the SQL
    text are the review ids, which are integers."""
    blocks = [np.empty((0, 3), dtype=object)]
    with db.read() as conn:
        cursor = conn.connection.cursor()
        try:
            for start in range(0, len(ids), CHUNK):
                chunk = [int(i) for i in ids[start : start + CHUNK]]
                query = sa.select(answers.c.review_id, answers.c.criterion_id, answers.c.response)
                query = query.where(answers.c.review_id.in_(chunk))
                cursor.execute(str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
                while rows := cursor.fetchmany(BLOCK):
                    blocks.append(np.array(rows, dtype=object).reshape(len(rows), 3))
        finally:
            cursor.close()
    # a block at a time into an (answers x 3) array: far quicker than row objects or zip(*rows) over 300,000
    # tuples, and the tuples never pile up; the criterion ids are coded once here for the scorer and categories
    table = np.concatenate(blocks)
    codes, criteria = pd.factorize(table[:, 1])
    return pd.DataFrame(
        {
            "review_id": table[:, 0].astype(np.int64),
            "criterion_id": pd.Categorical.from_codes(codes, categories=pd.Index(criteria, dtype=object)),
            "response": pd.Series(table[:, 2], dtype=object),
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
    d = tables.domains  # read as plain arrays: iterating pandas string columns cell by cell is slow
    percent = d["percent"].to_numpy(dtype=float)
    for rid, did, pct, band, lim in zip(
        d["review_id"].to_numpy().tolist(),
        d["domain_id"].to_numpy(dtype=object).tolist(),
        [None if v != v else v for v in percent.tolist()],  # NaN != NaN: no percent
        d["band"].to_numpy(dtype=object).tolist(),
        d["limited"].to_numpy(dtype=bool).tolist(),
        strict=True,
    ):
        per[rid][did] = (pct, band, lim)
    o = tables.overall
    answered = zip(o["answered"].tolist(), o["applicable"].tolist(), strict=True)
    progress: dict[int, tuple[int, int]] = dict(zip(o["review_id"].to_numpy().tolist(), answered, strict=True))
    c = tables.compliance
    c = c[(c["status"] == "not_met").to_numpy(dtype=bool)]  # the few unmet of every statutory criterion
    unmet: dict[int, list[str]] = {}
    for rid, cid in zip(c["review_id"].tolist(), c["criterion_id"].tolist(), strict=True):
        unmet.setdefault(rid, []).append(cid)
    review_ids, crit, words, low = _categorised(framework, responses)
    order = np.argsort(review_ids, kind="stable")
    review_ids, crit, words, low = review_ids[order], crit[order], words[order], low[order]
    out = {}
    for p in batch:
        lo, hi = np.searchsorted(review_ids, p.id, "left"), np.searchsorted(review_ids, p.id, "right")
        out[p.id] = Scored(
            per[p.id], *progress.get(p.id, (0, 0)), tuple(unmet.get(p.id, ())), crit[lo:hi], words[lo:hi], low[lo:hi]
        )
    return out


def _categorised(framework: Framework, responses: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """review_id, criterion_id, category, lowest of every categorised row, in the order given: each
    distinct (criterion, answer) pair is categorised once, then spread over the rows by code."""
    crit_codes = responses["criterion_id"].cat.codes.to_numpy()
    crit_ids = responses["criterion_id"].cat.categories.to_numpy(dtype=object)
    raw_codes, raws = pd.factorize(responses["response"].to_numpy(dtype=object), use_na_sentinel=True)
    width = len(raws) + 1  # code 0 is a blank (None) answer
    keys = crit_codes.astype(np.int64) * width + raw_codes + 1
    pairs, pair_of_row = distinct(keys, len(crit_ids) * width)
    criteria = framework.criteria_by_id
    words = np.empty(len(pairs), dtype=object)
    lowest = np.zeros(len(pairs), dtype=bool)
    found = np.zeros(len(pairs), dtype=bool)
    for i, pair in enumerate(pairs.tolist()):
        cid, raw = crit_ids[pair // width], (raws[pair % width - 1] if pair % width else None)
        try:
            got = categorise(framework, criteria[cid], raw) if cid in criteria else None
        except (ValueError, TypeError):
            got = None
        if got is not None:
            words[i], lowest[i], found[i] = got[0], got[1], True
    rows = found[pair_of_row]
    kept_pairs = pair_of_row[rows]
    return responses["review_id"].to_numpy()[rows], crit_ids[crit_codes[rows]], words[kept_pairs], lowest[kept_pairs]
