"""A school's action plan, per review cycle: actions saved as they are typed, with dated progress notes.

Every way in asks the access policy (``ActionPlanRef``) inside the transaction it guards: the
school's own staff and admins read and write; LA users read only while the school shares with its
LA; peers never. Every change is audited. An edit names the version it started from (as answers
do), so a stale tab cannot overwrite a newer change.

Open actions of earlier cycles come back beside the next cycle's results (``carried_actions``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access, frameworks, reviews
from data.access import ActionPlanRef, Actor, NotAllowed, NotFound, SchoolRef
from data.audit import now, record
from data.consent import shared_by
from data.db import Database, in_chunks
from data.tables import action_items, action_notes, schools
from framework.problems import InvalidInput, Problem
from scoring import criterion_contributions, score_review
from scoring.actions import ACTION_STATUSES, Suggestion, action_flags, merge_suggestions, suggest_actions

EDITABLE = ("what", "domain_id", "criteria", "lead", "due_on", "success", "status")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Note:
    noted_on: date
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Action:
    id: int
    school_urn: str
    cycle: str
    review_id: int | None
    framework_id: str
    what: str
    domain_id: str
    criteria: tuple[str, ...]
    lead: str
    due_on: date | None
    success: str
    status: str
    suggestion_key: str
    version: int
    updated_at: datetime
    notes: tuple[Note, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status != "done"

    def flags(self, today: date | None = None) -> list[str]:
        return action_flags(due_on=self.due_on, lead=self.lead, status=self.status, today=today or access.today())


@dataclass(frozen=True)
class Saved:
    saved: bool
    action: Action  # what is stored now (the newer version when ``saved`` is False)


def _plan_ref(conn: Connection, urn: str) -> ActionPlanRef | None:
    row = conn.execute(sa.select(schools.c.urn, schools.c.la).where(schools.c.urn == urn)).first()
    if row is None:
        return None
    return ActionPlanRef(SchoolRef(row.urn, row.la, shared_by(conn, [urn]).get(urn, frozenset())))


def _require(conn: Connection, actor: Actor, urn: str, action: access.Action) -> None:
    """A plan the actor may not read does not exist for them; one they may only read refuses writes."""
    ref = _plan_ref(conn, urn)
    if ref is None or not access.allowed(actor, "read", ref):
        raise NotFound(f"There is no action plan for school {urn} that you can open.")
    if not access.allowed(actor, action, ref):
        raise NotAllowed("Only the school's own staff (or an administrator) can change its action plan.")


def may_edit(db: Database, actor: Actor, urn: str) -> bool:
    """For pages deciding whether to offer editing; every write checks again."""
    with db.read() as conn:
        ref = _plan_ref(conn, urn)
    return ref is not None and access.allowed(actor, "write", ref)


def plan_schools(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(URN, name) of every school whose plan the actor may read, by name."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(schools.c.urn, schools.c.name, schools.c.la)
            .where(access.visible_schools(actor))
            .order_by(schools.c.name)
        ).all()
        given = shared_by(conn, [r.urn for r in rows])
    return [
        (r.urn, r.name)
        for r in rows
        if access.allowed(actor, "read", ActionPlanRef(SchoolRef(r.urn, r.la, given.get(r.urn, frozenset()))))
    ]


def list_actions(db: Database, actor: Actor, urn: str, cycle: str | None = None) -> list[Action]:
    """The school's actions (of ``cycle``, or all cycles), overdue first, then by due date; dropped ones left out."""
    with db.read() as conn:
        _require(conn, actor, urn, "read")
        query = sa.select(action_items).where(action_items.c.school_urn == urn, action_items.c.dropped_at.is_(None))
        if cycle:
            query = query.where(action_items.c.cycle == cycle)
        found = _with_notes(conn, conn.execute(query.order_by(action_items.c.id)).all())
    return sorted(found, key=_plan_order)


def open_earlier_actions(db: Database, actor: Actor, urn: str, cycle: str) -> list[Action]:
    """Actions of cycles before ``cycle`` that are not done: what the school carries into this cycle."""
    with db.read() as conn:
        _require(conn, actor, urn, "read")
        rows = conn.execute(
            sa.select(action_items)
            .where(
                action_items.c.school_urn == urn,
                action_items.c.cycle < cycle,
                action_items.c.status != "done",
                action_items.c.dropped_at.is_(None),
            )
            .order_by(action_items.c.cycle, action_items.c.id)
        ).all()
        return _with_notes(conn, rows)


