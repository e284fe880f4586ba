"""Put the fictional demo LA into a database: its schools and three cycles of reviews."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.access import OPERATOR, SHARE_WITH_LA, SHARE_WITH_PEERS
from data.audit import record
from data.db import Database
from data.demo import demo_answers, demo_schools
from data.demo_plans import load_demo_plans
from data.demo_visits import load_demo_visits
from data.schools import upsert_schools
from data.tables import answers, consents, reviews
from framework.library import builtin_frameworks

CYCLES = ("2023/24", "2024/25", "2025/26")
DRAFT_SHARE = 0.15  # the latest cycle keeps some reviews in progress, as a real LA would
# Most demo schools share with their LA and their peer reviewers; a few do not, so the demo shows both.
CONSENT_SHARE = {SHARE_WITH_LA: 0.9, SHARE_WITH_PEERS: 0.95}


@dataclass(frozen=True)
class DemoSummary:
    schools: int
    reviews: int
    answers: int


def load_demo(db: Database, seed: int = 7, *, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Progress is reported once per framework (the three built-ins each take a similar time)."""
    register = demo_schools(seed=seed)
    upsert_schools(db, OPERATOR, register, demo=True)
    phase = dict(zip(register["urn"].astype(str), register["phase"], strict=True))
    provision = dict(zip(register["urn"].astype(str), register["resourced_provision"].astype(bool), strict=True))
    traits = register.set_index(register["urn"].astype(str))[["has_nursery", "has_sixth_form"]].astype(bool)
    rng = np.random.default_rng(seed)
    n_reviews = n_answers = 0
    with db.write() as conn:
        library = builtin_frameworks()
        for done, framework in enumerate(library, start=1):
            generated = demo_answers(framework, register, cycles=CYCLES, seed=seed)
            generated["urn"] = generated["urn"].astype(str)
            for (cycle, urn), mine in generated.groupby(["cycle", "urn"], sort=True):
                stamp = _cycle_date(cycle)
                draft = cycle == CYCLES[-1] and rng.random() < DRAFT_SHARE
                review_id = conn.execute(
                    sa.insert(reviews)
                    .values(
                        school_urn=urn,
                        framework_id=framework.id,
                        framework_version=framework.version,
                        cycle=cycle,
                        role="self",
                        reviewer_name="Demo SENCO (fictional)",
                        phase=phase[urn],
                        resourced_provision=provision[urn],
                        has_nursery=bool(traits.at[urn, "has_nursery"]),
                        has_sixth_form=bool(traits.at[urn, "has_sixth_form"]),
                        status="draft" if draft else "submitted",
                        created_at=stamp,
                        updated_at=stamp,
                        submitted_at=None if draft else stamp,
                        demo=True,
                    )
                    .returning(reviews.c.id)
                ).scalar_one()
                rows = [
                    {
                        "review_id": review_id,
                        "criterion_id": cid,
                        "response": None if pd.isna(resp) or str(resp).strip() == "" else str(resp),
                        "evidence": "",
                        "version": 1,
                        "updated_at": stamp,
                    }
                    for cid, resp in zip(mine["criterion_id"], mine["response"], strict=True)
                ]
                if rows:
                    conn.execute(sa.insert(answers), rows)
                n_reviews += 1
                n_answers += len(rows)
            if progress is not None:
                progress(done, len(library))
        given = [
            {"school_urn": urn, "scope": scope, "given_at": _cycle_date(CYCLES[0]), "given_by_name": "Demo SENCO"}
            for scope, share in CONSENT_SHARE.items()
            for urn in phase
            if rng.random() < share
        ]
        conn.execute(sa.insert(consents), given)
        load_demo_visits(conn, seed)  # peer review visits with agreed reviews (data/demo_visits.py)
        load_demo_plans(conn, seed)  # a dozen schools' action plans from their 2024/25 audit (data/demo_plans.py)
        record(conn, OPERATOR, "demo_loaded", detail=f"seed {seed}: {len(register)} schools, {n_reviews} reviews")
    return DemoSummary(len(register), n_reviews, n_answers)


def _cycle_date(cycle: str) -> datetime:
    """Reviews of a cycle are dated in its spring term."""
    return datetime(int(cycle[:4]) + 1, 3, 15, 10, 0, tzinfo=UTC)
