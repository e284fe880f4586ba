"""Reviews and their answers, always seen through the acting user's permissions.

Answers are saved one at a time, as they are given, with a per-answer version number:
a save names the version it started from, so a stale tab cannot overwrite a newer
answer made elsewhere (optimistic concurrency, no locks held between requests).

Every way in asks the access policy with the review's facts, including, for a peer reviewer,
whether they hold a live assignment to the school for the review's cycle. Opening another
school's review is recorded (``viewed``), and so is every export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access, frameworks
from data.access import Actor, NotAllowed, NotFound, ReviewRef, SchoolRef
from data.audit import now, record, record_view
from data.db import Database
from data.tables import answers, audit_log, consents, peer_assignments, reviews, schools, users
from framework.models import PHASE_LABELS, Framework, ReviewContext
from framework.problems import InvalidInput, Problem
from framework.words import ROLE_WORDS, STATUS_WORDS, word
from scoring import ReviewScore, criterion_contributions, score_review

CYCLE_PATTERN = r"^\d{4}/\d{2}$"
ExportKind = Literal["results", "answers"]
# The review role a new review gets when none is named: what each kind of user reviews as.
OWN_REVIEW_ROLE = {"school": "self", "peer": "peer", "la": "la", "admin": "self"}
SUBMITTED_SAVE = "This review has been submitted. Reopen it to change answers."
SUBMITTED_UPLOAD = "This review has been submitted. Reopen it before uploading answers."


@dataclass(frozen=True)
class Review:
    id: int
    school_urn: str
    school_name: str
    la: str
    framework_id: str
    framework_version: str
    cycle: str
    role: str
    reviewer_id: int | None
    reviewer_name: str
    phase: str
    resourced_provision: bool
    status: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    shares_with_la: bool = False  # the school's consents, which decide who else may read it
    shares_with_peers: bool = False
    has_nursery: bool = False  # the school's characteristics when the review started
    has_sixth_form: bool = False
    school_pupils: int | None = None  # the register's figures now, for questions judged per pupil
    school_sen_pct: float | None = None
    held_back: bool = False  # a visit team member's rating before the agreed review (data/access.py)

    @property
    def context(self) -> ReviewContext:
        sen = None
        if self.school_pupils is not None and self.school_sen_pct is not None:
            sen = round(self.school_pupils * self.school_sen_pct / 100)
        return ReviewContext.of(
            self.phase,
            self.resourced_provision,
            has_nursery=self.has_nursery,
            has_sixth_form=self.has_sixth_form,
            measures={"pupils": self.school_pupils, "sen_pupils": sen},
        )

    @property
    def locked(self) -> bool:
        return self.status != "draft"

    @property
    def ref(self) -> ReviewRef:
        shares = {access.SHARE_WITH_LA: self.shares_with_la, access.SHARE_WITH_PEERS: self.shares_with_peers}
        school = SchoolRef(self.school_urn, self.la, frozenset(scope for scope, given in shares.items() if given))
        return ReviewRef(school, self.role, self.reviewer_id, self.status, self.cycle, self.held_back)


@dataclass(frozen=True)
class Answer:
    response: str | None
    evidence: str
    version: int
    updated_at: datetime | None


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    answer: Answer  # what is stored now (the newer answer when ``saved`` is False)


@dataclass(frozen=True)
class MergeSummary:
    added: int
    changed: int
    cleared: int
    unchanged: int
    kept_blank: int = 0  # stored answers whose cells were blank, kept because clearing was not confirmed
    kept_newer: int = 0  # answers changed online after the workbook was downloaded, kept

    def sentence(self) -> str:
        kept = [
            f"{self.kept_blank} left blank in the workbook kept as stored" if self.kept_blank else "",
            f"{self.kept_newer} given online since the download kept" if self.kept_newer else "",
        ]
        extra = "".join(f", {k}" for k in kept if k)
        return (
            f"{self.added} new answers, {self.changed} changed, {self.cleared} cleared, "
            f"{self.unchanged} unchanged{extra}."
        )


_REVIEW_COLUMNS = [
    reviews.c.id,
    reviews.c.school_urn,
    schools.c.name.label("school_name"),
    schools.c.la,
    reviews.c.framework_id,
    reviews.c.framework_version,
    reviews.c.cycle,
    reviews.c.role,
    reviews.c.reviewer_id,
    reviews.c.reviewer_name,
    reviews.c.phase,
    reviews.c.resourced_provision,
    reviews.c.status,
    reviews.c.created_at,
    reviews.c.updated_at,
    reviews.c.submitted_at,
    access.shares(reviews.c.school_urn, access.SHARE_WITH_LA).label("shares_with_la"),
    access.shares(reviews.c.school_urn, access.SHARE_WITH_PEERS).label("shares_with_peers"),
    reviews.c.has_nursery,
    reviews.c.has_sixth_form,
    schools.c.pupils.label("school_pupils"),
    (schools.c.sen_support_pct + schools.c.ehcp_pct).label("school_sen_pct"),
    access.held_back_rating(reviews.c.id).label("held_back"),
]
_FROM = reviews.join(schools, schools.c.urn == reviews.c.school_urn)


def list_reviews(db: Database, actor: Actor, *, demo: bool | None = None, **equal: str | None) -> list[Review]:
    """The reviews the actor may read, most recently changed first; ``equal`` narrows by review columns,
    e.g. ``status="draft"`` or ``school_urn=..., framework_id=..., cycle=...``."""
    query = sa.select(*_REVIEW_COLUMNS).select_from(_FROM).where(access.visible_reviews(actor))
    query = query.where(*(reviews.c[name] == value for name, value in equal.items() if value))
    if demo is not None:
        query = query.where(reviews.c.demo == demo)
    with db.read() as conn:
        rows = conn.execute(query.order_by(reviews.c.updated_at.desc(), reviews.c.id.desc())).all()
    return [Review(**row._mapping) for row in rows]


def existing_reviews(
    db: Database, actor: Actor, *, school_urn: str, framework_id: str, cycle: str, role: str | None = None
) -> list[Review]:
    """The reviews of this school, framework (any version) and cycle by ``role`` that the actor may read,
    newest first; ``role`` defaults to the one ``start_review`` would give the actor's new review."""
    role = role or OWN_REVIEW_ROLE[actor.role]
    return list_reviews(db, actor, school_urn=school_urn, framework_id=framework_id, cycle=cycle, role=role)


