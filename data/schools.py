"""The school register, filtered by who is looking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import access
from data.access import Actor, NotAllowed, NotFound, SchoolRef
from data.audit import record
from data.consent import shared_by
from data.db import Database, in_chunks
from data.tables import schools

REGISTER_COLUMNS = [c.name for c in schools.columns if c.name != "demo"]
OPTIONAL_FLAGS = frozenset({"has_nursery", "has_sixth_form"})


@dataclass(frozen=True)
class School:
    urn: str
    name: str
    la: str
    phase: str
    type: str
    pupils: int | None
    fsm_pct: float | None
    sen_support_pct: float | None
    ehcp_pct: float | None
    resourced_provision: bool
    demo: bool
    has_nursery: bool = False
    has_sixth_form: bool = False
    shares: frozenset[str] = field(default=frozenset())  # consents given (data.consent)

    @property
    def ref(self) -> SchoolRef:
        return SchoolRef(self.urn, self.la, self.shares)


def list_schools(db: Database, actor: Actor) -> list[School]:
    with db.read() as conn:
        rows = conn.execute(sa.select(schools).where(access.visible_schools(actor)).order_by(schools.c.name)).all()
        given = shared_by(conn, [row.urn for row in rows])
    return [School(**row._mapping, shares=given.get(row.urn, frozenset())) for row in rows]


def get_school(db: Database, actor: Actor, urn: str) -> School:
    with db.read() as conn:
        row = conn.execute(sa.select(schools).where(schools.c.urn == urn)).first()
        given = shared_by(conn, [urn]).get(urn, frozenset())
    if row is None or not access.allowed(actor, "read", SchoolRef(row.urn, row.la)):
        raise NotFound(f"There is no school with URN {urn} that you can see.")
    return School(**row._mapping, shares=given)


def upsert_schools(db: Database, actor: Actor, register: pd.DataFrame, *, demo: bool = False) -> int:
    """Insert or update register rows (already validated); all or nothing.

    Permission is checked inside the write transaction, on the row as the file gives it and, for a
    school already stored, on the stored row too: a file naming another authority's school with the
    uploader's LA must not move it. Moving a school between LAs is an administrator's act only, and
    each move is audited with the URN, the old LA and the new one.
    """
    columns = [c for c in REGISTER_COLUMNS if c in register.columns or c not in OPTIONAL_FLAGS]
    rows: list[dict[str, Any]] = [
        {col: (None if pd.isna(val) else val) for col, val in rec.items()}
        for rec in register[columns].to_dict("records")
    ]
    for row in rows:
        row["urn"] = str(row["urn"])
        row["type"] = row["type"] or ""
        row["resourced_provision"] = bool(row["resourced_provision"])
        for flag in OPTIONAL_FLAGS.intersection(row):  # a file without them leaves a school's flags alone
            row[flag] = bool(row[flag])
        row["demo"] = demo
    with db.write() as conn:
        urns = [r["urn"] for r in rows]
        stored: dict[str, str] = {}
        for chunk in in_chunks(urns):
            query = sa.select(schools.c.urn, schools.c.la).where(schools.c.urn.in_(chunk))
            if not db.is_sqlite:
                query = query.with_for_update()  # a concurrent move of the same row waits for us
            stored.update({urn: la for urn, la in conn.execute(query).all()})
        moves = _check_register_write(actor, rows, stored)
        new = [r for r in rows if r["urn"] not in stored]
        if new:
            conn.execute(sa.insert(schools), new)
        for row in (r for r in rows if r["urn"] in stored):
            conn.execute(sa.update(schools).where(schools.c.urn == row["urn"]).values(**row))
        for urn, old_la, new_la in moves:
            record(conn, actor, "school_moved_la", school_urn=urn, detail=f"URN {urn}: LA {old_la!r} -> {new_la!r}")
        record(conn, actor, "register_updated", detail=f"{len(new)} added, {len(rows) - len(new)} updated")
    return len(rows)


def _check_register_write(actor: Actor, rows: list[dict], stored: dict[str, str]) -> list[tuple[str, str, str]]:
    """Refuse the whole write unless the actor may write every row as stored and as given; the moves."""
    moves: list[tuple[str, str, str]] = []
    for row in rows:
        access.require(actor, "write", SchoolRef(row["urn"], row["la"]))
        old_la = stored.get(row["urn"])
        if old_la is None:
            continue
        access.require(actor, "write", SchoolRef(row["urn"], old_la))
        if old_la != row["la"]:
            if actor.role != "admin":
                raise NotAllowed(
                    f"School {row['urn']} is registered in {old_la}; only an administrator can move a school"
                    " to another local authority."
                )
            moves.append((row["urn"], old_la, row["la"]))
    return moves