def _plan_order(a: Action) -> tuple:
    today = access.today()
    overdue = a.is_open and a.due_on is not None and a.due_on < today
    return (not overdue, not a.is_open, a.due_on or date.max, a.id)


def _with_notes(conn: Connection, rows: Sequence[sa.Row]) -> list[Action]:
    ids = [r.id for r in rows]
    notes: dict[int, list[Note]] = {i: [] for i in ids}
    if ids:
        for n in conn.execute(
            sa.select(action_notes)
            .where(action_notes.c.action_id.in_(ids))
            .order_by(action_notes.c.noted_on, action_notes.c.id)
        ).all():
            notes[n.action_id].append(Note(n.noted_on, n.text, n.created_by_name, n.created_at))
    return [_action(r, tuple(notes[r.id])) for r in rows]


def _action(row: sa.Row, notes: tuple[Note, ...] = ()) -> Action:
    return Action(
        id=row.id,
        school_urn=row.school_urn,
        cycle=row.cycle,
        review_id=row.review_id,
        framework_id=row.framework_id,
        what=row.what,
        domain_id=row.domain_id,
        criteria=tuple(c for c in row.criteria.split(",") if c),
        lead=row.lead,
        due_on=row.due_on,
        success=row.success,
        status=row.status,
        suggestion_key=row.suggestion_key,
        version=row.version,
        updated_at=row.updated_at,
        notes=notes,
    )


def _checked_values(values: dict[str, object], place: str = "action") -> dict[str, object]:
    """Every problem at once, with its field; text is kept as typed."""
    problems = []
    out: dict[str, object] = {}
    for name, value in values.items():
        if name not in EDITABLE:
            problems.append(Problem(f"{place} {name}", "is not a field of an action"))
        elif name == "status" and value not in ACTION_STATUSES:
            problems.append(Problem(f"{place} status", f"must be one of {', '.join(ACTION_STATUSES)} (got {value!r})"))
        elif name == "due_on" and value is not None and not isinstance(value, date):
            problems.append(Problem(f"{place} due_on", "must be a date or empty"))
        elif name == "criteria":
            out[name] = ",".join(str(c).strip() for c in cast("Iterable[object]", value) if str(c).strip())
            continue
        elif name not in ("status", "due_on") and len(str(value or "")) > MAX_TEXT:
            problems.append(Problem(f"{place} {name}", f"is longer than {MAX_TEXT} characters"))
        out[name] = value if name == "due_on" else (value or "") if name != "status" else value
    if problems:
        raise InvalidInput(problems)
    return out


def add_action(
    db: Database,
    actor: Actor,
    urn: str,
    cycle: str,
    *,
    review_id: int | None = None,
    framework_id: str = "",
    suggestion_key: str = "",
    dropped: bool = False,
    **values: object,
) -> int:
    """Add an action to the school's plan for ``cycle``; a ``dropped`` one only records a declined suggestion."""
    problems = [] if re.fullmatch(reviews.CYCLE_PATTERN, cycle) else [Problem("action cycle", "must look like 2025/26")]
    try:
        checked = _checked_values({"status": "not_started", **values})
    except InvalidInput as exc:
        problems += exc.problems
    if problems:
        raise InvalidInput(problems)
    stamp = now()
    with db.write() as conn:
        _require(conn, actor, urn, "write")
        action_id = conn.execute(
            sa.insert(action_items)
            .values(
                school_urn=urn,
                cycle=cycle,
                review_id=review_id,
                framework_id=framework_id,
                suggestion_key=suggestion_key,
                dropped_at=stamp if dropped else None,
                version=1,
                created_at=stamp,
                created_by=actor.id,
                updated_at=stamp,
                updated_by=actor.id,
                **checked,
            )
            .returning(action_items.c.id)
        ).scalar_one()
        event = "suggestion_dropped" if dropped else "action_added"
        record(
            conn, actor, event, school_urn=urn, review_id=review_id, detail=f"{cycle} #{action_id}: {suggestion_key}"
        )
    return action_id


