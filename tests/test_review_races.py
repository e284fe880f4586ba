"""A permission checked and the write done in one transaction (issue #10), on SQLite and PostgreSQL.

Each test runs two operations on two connections, interleaved: the first is paused right after its
permission check passes, and the second (a submit, a consent withdrawn, an assignment withdrawn)
runs during the pause. Before the fix the first then wrote anyway, after the second had changed what
its check relied on; now the second waits for the first's transaction (or the first is refused), so
the audit log never shows the first's write after the second's change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from data import access, assignments, consent, reviews, users
from data.access import OPERATOR, SHARE_WITH_LA, Actor
from data.db import Database
from data.schools import upsert_schools
from data.setup import open_database
from data.tables import answers, audit_log
from framework.library import builtin_framework
from tests.support.pages import PASSWORD, add_user, register

pytestmark = pytest.mark.slow  # each test holds a transaction open while another waits on it

FRAMEWORK = builtin_framework("senco-role-audit")
A, CYCLE = "900001", "2025/26"
PAUSE_SECONDS = 1.0  # how long the first operation waits, after its check, for the second to finish


@dataclass
class World:
    db: Database
    senco: Actor
    advisor: Actor
    peer: Actor
    admin: Actor
    assignment: int


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    db = open_database(database_url)
    upsert_schools(db, OPERATOR, register([(A, "Alder Primary", "North", "primary")]))
    admin = users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    senco = add_user(db, "senco@alder.example", "school", school_urn=A)
    advisor = add_user(db, "advisor@north.example", "la", la="North")
    peer = add_user(db, "peer@oak.example", "peer")
    for scope in consent.SCOPES:
        consent.set_consent(db, senco, A, scope, give=True)
    yesterday = access.today() - timedelta(days=1)
    assignment = assignments.assign_peer(
        db, admin, peer_email=peer.email, school_urn=A, cycle=CYCLE, starts_on=yesterday
    )
    yield World(db, senco, advisor, peer, admin, assignment)
    db.dispose()


def _start(w: World, actor: Actor) -> int:
    return reviews.start_review(
        w.db, actor, school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )


def interleave(monkeypatch: pytest.MonkeyPatch, first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run ``first``, pause it just after its permission check passes, run ``second`` meanwhile.

    ``second`` gets PAUSE_SECONDS to finish on its own connection; if it is made to wait for the
    first's transaction, the first goes on after the pause and the second completes after it.
    """
    paused, resume = threading.Event(), threading.Event()
    real = access.require

    def pausing(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)
        if threading.current_thread().name == "first" and not paused.is_set():
            paused.set()
            resume.wait(timeout=10)

    monkeypatch.setattr(access, "require", pausing)
    errors: dict[str, BaseException] = {}

    def run(name: str, operation: Callable[[], object]) -> None:
        try:
            operation()
        except Exception as exc:
            errors[name] = exc

    one = threading.Thread(target=run, args=("first", first), name="first")
    one.start()
    assert paused.wait(timeout=30), f"the first operation never passed its check: {errors}"
    two = threading.Thread(target=run, args=("second", second), name="second")
    two.start()
    two.join(timeout=PAUSE_SECONDS)
    resume.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert "second" not in errors, f"the second operation failed: {errors['second']!r}"


def _actions(db: Database) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars())


def _not_after(db: Database, write: str, change: str) -> None:
    log = _actions(db)
    last_change = max(i for i, action in enumerate(log) if action == change)
    late = [action for action in log[last_change:] if action == write]
    assert not late, f"{write} was written after {change}: {log[-6:]}"


def test_an_answer_is_never_saved_after_the_review_is_submitted(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    review_id = _start(world, world.senco)
    interleave(
        monkeypatch,
        lambda: reviews.save_answer(
            world.db, world.senco, review_id, "role-eligible-qualified", seen_version=0, response="yes"
        ),
        lambda: reviews.submit_review(world.db, world.senco, review_id),
    )
    _not_after(world.db, "answer_saved", "review_submitted")
    review = reviews.get_review(world.db, OPERATOR, review_id)
    with world.db.read() as conn:
        stamps = list(conn.execute(sa.select(answers.c.updated_at).where(answers.c.review_id == review_id)).scalars())
    assert review.status == "submitted"
    assert all(stamp <= review.submitted_at for stamp in stamps)


def test_an_upload_is_never_merged_after_the_review_is_submitted(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    review_id = _start(world, world.senco)
    frame = pd.DataFrame({"criterion_id": ["role-eligible-qualified"], "response": ["yes"], "evidence": [""]})
    interleave(
        monkeypatch,
        lambda: reviews.merge_answers(world.db, world.senco, review_id, frame),
        lambda: reviews.submit_review(world.db, world.senco, review_id),
    )
    _not_after(world.db, "answers_uploaded", "review_submitted")


def test_an_la_export_never_goes_out_after_the_school_withdraws_its_consent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    review_id = _start(world, world.senco)
    reviews.submit_review(world.db, world.senco, review_id)
    interleave(
        monkeypatch,
        lambda: reviews.export_bundle(world.db, world.advisor, review_id, "results"),
        lambda: consent.set_consent(world.db, world.senco, A, SHARE_WITH_LA, give=False, reason="race"),
    )
    _not_after(world.db, "exported", "consent_changed")


@pytest.mark.parametrize("action", ["submit", "reopen"])
def test_a_peer_never_changes_their_review_after_the_assignment_is_withdrawn(
    world: World, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    own = _start(world, world.senco)
    reviews.submit_review(world.db, world.senco, own)  # a peer review starts after the self-review
    review_id = assignments.start_peer_review(world.db, world.peer, world.assignment)
    if action == "reopen":
        reviews.submit_review(world.db, world.peer, review_id)
        operation, written = (lambda: reviews.reopen_review(world.db, world.peer, review_id, "fix")), "review_reopened"
    else:
        operation, written = (lambda: reviews.submit_review(world.db, world.peer, review_id)), "review_submitted"
    interleave(monkeypatch, operation, lambda: assignments.withdraw(world.db, world.admin, world.assignment, "race"))
    _not_after(world.db, written, "peer_withdrawn")