def get_review(db: Database, actor: Actor, review_id: int, action: access.Action = "read") -> Review:
    """The review, when the actor may ``action`` it; opening another school's review is recorded."""
    review = _checked(db, actor, review_id, action)
    if action == "read" and _is_outsider(actor, review):
        record_view(db, actor, school_urn=review.school_urn, review_id=review.id)
    return review


def may(db: Database, actor: Actor, review: Review, action: access.Action) -> bool:
    """For pages deciding what to offer, e.g. whether to show downloads; the repository still checks."""
    with db.read() as conn:
        assigned = access.holds_assignment(conn, actor, review.school_urn, review.cycle)
    return access.allowed(actor, action, review.ref, assigned=assigned)


def _checked(db: Database, actor: Actor, review_id: int, action: access.Action) -> Review:
    """The review after the policy's check, for reads; writes and exports use ``_checked_in``."""
    with db.read() as conn:
        return _checked_in(conn, actor, review_id, action, hold=False)


def _checked_in(conn: Connection, actor: Actor, review_id: int, action: access.Action, *, hold: bool = True) -> Review:
    """The review after the policy's check, inside the caller's transaction, so that nothing the check
    relied on can change before the caller's write commits; a review the actor may not read does not
    exist for them.

    With ``hold`` on PostgreSQL the review row is locked (``FOR UPDATE``: a submit and a save queue
    behind each other) and the school's consents and the actor's peer assignments are held
    (``FOR SHARE``: a withdrawal waits until this transaction ends). SQLite needs nothing more: a
    write transaction there takes the database's write lock at BEGIN.
    """
    if hold and conn.dialect.name == "postgresql":
        _hold_facts(conn, actor, review_id)
    review = fetch_review(conn, review_id)
    assigned = review is not None and access.holds_assignment(conn, actor, review.school_urn, review.cycle)
    if review is None or not access.allowed(actor, "read", review.ref, assigned=assigned):
        raise NotFound(f"There is no review {review_id} that you can open.")
    access.require(actor, action, review.ref, assigned=assigned)
    return review