def update_action(db: Database, actor: Actor, action_id: int, *, seen_version: int, **values: object) -> Saved:
    """Save changed fields of one action as typed; refused (``saved`` False) when someone saved it since."""
    checked = _checked_values(values)
    stamp = now()
    with db.write() as conn:
        current = _row(conn, actor, action_id, "write")
        if current.version != seen_version:
            return Saved(False, _action(current))
        conn.execute(
            sa.update(action_items)
            .where(action_items.c.id == action_id)
            .values(version=current.version + 1, updated_at=stamp, updated_by=actor.id, **checked)
        )
        fields = " and ".join(checked) or "nothing"
        record(conn, actor, "action_changed", school_urn=current.school_urn, detail=f"#{action_id}: {fields}", at=stamp)
        saved = conn.execute(sa.select(action_items).where(action_items.c.id == action_id)).one()
    return Saved(True, _action(saved))


def remove_action(db: Database, actor: Actor, action_id: int) -> None:
    """Take an action off the plan; the row stays (marked dropped) and the audit log says who and when."""
    with db.write() as conn:
        current = _row(conn, actor, action_id, "write")
        conn.execute(
            sa.update(action_items)
            .where(action_items.c.id == action_id)
            .values(dropped_at=now(), version=current.version + 1, updated_by=actor.id)
        )
        record(conn, actor, "action_removed", school_urn=current.school_urn, detail=f"#{action_id}: {current.what}")


def add_note(db: Database, actor: Actor, action_id: int, text: str, noted_on: date | None = None) -> None:
    """A dated progress note, kept as typed."""
    problems = [] if text.strip() else [Problem("note", "is empty")]
    if len(text) > MAX_TEXT:
        problems.append(Problem("note", f"is longer than {MAX_TEXT} characters"))
    if problems:
        raise InvalidInput(problems)
    with db.write() as conn:
        current = _row(conn, actor, action_id, "write")
        conn.execute(
            sa.insert(action_notes).values(
                action_id=action_id,
                noted_on=noted_on or access.today(),
                text=text,
                created_at=now(),
                created_by=actor.id,
                created_by_name=actor.label,
            )
        )
        record(conn, actor, "action_note_added", school_urn=current.school_urn, detail=f"#{action_id}")


def _row(conn: Connection, actor: Actor, action_id: int, action: access.Action) -> sa.Row:
    row = conn.execute(
        sa.select(action_items).where(action_items.c.id == action_id, action_items.c.dropped_at.is_(None))
    ).first()
    if row is None:
        raise NotFound(f"There is no action {action_id} that you can open.")
    _require(conn, actor, row.school_urn, action)
    return row


# --- suggestions from a review -------------------------------------------------------------------


def suggestions_for(db: Database, actor: Actor, review_id: int) -> list[Suggestion]:
    """What the review suggests, less what the school's plan for its cycle already took up or dropped."""
    review = reviews.get_review(db, actor, review_id)
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    answers = reviews.answers_frame(db, actor, review_id)
    score = score_review(framework, answers, review.context, school_urn=review.school_urn)
    found = suggest_actions(framework, score, criterion_contributions(framework, answers, review.context))
    with db.read() as conn:
        _require(conn, actor, review.school_urn, "read")
        keys = conn.execute(
            sa.select(action_items.c.suggestion_key).where(
                action_items.c.school_urn == review.school_urn, action_items.c.cycle == review.cycle
            )
        ).scalars()
        taken = {part for key in keys for part in key.split("+") if part}
    return [s for s in found if s.key not in taken]


def accept_suggestions(
    db: Database, actor: Actor, review_id: int, keys: list[str], *, merge: bool = False, drop: bool = False
) -> list[int]:
    """Put the chosen suggestions on the plan (one action each, or ``merge``d into one), or ``drop`` them."""
    review = reviews.get_review(db, actor, review_id)
    offered = {s.key: s for s in suggestions_for(db, actor, review_id)}
    missing = [k for k in keys if k not in offered]
    if missing or not keys:
        raise InvalidInput(
            [Problem("suggestions", f"not offered any more: {k}") for k in missing]
            or [Problem("suggestions", "choose at least one")]
        )
    chosen = [offered[k] for k in keys]
    if merge and not drop:
        chosen = [merge_suggestions(chosen)]
    return [
        add_action(
            db,
            actor,
            review.school_urn,
            review.cycle,
            review_id=review.id,
            framework_id=review.framework_id,
            suggestion_key=s.key,
            dropped=drop,
            what=s.what,
            domain_id=s.domain_id,
            criteria=list(s.criteria),
            success=s.success,
        )
        for s in chosen
    ]


