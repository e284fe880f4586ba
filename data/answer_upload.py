"""Bringing a checked response workbook into a review without losing what was given online.

Two rules, both about answers the workbook does not really speak for:

* a blank cell does not clear a stored answer unless the user confirmed it ("also clear the N
  answers left blank in the workbook");
* an answer changed online after the workbook was downloaded (its time is recorded in the
  workbook) is kept: the workbook was filled in without seeing it.

``upload_effect`` tells the page both numbers before anything is stored; ``merge_answers`` applies
the rules in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import overload

import pandas as pd
import sqlalchemy as sa

from data.access import Actor, NotAllowed
from data.audit import now, record
from data.db import Database
from data.reviews import SUBMITTED_UPLOAD, MergeSummary, _checked, _checked_in, _still_draft
from data.tables import answers


@dataclass(frozen=True)
class UploadEffect:
    """What an upload would do to answers it does not speak for."""

    blank: int  # stored answers whose cell in the workbook is blank
    newer: int  # answers changed online since the workbook was downloaded (kept)
    latest_change: datetime | None  # the review's latest answer change


@overload
def _utc(stamp: datetime) -> datetime: ...
@overload
def _utc(stamp: None) -> None: ...
def _utc(stamp: datetime | None) -> datetime | None:
    if stamp is None:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _rows(conn: sa.Connection, review_id: int) -> dict[str, sa.Row]:
    return {r.criterion_id: r for r in conn.execute(sa.select(answers).where(answers.c.review_id == review_id)).all()}


def _read(item: object) -> tuple[str | None, str]:
    raw, note = item.response, item.evidence  # type: ignore[attr-defined]
    response = None if pd.isna(raw) or str(raw).strip() == "" else str(raw)
    return response, "" if pd.isna(note) else str(note)


def _clears(old: sa.Row, response: str | None, evidence: str) -> bool:
    """Whether blank cells would clear a stored answer or note."""
    return (response is None and old.response is not None) or (not evidence and bool(old.evidence))


def _newer(row: sa.Row | None, downloaded_at: datetime | None) -> bool:
    stamp = _utc(row.updated_at) if row is not None else None
    return downloaded_at is not None and stamp is not None and stamp > _utc(downloaded_at)


def upload_effect(
    db: Database, actor: Actor, review_id: int, responses: pd.DataFrame, downloaded_at: datetime | None
) -> UploadEffect:
    _checked(db, actor, review_id, "write")
    with db.read() as conn:
        stored = _rows(conn, review_id)
    blank = newer = 0
    for item in responses.itertuples(index=False):
        old = stored.get(item.criterion_id)
        if _newer(old, downloaded_at):
            assert old is not None  # only a stored answer can be newer
            newer += 1 if (old.response, old.evidence) != _read(item) else 0
        elif old is not None and _clears(old, *_read(item)):
            blank += 1
    latest = max((_utc(r.updated_at) for r in stored.values() if r.updated_at is not None), default=None)
    return UploadEffect(blank, newer, latest)


def merge_answers(
    db: Database,
    actor: Actor,
    review_id: int,
    responses: pd.DataFrame,
    *,
    clear_blanks: bool = False,
    downloaded_at: datetime | None = None,
) -> MergeSummary:
    """Bring in a validated response workbook, all in one transaction (see the module's two rules)."""
    stamp = now()
    counts = dict.fromkeys(("added", "changed", "cleared", "unchanged", "kept_blank", "kept_newer"), 0)
    with db.write() as conn:
        # The permission and the draft status are checked in the transaction that writes.
        review = _checked_in(conn, actor, review_id, "write")
        if review.locked:
            raise NotAllowed(SUBMITTED_UPLOAD)
        stored = _rows(conn, review_id)
        for item in responses.itertuples(index=False):
            response, evidence = _read(item)
            old = stored.get(item.criterion_id)
            if old is None:
                if response is None and not evidence:
                    continue
                conn.execute(
                    sa.insert(answers).values(
                        review_id=review_id,
                        criterion_id=item.criterion_id,
                        response=response,
                        evidence=evidence,
                        version=1,
                        updated_at=stamp,
                        updated_by=actor.id,
                    )
                )
                counts["added"] += 1
                continue
            if (old.response, old.evidence) == (response, evidence):
                counts["unchanged"] += 1
                continue
            if _newer(old, downloaded_at):
                counts["kept_newer"] += 1
                continue
            if not clear_blanks and _clears(old, response, evidence):
                counts["kept_blank"] += 1
                response = old.response if response is None else response
                evidence = evidence or old.evidence
                if (old.response, old.evidence) == (response, evidence):
                    continue
            counts["cleared" if response is None and old.response is not None else "changed"] += 1
            conn.execute(
                sa.update(answers)
                .where((answers.c.review_id == review_id) & (answers.c.criterion_id == item.criterion_id))
                .values(response=response, evidence=evidence, version=old.version + 1)
                .values(updated_at=stamp, updated_by=actor.id)
            )
        _still_draft(conn, review_id, stamp, SUBMITTED_UPLOAD)
        summary = MergeSummary(**counts)
        detail = summary.sentence()
        record(conn, actor, "answers_uploaded", school_urn=review.school_urn, review_id=review_id, detail=detail)
    return summary