def _hold_facts(conn: Connection, actor: Actor, review_id: int) -> None:
    """PostgreSQL row locks on everything the policy's answer about this review depends on."""
    row = conn.execute(
        sa.select(reviews.c.school_urn, reviews.c.cycle).where(reviews.c.id == review_id).with_for_update()
    ).first()
    if row is None:
        return
    conn.execute(sa.select(consents.c.scope).where(consents.c.school_urn == row.school_urn).with_for_update(read=True))
    if actor.role == "peer" and actor.id is not None:
        conn.execute(
            sa.select(peer_assignments.c.id)
            .where(peer_assignments.c.user_id == actor.id, peer_assignments.c.school_urn == row.school_urn)
            .with_for_update(read=True)
        )


def _still_draft(conn: Connection, review_id: int, stamp: datetime, message: str) -> None:
    """Touch the review only while it is a draft (the write's own guard); refuse otherwise."""
    touched = conn.execute(
        sa.update(reviews).where(reviews.c.id == review_id, reviews.c.status == "draft").values(updated_at=stamp)
    ).rowcount
    if not touched:
        raise NotAllowed(message)


def _is_outsider(actor: Actor, review: Review) -> bool:
    """Someone from outside the school reading its review, other than the review's own reviewer."""
    if actor.role == "school":
        return False
    return actor.id is None or review.reviewer_id != actor.id


def fetch_review(conn: Connection, review_id: int) -> Review | None:
    """No access check: for callers that made their own, or load as the operator (the demo)."""
    row = conn.execute(sa.select(*_REVIEW_COLUMNS).select_from(_FROM).where(reviews.c.id == review_id)).first()
    return Review(**row._mapping) if row else None


def start_review(
    db: Database,
    actor: Actor,
    *,
    school_urn: str,
    framework: Framework,
    cycle: str,
    phase: str,
    resourced_provision: bool,
    role: str | None = None,
    has_nursery: bool | None = None,
    has_sixth_form: bool | None = None,
) -> int:
    """Open a draft review; the school's phase and flags decide which questions it shows.

    ``role`` defaults to what the actor reviews as: a school its self-review, an LA advisor an
    LA review, a peer a peer review (only while assigned to the school for ``cycle``).
    """
    role = role or OWN_REVIEW_ROLE[actor.role]
    with db.write() as conn:
        school = conn.execute(
            sa.select(schools.c.urn, schools.c.la, schools.c.has_nursery, schools.c.has_sixth_form).where(
                schools.c.urn == school_urn
            )
        ).first()
        if school is None:
            raise NotFound(f"There is no school with URN {school_urn}.")
        ref = SchoolRef(school.urn, school.la)
        assigned = access.holds_assignment(conn, actor, school_urn, cycle)
        access.require(actor, "write", ReviewRef(ref, role, actor.id, "draft", cycle), assigned=assigned)
        stamp = now()
        review_id = conn.execute(
            sa.insert(reviews)
            .values(
                school_urn=school_urn,
                framework_id=framework.id,
                framework_version=framework.version,
                cycle=cycle,
                role=role,
                reviewer_id=actor.id,
                reviewer_name=actor.label,
                phase=phase,
                resourced_provision=resourced_provision,
                has_nursery=school.has_nursery if has_nursery is None else has_nursery,
                has_sixth_form=school.has_sixth_form if has_sixth_form is None else has_sixth_form,
                status="draft",
                created_at=stamp,
                updated_at=stamp,
            )
            .returning(reviews.c.id)
        ).scalar_one()
        record(conn, actor, "review_started", school_urn=school_urn, review_id=review_id, detail=framework.id)
    return review_id