# --- carried into the next cycle -----------------------------------------------------------------


@dataclass(frozen=True)
class Carried:
    """An open action of an earlier cycle, beside how its domain moved since that cycle's review."""

    action: Action
    domain_title: str
    movement: str


def carried_actions(db: Database, actor: Actor, review: reviews.Review) -> list[Carried]:
    """For the results of ``review``: the school's open earlier actions and whether their domain moved.

    The earlier score is that of the school's latest readable review of the same framework in the
    action's cycle (an agreed review preferred to a self-review). Empty when the actor may not read the plan.
    """
    from scoring.actions import domain_movement

    try:
        earlier = open_earlier_actions(db, actor, review.school_urn, review.cycle)
    except (NotFound, NotAllowed):
        return []
    if not earlier:
        return []
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    now_scores = _domain_percents(db, actor, review)
    before: dict[str, dict[str, float | None] | None] = {}
    out = []
    for a in earlier:
        if a.cycle not in before:
            before[a.cycle] = _earlier_percents(db, actor, review, a.cycle)
        then = before[a.cycle]
        title = framework.domains_by_id[a.domain_id].title if a.domain_id in framework.domains_by_id else a.domain_id
        if then is None:
            moved = f"No {a.cycle} review of this framework to compare with"
        else:
            moved = domain_movement(then.get(a.domain_id), now_scores.get(a.domain_id))
        out.append(Carried(a, title or "(no domain)", moved))
    return out


def _domain_percents(db: Database, actor: Actor, review: reviews.Review) -> dict[str, float | None]:
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    score = score_review(framework, reviews.answers_frame(db, actor, review.id), review.context)
    return {d.domain_id: d.percent for d in score.domains}


def _earlier_percents(db: Database, actor: Actor, review: reviews.Review, cycle: str) -> dict[str, float | None] | None:
    found = reviews.list_reviews(db, actor, school_urn=review.school_urn, framework_id=review.framework_id, cycle=cycle)
    ranked = sorted((r for r in found if r.role in ("agreed", "self")), key=lambda r: (r.role != "agreed", -r.id))
    return _domain_percents(db, actor, replace(ranked[0])) if ranked else None


def export_actions(db: Database, actor: Actor, urn: str, cycle: str | None) -> list[Action]:
    """The plan (this cycle's actions and those still open from before) for a download; the export is audited."""
    with db.write() as conn:
        _require(conn, actor, urn, "export")
        record(conn, actor, "exported", school_urn=urn, detail=f"action plan workbook {cycle or 'all cycles'}")
    found = list_actions(db, actor, urn, cycle)
    return found + (open_earlier_actions(db, actor, urn, cycle) if cycle else [])


def items_due(db: Database, urns: list[str]) -> dict[str, list[tuple[date | None, str]]]:
    """Each school's live actions as (due date, status), for the LA overview's overdue flag. The overview
    names only schools its reader may see, so this carries no policy of its own."""
    found: dict[str, list[tuple[date | None, str]]] = {}
    with db.read() as conn:
        for chunk in in_chunks(urns):
            rows = conn.execute(
                sa.select(action_items.c.school_urn, action_items.c.due_on, action_items.c.status).where(
                    action_items.c.school_urn.in_(chunk), action_items.c.dropped_at.is_(None)
                )
            ).all()
            for urn, due, status in rows:
                found.setdefault(urn, []).append((due, status))
    return found


def domain_titles(db: Database, actions: list[Action]) -> dict[str, str]:
    """Domain titles of the frameworks the actions came from (the newest stored version of each)."""
    titles: dict[str, str] = {}
    wanted = {a.framework_id for a in actions if a.framework_id}
    for fw in frameworks.list_frameworks(db):
        if fw.id in wanted:
            titles.update({d.id: d.title for d in fw.domains})
    return titles