def load_answers(db: Database, actor: Actor, review_id: int) -> dict[str, Answer]:
    _checked(db, actor, review_id, "read")
    with db.read() as conn:
        rows = conn.execute(sa.select(answers).where(answers.c.review_id == review_id)).all()
    return {r.criterion_id: Answer(r.response, r.evidence, r.version, r.updated_at) for r in rows}


def answers_frame(db: Database, actor: Actor, review_id: int) -> pd.DataFrame:
    """The stored answers in the shape the scoring engine takes."""
    stored = load_answers(db, actor, review_id)
    return pd.DataFrame(
        [{"criterion_id": cid, "response": a.response, "evidence": a.evidence} for cid, a in stored.items()],
        columns=["criterion_id", "response", "evidence"],
    )


_UNCHANGED = object()


def save_answer(
    db: Database,
    actor: Actor,
    review_id: int,
    criterion_id: str,
    *,
    seen_version: int,
    response: object = _UNCHANGED,
    evidence: object = _UNCHANGED,
) -> SaveResult:
    """Store one answer or note; ``seen_version`` is 0 for an answer not yet stored. Each change is audited.

    The permission and the review's status are checked in the transaction that writes."""
    values: dict[str, object] = {}
    if response is not _UNCHANGED:
        values["response"] = response
    if evidence is not _UNCHANGED:
        values["evidence"] = evidence or ""
    key = (answers.c.review_id == review_id) & (answers.c.criterion_id == criterion_id)
    with db.write() as conn:
        review = _checked_in(conn, actor, review_id, "write")
        if review.locked:
            raise NotAllowed(SUBMITTED_SAVE)
        framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
        if criterion_id not in framework.criteria_by_id:
            raise InvalidInput([Problem("Criterion", f'"{criterion_id}" is not in framework "{framework.id}".')])
        stamp = now()
        current = conn.execute(sa.select(answers).where(key)).first()
        stored_version = current.version if current else 0
        if stored_version != seen_version:
            return SaveResult(False, _answer(current))
        if current is None:
            conn.execute(
                sa.insert(answers).values(
                    review_id=review_id,
                    criterion_id=criterion_id,
                    version=1,
                    updated_at=stamp,
                    updated_by=actor.id,
                    **{"response": None, "evidence": "", **values},
                )
            )
        else:
            conn.execute(
                sa.update(answers)
                .where(key)
                .values(version=stored_version + 1, updated_at=stamp, updated_by=actor.id, **values)
            )
        _still_draft(conn, review_id, stamp, SUBMITTED_SAVE)
        saved = conn.execute(sa.select(answers).where(key)).first()
        fields = " and ".join(values) or "nothing"
        record(
            conn,
            actor,
            "answer_saved",
            school_urn=review.school_urn,
            review_id=review_id,
            detail=f"{criterion_id}: {fields}",
            at=stamp,
        )
    return SaveResult(True, _answer(saved))


def _answer(row: sa.Row | None) -> Answer:
    if row is None:
        return Answer(None, "", 0, None)
    return Answer(row.response, row.evidence, row.version, row.updated_at)


def merge_answers(db: Database, actor: Actor, review_id: int, responses: pd.DataFrame, **rules: object) -> MergeSummary:
    """Bring in a validated response workbook; blanks and answers given since the download are kept
    unless ``clear_blanks=True`` (see data/answer_upload.py, which does the work)."""
    from data.answer_upload import merge_answers as merge  # it builds on this module

    return merge(db, actor, review_id, responses, **rules)  # type: ignore[arg-type]


def submit_review(db: Database, actor: Actor, review_id: int) -> None:
    """Submit a draft (a submitted review stays as it is); checked and written in one transaction."""
    with db.write() as conn:
        review = _checked_in(conn, actor, review_id, "write")
        stamp = now()
        submitted = conn.execute(
            sa.update(reviews)
            .where(reviews.c.id == review_id, reviews.c.status == "draft")
            .values(status="submitted", submitted_at=stamp, submitted_by=actor.id, updated_at=stamp)
        ).rowcount
        if submitted:
            record(conn, actor, "review_submitted", school_urn=review.school_urn, review_id=review_id)


def reopen_review(db: Database, actor: Actor, review_id: int, reason: str) -> None:
    """Reopening is deliberate: it needs a reason, and the audit log keeps who and when."""
    if not reason.strip():
        raise ValueError("Say why the review is being reopened.")
    with db.write() as conn:
        review = _checked_in(conn, actor, review_id, "write")
        conn.execute(sa.update(reviews).where(reviews.c.id == review_id).values(status="draft", updated_at=now()))
        record(conn, actor, "review_reopened", school_urn=review.school_urn, review_id=review_id, detail=reason.strip())


def reopen_history(db: Database, actor: Actor, review_id: int) -> pd.DataFrame:
    _checked(db, actor, review_id, "read")
    with db.read() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.at, audit_log.c.user_email, audit_log.c.action, audit_log.c.detail, users.c.name)
            .outerjoin(users, users.c.id == audit_log.c.user_id)
            .where(audit_log.c.review_id == review_id, audit_log.c.action.in_(["review_submitted", "review_reopened"]))
            .order_by(audit_log.c.at)
        ).all()
    frame = pd.DataFrame(rows, columns=["at", "who", "action", "detail", "name"])
    frame["name"] = [n or w for n, w in zip(frame["name"], frame["who"], strict=True)]  # the person, not an address
    return frame


@dataclass(frozen=True)
class ExportBundle:
    """Everything a results or answers workbook needs, handed out only after the ``export`` check.

    The caller turns it into a file with exports/ (``results_workbook`` or ``write_response_template``).
    """

    kind: ExportKind
    review: Review
    framework: Framework
    answers: pd.DataFrame = field(repr=False)
    exported_at: datetime = field(default_factory=now)  # written into an answers workbook as downloaded_at

    @property
    def about(self) -> dict[str, str]:
        """The header facts of a results workbook, in order."""
        r = self.review
        return {
            "School": r.school_name,
            "URN": r.school_urn,
            "Phase": PHASE_LABELS.get(r.phase, r.phase),
            "Review cycle": r.cycle,
            "Review by": word(ROLE_WORDS, r.role),
            "Status": word(STATUS_WORDS, r.status),
        }

    @property
    def meta(self) -> dict[str, str]:
        """The review keys of an answers (response) workbook."""
        r = self.review
        return {
            "school_urn": r.school_urn,
            "school_name": r.school_name,
            "reviewer_role": r.role,
            "downloaded_at": self.exported_at.isoformat(),
        }

    @property
    def answer_map(self) -> dict[str, tuple[str, str]]:
        return {a.criterion_id: (a.response or "", a.evidence or "") for a in self.answers.itertuples()}

    @cached_property
    def score(self) -> ReviewScore:
        return score_review(self.framework, self.answers, self.review.context, school_urn=self.review.school_urn)

    @cached_property
    def contributions(self) -> pd.DataFrame:
        return criterion_contributions(self.framework, self.answers, self.review.context)


def export_file_name(review: Review, kind: ExportKind) -> str:
    return f"send-review-{kind}-{review.school_urn}-{review.cycle.replace('/', '-')}.xlsx"


def export_bundle(db: Database, actor: Actor, review_id: int, kind: ExportKind) -> ExportBundle:
    """Check ``export`` on the review, record the export, and hand over what the workbook is made from.

    >>> bundle = export_bundle(db, actor, 12, "results")
    >>> results_workbook(bundle.framework, bundle.score, bundle.contributions, bundle.answers, bundle.about)
    """
    if kind not in ("results", "answers"):
        raise ValueError(f"unknown export {kind!r}")
    with db.write() as conn:  # the check, the answers read and the audit row in one transaction
        review = _checked_in(conn, actor, review_id, "export")
        rows = conn.execute(sa.select(answers).where(answers.c.review_id == review_id)).all()
        record(conn, actor, "exported", school_urn=review.school_urn, review_id=review_id, detail=f"{kind} workbook")
    framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
    frame = pd.DataFrame(
        [{"criterion_id": r.criterion_id, "response": r.response, "evidence": r.evidence} for r in rows],
        columns=["criterion_id", "response", "evidence"],
    )
    return ExportBundle(kind, review, framework, frame)
