"""The whole access matrix: every role × every kind of record × read/write/export, through every way in.

One table (``MATRIX``) holds the expected outcome of each cell. Each cell is then tried through the
repositories, through the pages (AppTest, with ?review=ID and downloads) and through the CLI with
``--as``, wherever that surface offers the operation. "Y" means the actor reached school A's record
(the call worked and A's record was in what came back); "N" means they were refused, told there is
no such record, were not offered the page or form, or got a result without A's record in it.

The world, built once per database: two schools in two LAs (A: Alder Primary, North; B: Birch High,
South), A's submitted and in-progress self-reviews, and one user of each role. A shares with its LA
and its peer reviewers (what not sharing hides is in tests/test_consent.py). Cells that write act
on fresh records, so no cell changes what another cell sees.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import cli
from data import access, assignments, audit, consent, reviews, schools, tables, users
from data.access import ACCOUNTS, OPERATOR, Actor, NotAllowed, NotFound
from data.db import Database
from data.setup import open_database
from exports.response_workbook import write_response_template
from framework.library import builtin_framework
from framework.problems import InvalidInput
from tests.support.accounts import may_read_log
from tests.support.pages import PASSWORD, add_user, app_as, open_page, register, texts

FRAMEWORK = builtin_framework("senco-role-audit")
A, B = "900001", "900002"
CYCLE = "2025/26"
ROLES = ("school_A", "school_B", "peer_A", "peer_other", "la_A", "la_other", "admin")
EMAILS = {
    "school_A": "senco@alder.example",
    "school_B": "senco@birch.example",
    "peer_A": "peer@oak.example",  # assigned to school A for the cycle
    "peer_other": "peer@elm.example",  # assigned to school B only
    "la_A": "advisor@north.example",
    "la_other": "advisor@south.example",
    "admin": "admin@la.example",
}
SPARE_PEER = "spare@ash.example"  # the peer every "assign" cell assigns, each for its own cycle

# fmt: off
MATRIX: dict[tuple[str, str], str] = {
    # record (always school A's)                     school_A school_B peer_A peer_other la_A la_other admin
    ("register row", "read"):                         "Y        N        N      N          Y    N        Y",
    ("register row", "write"):                        "N        N        N      N          Y    N        Y",
    ("review (submitted self-review)", "read"):       "Y        N        Y      N          Y    N        Y",
    ("review (self-review in progress)", "read"):     "Y        N        N      N          Y    N        Y",
    ("review (self-review)", "write"):                "Y        N        N      N          N    N        Y",
    ("review (start one of the school)", "write"):    "Y        N        Y      N          Y    N        Y",
    ("answers", "read"):                              "Y        N        Y      N          Y    N        Y",
    ("answers", "write"):                             "Y        N        N      N          N    N        Y",
    ("answers", "export"):                            "Y        N        N      N          Y    N        Y",
    ("scores/results", "read"):                       "Y        N        Y      N          Y    N        Y",
    ("report (results workbook)", "export"):          "Y        N        N      N          Y    N        Y",
    ("uploads/merges", "write"):                      "Y        N        N      N          N    N        Y",
    ("audit log", "read"):                            "N        N        N      N          Y    N        Y",
    ("audit log", "export"):                          "N        N        N      N          Y    N        Y",
    ("users", "read"):                                "N        N        N      N          N    N        Y",
    ("users", "write"):                               "N        N        N      N          N    N        Y",
    ("peer assignment", "read"):                      "Y        N        Y      N          Y    N        Y",
    ("peer assignment", "write"):                     "N        N        N      N          Y    N        Y",
    ("sharing consent", "read"):                      "Y        N        N      N          Y    N        Y",
    ("sharing consent", "write"):                     "Y        N        N      N          N    N        Y",
    # issue #10: a one-row register naming A with another LA must not move A (only an admin moves schools)
    ("register row (move to another LA)", "write"):   "N        N        N      N          N    N        Y",
}
# fmt: on

# --- action plans and the written report (issue #13) ---
# fmt: off
MATRIX.update({
    ("action plan", "read"):                          "Y        N        N      N          Y    N        Y",
    ("action plan", "write"):                         "Y        N        N      N          N    N        Y",
    ("action plan", "export"):                        "Y        N        N      N          Y    N        Y",
    ("report (Word/PDF)", "export"):                  "Y        N        N      N          Y    N        Y",
})
# fmt: on


def expected(record: str, action: str, role: str) -> bool:
    return MATRIX[(record, action)].split()[ROLES.index(role)] == "Y"


@dataclass
class World:
    db: Database
    url: str
    actors: dict[str, Actor]
    submitted: int  # A's submitted self-review, with answers
    in_progress: int  # A's self-review in progress
    assignment: int  # peer_A's assignment to A
    upload: bytes  # a valid response workbook answering one question
    cycles: Iterator[str]  # a fresh cycle for each "assign" cell, so none is a duplicate
    serial: Iterator[int]  # for fresh email addresses
    app_opened: bool = False  # whether the app under test has been pointed at this world's database

    def fresh_draft(self) -> int:
        """A new self-review of A in progress, for a cell that writes."""
        return _start(self.db, OPERATOR, A)


def _start(db: Database, actor: Actor, urn: str) -> int:
    return reviews.start_review(
        db, actor, school_urn=urn, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )


def _upload_workbook() -> bytes:
    data = write_response_template(FRAMEWORK, phase="primary", meta={"school_urn": A})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header.index("criterion_id") + 1).value == "role-eligible-qualified":
            sheet.cell(row, header.index("response") + 1).value = "yes"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_world(url: str) -> World:
    db = open_database(url)
    schools.upsert_schools(
        db,
        OPERATOR,
        register([(A, "Alder Primary", "North", "primary"), (B, "Birch High", "South", "secondary")]),
    )
    admin = users.create_first_admin(db, EMAILS["admin"], "Ada Admin", PASSWORD)
    actors = {
        "school_A": add_user(db, EMAILS["school_A"], "school", school_urn=A),
        "school_B": add_user(db, EMAILS["school_B"], "school", school_urn=B),
        "peer_A": add_user(db, EMAILS["peer_A"], "peer"),
        "peer_other": add_user(db, EMAILS["peer_other"], "peer"),
        "la_A": add_user(db, EMAILS["la_A"], "la", la="North"),
        "la_other": add_user(db, EMAILS["la_other"], "la", la="South"),
        "admin": admin,
    }
    users.invite_user(db, admin, SPARE_PEER, "Spare Peer", "peer")
    senco = actors["school_A"]
    for scope in consent.SCOPES:  # A shares; tests/test_consent.py covers what not sharing hides
        consent.set_consent(db, senco, A, scope, give=True)
    submitted = _start(db, senco, A)
    reviews.save_answer(db, senco, submitted, "role-designated", seen_version=0, response="yes")
    reviews.save_answer(db, senco, submitted, "role-job-description", seen_version=0, response="Established")
    reviews.submit_review(db, senco, submitted)
    in_progress = _start(db, senco, A)
    reviews.save_answer(db, senco, in_progress, "role-designated", seen_version=0, response="no")
    theirs = _start(db, actors["school_B"], B)
    reviews.submit_review(db, actors["school_B"], theirs)
    yesterday = access.today() - timedelta(days=1)
    assignment = assignments.assign_peer(
        db, admin, peer_email=EMAILS["peer_A"], school_urn=A, cycle=CYCLE, starts_on=yesterday
    )
    assignments.assign_peer(db, admin, peer_email=EMAILS["peer_other"], school_urn=B, cycle=CYCLE, starts_on=yesterday)
    cycles = (f"{year}/{str(year + 1)[-2:]}" for year in itertools.count(2030))
    return World(db, url, actors, submitted, in_progress, assignment, _upload_workbook(), cycles, itertools.count())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world per database for the whole module (building users costs argon2 hashes)."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('matrix')}/send-review.db", None
    else:
        server = request.getfixturevalue("postgres_instance")
        name = server.create_database()
        url, drop = server.url(name), lambda: server.drop_database(name)
    built = build_world(url)
    yield built
    st.cache_resource.clear()
    built.db.dispose()
    if drop:
        drop()


def _reached(operation: Callable[[], bool]) -> bool:
    """The cell's outcome: True when the operation reached A's record; refusals and "not found" are False."""
    try:
        return bool(operation())
    except (NotAllowed, NotFound):
        return False


def _cell(surface: str, record: str, action: str, role: str, got: bool) -> None:
    want = expected(record, action, role)
    words = {True: "reaches school A's record", False: "is refused"}
    assert got == want, f"{surface}: {role} × {record} × {action}: expected {words[want]}, but {words[got]}"


# --- through the repositories ----------------------------------------------------------------------


def _repo_register_read(w: World, actor: Actor) -> bool:
    listed = A in [s.urn for s in schools.list_schools(w.db, actor)]
    got = _reached(lambda: schools.get_school(w.db, actor, A).urn == A)
    assert listed == got, f"listing and opening disagree for {actor.email}"
    return got


def _repo_register_write(w: World, actor: Actor) -> bool:
    row = register([(A, "Alder Primary", "North", "primary")])
    return schools.upsert_schools(w.db, actor, row) == 1


def _repo_review_read(w: World, actor: Actor, review_id: int) -> bool:
    listed = review_id in [r.id for r in reviews.list_reviews(w.db, actor)]
    got = _reached(lambda: reviews.get_review(w.db, actor, review_id).school_urn == A)
    assert listed == got, f"listing and opening review {review_id} disagree for {actor.email}"
    return got


def _repo_review_write(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    reviews.submit_review(w.db, actor, review_id)
    return reviews.get_review(w.db, OPERATOR, review_id).status == "submitted"


def _repo_review_start(w: World, actor: Actor) -> bool:
    review_id = _start(w.db, actor, A)
    return reviews.get_review(w.db, OPERATOR, review_id).school_urn == A


def _repo_answers_write(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    return reviews.save_answer(w.db, actor, review_id, "role-eligible-qualified", seen_version=0, response="yes").saved


def _repo_upload(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    frame = pd.DataFrame({"criterion_id": ["role-eligible-qualified"], "response": ["yes"], "evidence": [""]})
    return reviews.merge_answers(w.db, actor, review_id, frame).added == 1


def _repo_export(w: World, actor: Actor, kind: reviews.ExportKind) -> bool:
    bundle = reviews.export_bundle(w.db, actor, w.submitted, kind)
    return bundle.review.school_urn == A and (kind == "answers" or bundle.score.overall is not None)


def _repo_audit_read(w: World, actor: Actor) -> bool:
    return any(row.school_urn == A for row in audit.read_log(w.db, actor, audit.AuditFilter()).rows)


def _repo_audit_export(w: World, actor: Actor) -> bool:
    return any(row.school_urn == A for row in audit.export_log(w.db, actor, audit.AuditFilter()))


def _repo_users_write(w: World, actor: Actor) -> bool:
    users.invite_user(w.db, actor, f"new-{next(w.serial)}@school.example", "New Person", "peer")
    return True


def _repo_assignment_read(w: World, actor: Actor) -> bool:
    listed = w.assignment in [a.id for a in assignments.list_assignments(w.db, actor)]
    got = _reached(lambda: assignments.get_assignment(w.db, actor, w.assignment).school_urn == A)
    assert listed == got, f"listing and opening the assignment disagree for {actor.email}"
    return got


def _repo_assignment_write(w: World, actor: Actor) -> bool:
    return assignments.assign_peer(w.db, actor, peer_email=SPARE_PEER, school_urn=A, cycle=next(w.cycles)) > 0


def _repo_consent_read(w: World, actor: Actor) -> bool:
    listed = A in [s.urn for s in consent.list_sharing(w.db, actor)]
    got = _reached(lambda: consent.sharing(w.db, actor, A).shares(access.SHARE_WITH_LA))
    assert listed == got, f"listing and opening A's sharing disagree for {actor.email}"
    return got


def _repo_consent_write(w: World, actor: Actor) -> bool:
    """Withdraw and give again, so A shares as before whatever the outcome."""
    try:
        return consent.set_consent(w.db, actor, A, access.SHARE_WITH_PEERS, give=False, reason="matrix")
    finally:
        consent.set_consent(w.db, OPERATOR, A, access.SHARE_WITH_PEERS, give=True)


def _moved_to(w: World, actor: Actor) -> str:
    """The LA a move cell names: the actor's own (the takeover), or South for those with none or North."""
    return actor.la if actor.la and actor.la != "North" else "South"


def _moved(w: World, move: Callable[[str], object], la: str) -> bool:
    """Run ``move`` and say whether A's stored LA changed; A goes back to North whatever happened."""
    try:
        move(la)
        with w.db.read() as conn:
            now = conn.execute(sa.select(tables.schools.c.la).where(tables.schools.c.urn == A)).scalar_one()
        if now != "North":
            moves = audit.read_log(w.db, OPERATOR, audit.AuditFilter(action="school_moved_la")).rows
            assert moves and moves[0].detail == f"URN {A}: LA 'North' -> {la!r}", "a move must be audited"
        return now != "North"
    finally:
        schools.upsert_schools(w.db, OPERATOR, register([(A, "Alder Primary", "North", "primary")]))


def _repo_register_move(w: World, actor: Actor) -> bool:
    def move(la: str) -> None:
        schools.upsert_schools(w.db, actor, register([(A, "Alder Primary", la, "primary")]))

    return _moved(w, move, _moved_to(w, actor))


REPOSITORY: dict[tuple[str, str], Callable[[World, Actor], bool]] = {
    ("register row", "read"): _repo_register_read,
    ("register row", "write"): _repo_register_write,
    ("review (submitted self-review)", "read"): lambda w, a: _repo_review_read(w, a, w.submitted),
    ("review (self-review in progress)", "read"): lambda w, a: _repo_review_read(w, a, w.in_progress),
    ("review (self-review)", "write"): _repo_review_write,
    ("review (start one of the school)", "write"): _repo_review_start,
    ("answers", "read"): lambda w, a: reviews.load_answers(w.db, a, w.submitted)["role-designated"].response == "yes",
    ("answers", "write"): _repo_answers_write,
    ("answers", "export"): lambda w, a: _repo_export(w, a, "answers"),
    ("scores/results", "read"): lambda w, a: len(reviews.answers_frame(w.db, a, w.submitted)) == 2,
    ("report (results workbook)", "export"): lambda w, a: _repo_export(w, a, "results"),
    ("uploads/merges", "write"): _repo_upload,
    ("audit log", "read"): _repo_audit_read,
    ("audit log", "export"): _repo_audit_export,
    ("users", "read"): lambda w, a: EMAILS["school_A"] in [u.email for u in users.list_users(w.db, a)],
    ("users", "write"): _repo_users_write,
    ("peer assignment", "read"): _repo_assignment_read,
    ("peer assignment", "write"): _repo_assignment_write,
    ("sharing consent", "read"): _repo_consent_read,
    ("sharing consent", "write"): _repo_consent_write,
    ("register row (move to another LA)", "write"): _repo_register_move,
}


def test_every_cell_of_the_matrix_is_tried_through_the_repositories() -> None:
    assert set(REPOSITORY) == set(MATRIX)


@pytest.mark.parametrize(("record", "action"), list(MATRIX), ids=[f"{r}-{a}" for r, a in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_repository(world: World, record: str, action: str, role: str) -> None:
    operation = REPOSITORY[(record, action)]
    _cell("repository", record, action, role, _reached(lambda: operation(world, world.actors[role])))


# --- through the pages -------------------------------------------------------------------------------


@pytest.fixture
def site(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The app under test opens the world's database (get_db is cached per process, so checked)."""
    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.setenv("SEND_REVIEW_DEMO", "0")
    if not world.app_opened:  # other modules leave their own database in the cache
        st.cache_resource.clear()
        world.app_opened = True
    return world


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """The files behind the download buttons the pages drew, by file name; calling one is clicking it."""
    made: dict[str, Callable[[], object]] = {}
    real = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return made


def _page(w: World, actor: Actor, path: str, **params: object) -> AppTest | None:
    """The page as ``actor`` sees it, or None when their navigation does not offer it."""
    at = app_as(w.db, actor).run()
    if path not in {info.get("url_pathname") for info in at._registered_pages.values()}:
        return None
    return open_page(at, path, **params)


def _shows_school_a(at: AppTest | None) -> bool:
    return at is not None and not at.exception and any("Alder Primary" in str(t.value) for t in at.title)


def _page_review_read(w: World, actor: Actor, review_id: int) -> bool:
    at = _page(w, actor, "review", review=review_id, domain="role")
    if not _shows_school_a(at):
        return False
    shown = [r for r in at.radio if r.key.startswith(f"r:{review_id}:role-designated:")]
    return len(shown) == 1 and shown[0].value in ("yes", "no")


def _page_review_write(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    at = _page(w, actor, "review", review=review_id, domain="role")
    box = [c for c in at.checkbox if c.key == f"confirm-submit-{review_id}"] if at else []
    if box:
        box[0].check().run()
        at.button(key=f"submit-{review_id}").click().run()
    return reviews.get_review(w.db, OPERATOR, review_id).status == "submitted"


def _page_review_start(w: World, actor: Actor) -> bool:
    before = {r.id for r in reviews.list_reviews(w.db, OPERATOR)}
    at = _page(w, actor, "start")
    if at is not None:
        school = at.selectbox[0]
        if f"Alder Primary (URN {A})" not in school.options:
            return False
        school.set_value(A).run()
        at.selectbox[1].set_value(FRAMEWORK.id).run()
        for anyway in [c for c in at.checkbox if c.label == "Start a separate new review anyway"]:
            anyway.check().run()  # a review of A already exists: starting another is deliberate
        next(b for b in at.button if b.label == "Start the review").click().run()
    else:  # a peer starts from their assignments
        at = _page(w, actor, "assignments")
        starts = [b for b in at.button if b.key == f"peer-start-{w.assignment}"] if at else []
        if not starts:
            return False
        starts[0].click().run()
    mine = [r for r in reviews.list_reviews(w.db, OPERATOR) if r.reviewer_id == actor.id and r.school_urn == A]
    return _shows_school_a(at) and bool(mine) and (actor.role == "peer" or any(r.id not in before for r in mine))


def _page_answers_write(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    at = _page(w, actor, "review", review=review_id, domain="role")
    radios = (
        [r for r in at.radio if r.key and r.key.startswith(f"r:{review_id}:role-eligible-qualified:")] if at else []
    )
    if radios:
        radios[0].set_value("yes").run()
    return "role-eligible-qualified" in reviews.load_answers(w.db, OPERATOR, review_id)


def _page_upload(w: World, actor: Actor) -> bool:
    review_id = w.fresh_draft()
    at = _page(w, actor, "offline", review=review_id)
    if at is not None and at.file_uploader:
        at.file_uploader[0].set_value(("answers.xlsx", w.upload, "application/octet-stream")).run()
        next(b for b in at.button if b.label == "Check the workbook").click().run()
        for save in [b for b in at.button if b.label == "Save the answers"]:  # offered only to those who may write
            save.click().run()
    return "role-eligible-qualified" in reviews.load_answers(w.db, OPERATOR, review_id)


def _page_download(w: World, actor: Actor, made: dict, kind: reviews.ExportKind) -> bool:
    at = _page(w, actor, "results", review=w.submitted)
    name = reviews.export_file_name(reviews.get_review(w.db, OPERATOR, w.submitted), kind)
    if not _shows_school_a(at) or name not in made:
        return False
    data = made[name]()
    exported = audit.read_log(w.db, OPERATOR, audit.AuditFilter(action="exported")).rows[0]
    assert (exported.who, exported.review) == (actor.email, w.submitted), "a download must be audited"
    return isinstance(data, bytes) and data[:2] == b"PK"


def _page_results(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "results", review=w.submitted)
    return _shows_school_a(at) and [m.label for m in at.metric][:1] == ["Overall"]


def _page_audit_read(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "audit")
    return at is not None and at.dataframe[0].value["School"].str.contains(A).any()


def _page_audit_export(w: World, actor: Actor, made: dict) -> bool:
    at = _page(w, actor, "audit")
    names = [n for n in made if n.startswith("send-review-audit-")]
    if at is None or not names:
        return False
    text = made[names[0]]().decode("utf-8-sig")
    return f",{A}," in text


def _page_users_read(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "users")
    return at is not None and EMAILS["school_A"] in list(at.dataframe[0].value["Email"])


def _page_assignment_read(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "assignments")
    table = at.dataframe if at else []
    return bool(table) and table[0].value["School"].str.contains(A).any()


def _page_assignment_write(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "assignments")
    if at is None or not any(s.label == "School" for s in at.selectbox):
        return False
    school = next(s for s in at.selectbox if s.label == "School")
    if f"Alder Primary (URN {A})" not in school.options:
        return False
    spare = next(p for p in assignments.peer_reviewers(w.db, OPERATOR) if p.email == SPARE_PEER)
    cycle_box = next(s for s in at.selectbox if s.label == "Review cycle")
    cycle = [c for c in cycle_box.options if c != CYCLE][ROLES.index(_role_of(w, actor)) % 3]
    next(s for s in at.selectbox if s.label == "Peer reviewer").set_value(spare.id)
    school.set_value(A)
    cycle_box.set_value(cycle)
    next(b for b in at.button if b.label == "Assign").click().run()
    made = assignments.list_assignments(w.db, OPERATOR, cycle=cycle)
    return any(a.peer_email == SPARE_PEER and a.school_urn == A for a in made)


def _role_of(w: World, actor: Actor) -> str:
    return next(role for role, who in w.actors.items() if who == actor)


def _page_consent_read(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "sharing")
    return at is not None and not at.exception and any("Alder Primary" in t for t in (texts(at), _tables(at)))


def _page_consent_write(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "sharing")
    picker = [s for s in at.selectbox if s.key == "sharing-school"] if at else []
    if picker and A in picker[0].options:
        picker[0].set_value(A).run()
    buttons = [b for b in at.button if b.key == f"sharing-{A}-{access.SHARE_WITH_PEERS}"] if at else []
    if not buttons:
        return False
    try:
        buttons[0].click().run()
        return not consent.sharing(w.db, OPERATOR, A).shares(access.SHARE_WITH_PEERS)
    finally:
        consent.set_consent(w.db, OPERATOR, A, access.SHARE_WITH_PEERS, give=True)


def _tables(at: AppTest) -> str:
    return "\n".join(d.value.to_csv() for d in at.dataframe)


def _page_register_move(w: World, actor: Actor) -> bool:
    """The register page's add-a-school form, given A's URN as a "new" school (LA: the actor's own, or South)."""

    def submit(la: str) -> None:
        at = _page(w, actor, "register")
        if at is None:
            return
        at.text_input(key="edit_urn").input(A)
        next(t for t in at.text_input if t.label == "Name").input("Alder Primary")
        for box in (t for t in at.text_input if t.label == "Local authority"):
            box.input(la)
        next(b for b in at.button if b.label == "Save the school").click().run()

    return _moved(w, submit, _moved_to(w, actor))


PAGES: dict[tuple[str, str], Callable[[World, Actor, dict], bool]] = {
    ("register row", "read"): lambda w, a, m: (
        (at := _page(w, a, "start")) is not None and f"Alder Primary (URN {A})" in at.selectbox[0].options
    ),
    ("review (submitted self-review)", "read"): lambda w, a, m: _page_review_read(w, a, w.submitted),
    ("review (self-review in progress)", "read"): lambda w, a, m: _page_review_read(w, a, w.in_progress),
    ("review (self-review)", "write"): lambda w, a, m: _page_review_write(w, a),
    ("review (start one of the school)", "write"): lambda w, a, m: _page_review_start(w, a),
    ("answers", "read"): lambda w, a, m: _page_review_read(w, a, w.submitted),
    ("answers", "write"): lambda w, a, m: _page_answers_write(w, a),
    ("answers", "export"): lambda w, a, m: _page_download(w, a, m, "answers"),
    ("scores/results", "read"): lambda w, a, m: _page_results(w, a),
    ("report (results workbook)", "export"): lambda w, a, m: _page_download(w, a, m, "results"),
    ("uploads/merges", "write"): lambda w, a, m: _page_upload(w, a),
    ("audit log", "read"): lambda w, a, m: _page_audit_read(w, a),
    ("audit log", "export"): _page_audit_export,
    ("users", "read"): lambda w, a, m: _page_users_read(w, a),
    ("peer assignment", "read"): lambda w, a, m: _page_assignment_read(w, a),
    ("peer assignment", "write"): lambda w, a, m: _page_assignment_write(w, a),
    ("sharing consent", "read"): lambda w, a, m: _page_consent_read(w, a),
    ("sharing consent", "write"): lambda w, a, m: _page_consent_write(w, a),
    ("register row (move to another LA)", "write"): lambda w, a, m: _page_register_move(w, a),
}


@pytest.mark.slow  # 133 runs of the app: make check tries the policy through the repositories and the CLI
@pytest.mark.parametrize(("record", "action"), list(PAGES), ids=[f"{r}-{a}" for r, a in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page(site: World, downloads: dict, record: str, action: str, role: str) -> None:
    operation = PAGES[(record, action)]
    _cell("pages", record, action, role, _reached(lambda: operation(site, site.actors[role], downloads)))


@pytest.mark.parametrize("role", ROLES)
def test_navigation_offers_exactly_the_pages_the_policy_allows(site: World, role: str) -> None:
    actor = site.actors[role]
    at = app_as(site.db, actor).run()
    offered = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert ("audit" in offered) == may_read_log(actor), f"{role}: the audit log page"
    assert ("users" in offered) == access.allowed(actor, "read", ACCOUNTS), f"{role}: the users page"
    assert ("start" in offered) == (actor.role != "peer"), f"{role}: peers start reviews only from their assignments"
    assert "assignments" in offered, f"{role}: everyone sees the peer reviews that concern them"
    assert ("sharing" in offered) == (actor.role != "peer"), f"{role}: peers have no school whose sharing they see"


# --- through the CLI, with --as ----------------------------------------------------------------------


@pytest.fixture
def command_line(world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """Run cli.py in-process as a role: (exit status, standard output)."""
    monkeypatch.setenv("DATABASE_URL", world.url)

    def run(role: str, *argv: str) -> tuple[int, str]:
        status = cli.main(["--as", EMAILS[role], *argv])
        return status, capsys.readouterr().out

    run.tmp = tmp_path  # type: ignore[attr-defined]
    return run


def _cli_export(w: World, run, role: str, *extra: str) -> bool:  # type: ignore[no-untyped-def]
    out = run.tmp / f"{role}.xlsx"
    status, _ = run(role, "review-export", str(w.submitted), "-o", str(out), *extra)
    return status == 0 and out.read_bytes()[:2] == b"PK"


def _cli_audit_export(w: World, run, role: str) -> bool:  # type: ignore[no-untyped-def]
    out = run.tmp / f"{role}.csv"
    status, _ = run(role, "audit", "--csv", str(out))
    return status == 0 and f",{A}," in out.read_bytes().decode("utf-8-sig")


def _cli_reviews(run, role: str, review_id: int) -> bool:  # type: ignore[no-untyped-def]
    status, out = run(role, "reviews", "--json")
    return status == 0 and review_id in [r["id"] for r in json.loads(out)]


def _cli_consent_write(w: World, run, role: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        status, _ = run(role, "sharing", A, "--withdraw", access.SHARE_WITH_PEERS)
        return status == 0 and not consent.sharing(w.db, OPERATOR, A).shares(access.SHARE_WITH_PEERS)
    finally:
        consent.set_consent(w.db, OPERATOR, A, access.SHARE_WITH_PEERS, give=True)


GIAS_HEADER = (
    "URN,LA (name),EstablishmentName,PhaseOfEducation (code),TypeOfEstablishment (code),NumberOfPupils,PercentageFSM"
)


def _cli_register_move(w: World, run, role: str) -> bool:  # type: ignore[no-untyped-def]
    """import-register with a one-row file naming A (its real URN) with the actor's LA (or South)."""

    def move(la: str) -> None:
        path = run.tmp / f"{role}-gias.csv"
        path.write_text(f"{GIAS_HEADER}\n{A},{la},Alder Primary,2,1,210,22.0\n", encoding="utf-8")
        run(role, "import-register", str(path))

    return _moved(w, move, _moved_to(w, w.actors[role]))


COMMANDS: dict[tuple[str, str], Callable] = {
    ("register row", "read"): lambda w, run, role: (
        (r := run(role, "schools", "--json"))[0] == 0 and A in [s["urn"] for s in json.loads(r[1])]
    ),
    ("review (submitted self-review)", "read"): lambda w, run, role: _cli_reviews(run, role, w.submitted),
    ("review (self-review in progress)", "read"): lambda w, run, role: _cli_reviews(run, role, w.in_progress),
    ("answers", "export"): lambda w, run, role: _cli_export(w, run, role, "--answers"),
    ("report (results workbook)", "export"): lambda w, run, role: _cli_export(w, run, role),
    ("audit log", "read"): lambda w, run, role: (r := run(role, "audit"))[0] == 0 and f"  {A}  " in r[1],
    ("audit log", "export"): _cli_audit_export,
    ("peer assignment", "read"): lambda w, run, role: (
        (r := run(role, "assignments"))[0] == 0 and f"{w.assignment}  {CYCLE}  {A}" in r[1]
    ),
    ("peer assignment", "write"): lambda w, run, role: run(role, "assign-peer", SPARE_PEER, A, next(w.cycles))[0] == 0,
    ("sharing consent", "read"): lambda w, run, role: (
        (r := run(role, "sharing", "--json"))[0] == 0 and A in [s["urn"] for s in json.loads(r[1])]
    ),
    ("sharing consent", "write"): _cli_consent_write,
    ("register row (move to another LA)", "write"): _cli_register_move,
}


@pytest.mark.parametrize(("record", "action"), list(COMMANDS), ids=[f"{r}-{a}" for r, a in COMMANDS])
@pytest.mark.parametrize("role", ROLES)
def test_command(world: World, command_line, record: str, action: str, role: str) -> None:  # type: ignore[no-untyped-def]
    operation = COMMANDS[(record, action)]
    _cell("cli --as", record, action, role, _reached(lambda: operation(world, command_line, role)))


def test_a_refused_command_exits_3_and_writes_nothing(world: World, command_line) -> None:  # type: ignore[no-untyped-def]
    out = command_line.tmp / "theirs.xlsx"
    status, _ = command_line("school_B", "review-export", str(world.submitted), "-o", str(out))
    assert status == cli.NOT_ALLOWED
    assert not out.exists()


def test_without_as_the_cli_acts_as_the_operator_and_says_so_in_the_audit_log(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", world.url)
    assert cli.main(["review-export", str(world.submitted), "-o", str(tmp_path / "r.xlsx")]) == 0
    newest = audit.read_log(world.db, OPERATOR, audit.AuditFilter(action="exported")).rows[0]
    assert (newest.who, newest.review, newest.detail) == ("operator", world.submitted, "results workbook")


def test_an_unknown_as_user_is_refused(world: World, command_line) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["--as", "nobody@nowhere.example", "reviews"]) == cli.NOT_ALLOWED


@pytest.mark.parametrize("email", ["", "  "])
def test_an_empty_as_user_is_no_such_user_not_the_operator(
    world: World, command_line, capsys: pytest.CaptureFixture[str], email: str
) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["--as", email, "schools", "--json"]) == cli.INVALID_INPUT
    captured = capsys.readouterr()
    assert "no such user" in captured.err
    assert A not in captured.out


def test_invalid_assignment_input_is_reported_not_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        assignments.assign_peer(world.db, OPERATOR, peer_email=EMAILS["school_A"], school_urn=A, cycle="2025-26")


# --- peer review visits (issue #12) ------------------------------------------------------------------
# An open visit to A for CYCLE: peer_A leads, la_A is the LA advisor on the team. la_A has submitted a
# rating, peer_A's is in progress, the agreed review is started (not submitted, so the visit stays open
# and peer_A's assignment live for the cells above). What happens once it closes is in tests/test_visits.py.

# fmt: off
VISIT_MATRIX: dict[tuple[str, str], str] = {
    # record (school A's visit)                      school_A school_B peer_A peer_other la_A la_other admin
    ("visit", "read"):                                "Y        N        Y      N          Y    N        Y",
    ("visit (set one up)", "write"):                  "Y        N        N      N          Y    N        Y",
    ("team rating, submitted", "read"):               "N        N        Y      N          Y    N        Y",
    ("team rating, in progress", "read"):             "N        N        Y      N          N    N        Y",
    ("moderation before the agreed review", "read"):  "N        N        Y      N          Y    N        Y",
    ("agreed rating", "write"):                       "N        N        Y      N          N    N        Y",
    ("lines of enquiry, not released", "read"):       "N        N        Y      N          Y    N        Y",
    ("plan and log", "write"):                        "N        N        Y      N          Y    N        Y",
    ("line of enquiry (remove one)", "write"):        "N        N        Y      N          Y    N        Y",
    ("plan and log (remove one)", "write"):           "N        N        Y      N          Y    N        Y",
}
# fmt: on


@dataclass
class VisitFacts:
    visit_id: int
    submitted_rating: int  # la_A's
    in_progress_rating: int  # peer_A's


def _visit_facts(w: World) -> VisitFacts:
    facts = getattr(w, "visit_facts", None)
    if facts is None:
        from datetime import date as _date

        from data import agreed, moderation, visits

        la, peer = w.actors["la_A"], w.actors["peer_A"]
        visit_id = visits.create_visit(
            w.db,
            la,
            school_urn=A,
            cycle=CYCLE,
            framework=FRAMEWORK,
            starts_on=_date(2026, 3, 4),
            ends_on=_date(2026, 3, 4),
            team=[EMAILS["peer_A"], EMAILS["la_A"]],
            lead=EMAILS["peer_A"],
        )
        visits.add_enquiry(w.db, peer, visit_id, FRAMEWORK, FRAMEWORK.domains[0].id, "How does the SENCO know?")
        submitted = moderation.start_rating(w.db, la, visit_id)
        reviews.save_answer(w.db, la, submitted, "role-job-description", seen_version=0, response="Developing")
        reviews.save_answer(w.db, la, submitted, "role-designated", seen_version=0, response="yes")  # as the school
        reviews.submit_review(w.db, la, submitted)
        in_progress = moderation.start_rating(w.db, peer, visit_id)
        reviews.save_answer(w.db, peer, in_progress, "role-job-description", seen_version=0, response="Embedded")
        agreed.start_agreed(w.db, peer, visit_id)
        facts = VisitFacts(visit_id, submitted, in_progress)
        w.visit_facts = facts  # type: ignore[attr-defined]
    return facts


def _visit_rating_read(w: World, actor: Actor, review_id: int) -> bool:
    from data import moderation

    listed = review_id in [r.id for r in reviews.list_reviews(w.db, actor)]
    opened = _reached(lambda: reviews.get_review(w.db, actor, review_id).school_urn == A)
    in_moderation = _reached(
        lambda: any(
            r.review_id == review_id for r in moderation.moderation(w.db, actor, _visit_facts(w).visit_id).raters
        )
    )
    own = review_id in (_visit_facts(w).submitted_rating, _visit_facts(w).in_progress_rating) and (
        reviews.get_review(w.db, OPERATOR, review_id).reviewer_id == actor.id
    )
    team_sees = in_moderation or own
    assert listed == opened, f"listing and opening rating {review_id} disagree for {actor.email}"
    return team_sees or opened


def _visit_set_up(w: World, actor: Actor) -> bool:
    from datetime import date as _date

    from data import visits

    team = [EMAILS["la_A"]]
    return (
        visits.create_visit(
            w.db,
            actor,
            school_urn=A,
            cycle=next(w.cycles),
            framework=FRAMEWORK,
            starts_on=_date(2026, 1, 5),
            ends_on=_date(2026, 1, 5),
            team=team,
            lead=EMAILS["la_A"],
        )
        > 0
    )


def _visit_repo(record: str, w: World, actor: Actor) -> bool:
    from datetime import datetime as _datetime

    from data import agreed, moderation, visits

    facts = _visit_facts(w)
    if record == "visit":
        listed = facts.visit_id in [v.id for v in visits.list_visits(w.db, actor)]
        got = _reached(lambda: visits.get_visit(w.db, actor, facts.visit_id).school_urn == A)
        assert listed == got, f"listing and opening the visit disagree for {actor.email}"
        return got
    if record == "visit (set one up)":
        return _visit_set_up(w, actor)
    if record == "team rating, submitted":
        return _visit_rating_read(w, actor, facts.submitted_rating)
    if record == "team rating, in progress":
        return _visit_rating_read(w, actor, facts.in_progress_rating)
    if record == "moderation before the agreed review":
        return moderation.moderation(w.db, actor, facts.visit_id).visit.school_urn == A
    if record == "agreed rating":
        agreed.save_agreed(w.db, actor, facts.visit_id, "role-job-description", response="Developing", rationale="m")
        return True
    if record == "lines of enquiry, not released":
        return len(visits.list_enquiries(w.db, actor, facts.visit_id)) == 1
    if record == "plan and log":
        at = _datetime(2026, 3, 4, 9)
        return (
            visits.add_activity(w.db, actor, facts.visit_id, kind="meeting", at=at, member_id=None, met=["senco"]) > 0
        )
    team = w.actors["peer_A"]
    if record == "line of enquiry (remove one)":
        return _removed_by(
            actor,
            team,
            lambda: visits.add_enquiry(w.db, team, facts.visit_id, FRAMEWORK, FRAMEWORK.domains[0].id, "In error"),
            lambda who, line: visits.remove_enquiry(w.db, who, facts.visit_id, line),
            lambda: [x.id for x in visits.list_enquiries(w.db, team, facts.visit_id)],
        )
    if record == "plan and log (remove one)":
        at = _datetime(2026, 3, 4, 9)
        return _removed_by(
            actor,
            team,
            lambda: visits.add_activity(w.db, team, facts.visit_id, kind="meeting", at=at, member_id=None, met=[]),
            lambda who, activity: visits.remove_activity(w.db, who, facts.visit_id, activity),
            lambda: [a.id for a in visits.list_activities(w.db, team, facts.visit_id)],
        )
    raise AssertionError(record)


def _removed_by(
    actor: Actor,
    team: Actor,
    add: Callable[[], int],
    remove: Callable[[Actor, int], None],
    listed: Callable[[], list[int]],
) -> bool:
    """The team writes an entry and ``actor`` tries to remove it; the visit is shared by the module, so
    an entry the actor could not remove is removed by the team afterwards."""
    entry = add()
    try:
        remove(actor, entry)
        return entry not in listed()
    finally:
        if entry in listed():
            remove(team, entry)


@pytest.mark.parametrize(("record", "action"), list(VISIT_MATRIX), ids=[f"{r}-{a}" for r, a in VISIT_MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_visit_repository(world: World, record: str, action: str, role: str) -> None:
    want = VISIT_MATRIX[(record, action)].split()[ROLES.index(role)] == "Y"
    got = _reached(lambda: _visit_repo(record, world, world.actors[role]))
    words = {True: "reaches school A's record", False: "is refused"}
    assert got == want, f"repository: {role} × {record} × {action}: expected {words[want]}, but {words[got]}"


VISIT_COMMANDS = {
    "visit": lambda w, run, role: (
        (r := run(role, "visits", "--json"))[0] == 0 and _visit_facts(w).visit_id in [v["id"] for v in json.loads(r[1])]
    ),
    "moderation before the agreed review": lambda w, run, role: (
        (r := run(role, "moderation", str(_visit_facts(w).visit_id), "--json"))[0] == 0
        and json.loads(r[1])["school_urn"] == A
    ),
}


@pytest.mark.parametrize("record", list(VISIT_COMMANDS))
@pytest.mark.parametrize("role", ROLES)
def test_visit_command(world: World, command_line, record: str, role: str) -> None:  # type: ignore[no-untyped-def]
    want = VISIT_MATRIX[(record, "read")].split()[ROLES.index(role)] == "Y"
    got = _reached(lambda: VISIT_COMMANDS[record](world, command_line, role))
    assert got == want, f"cli --as: {role} × {record}: expected {want}, got {got}"


def _visit_page(w: World, actor: Actor, path: str, marker: str) -> bool:
    at = _page(w, actor, path, visit=_visit_facts(w).visit_id)
    return at is not None and not at.exception and marker in texts(at)


VISIT_PAGES = {
    "visit": lambda w, a: _visit_page(w, a, "visits", "Visit to Alder Primary"),
    "moderation before the agreed review": lambda w, a: _visit_page(w, a, "moderation", "Moderation: Alder Primary"),
}


@pytest.mark.parametrize("record", list(VISIT_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_visit_page(site: World, record: str, role: str) -> None:
    want = VISIT_MATRIX[(record, "read")].split()[ROLES.index(role)] == "Y"
    got = _reached(lambda: VISIT_PAGES[record](site, site.actors[role]))
    assert got == want, f"pages: {role} × {record}: expected {want}, got {got}"


# --- action plans and the written report (issue #13) -----------------------------------------------


def _plan_of_a(w: World) -> None:
    from data import action_plans

    if not action_plans.list_actions(w.db, OPERATOR, A, CYCLE):
        action_plans.add_action(w.db, OPERATOR, A, CYCLE, what="Matrix action")


def _repo_plan_read(w: World, actor: Actor) -> bool:
    from data import action_plans

    _plan_of_a(w)
    return bool(action_plans.list_actions(w.db, actor, A, CYCLE))


def _repo_plan_write(w: World, actor: Actor) -> bool:
    from data import action_plans

    return action_plans.add_action(w.db, actor, A, CYCLE, what=f"by {actor.email}") > 0


def _repo_plan_export(w: World, actor: Actor) -> bool:
    from data import action_plans

    _plan_of_a(w)
    return bool(action_plans.export_actions(w.db, actor, A, CYCLE))


def _repo_report(w: World, actor: Actor) -> bool:
    from data.reports import report_bundle

    return report_bundle(w.db, actor, w.submitted, "pdf").review.id == w.submitted


REPOSITORY.update(
    {
        ("action plan", "read"): _repo_plan_read,
        ("action plan", "write"): _repo_plan_write,
        ("action plan", "export"): _repo_plan_export,
        ("report (Word/PDF)", "export"): _repo_report,
    }
)
# --- the LA overview (issue #14): school A by name, through every way in -----------------------------
# "Y": school A is a row of the actor's overview (by name); "N": refused, not offered, or A not a row.

# fmt: off
OVERVIEW_MATRIX: dict[tuple[str, str], str] = {
    # record                                         school_A school_B peer_A peer_other la_A la_other admin
    ("LA overview row", "read"):                      "N        N        N      N          Y    N        Y",
    ("LA overview row", "export"):                    "N        N        N      N          Y    N        Y",
}
# fmt: on
OVERVIEW_FRAMEWORK = FRAMEWORK.id


def _overview_has_a(w: World, actor: Actor, action: access.Action) -> bool:
    from data.overview import la_overview

    return A in {s.urn for s in la_overview(w.db, actor, OVERVIEW_FRAMEWORK, action=action).schools}


def _overview_page(w: World, actor: Actor) -> bool:
    at = _page(w, actor, "overview", framework=OVERVIEW_FRAMEWORK)
    if at is None or at.exception or not at.dataframe:
        return False
    return A in set(at.dataframe[0].value["URN"])


def _overview_cli_export(run, role: str) -> bool:  # type: ignore[no-untyped-def]
    out = run.tmp / f"overview-{role}.xlsx"
    status, _ = run(role, "overview", "--framework", OVERVIEW_FRAMEWORK, "--xlsx", str(out))
    if status != 0:
        return False
    book = openpyxl.load_workbook(out)
    return A in {row[0].value for row in book["Heat map"].iter_rows(min_row=2)}


@pytest.mark.parametrize("action", ["read", "export"])
@pytest.mark.parametrize("role", ROLES)
def test_overview_repository(world: World, role: str, action: str) -> None:
    want = OVERVIEW_MATRIX[("LA overview row", action)].split()[ROLES.index(role)] == "Y"
    got = _reached(lambda: _overview_has_a(world, world.actors[role], action))  # type: ignore[arg-type]
    assert got == want, f"repository: {role} × LA overview row × {action}"


@pytest.mark.parametrize("role", ROLES)
def test_overview_page(site: World, role: str) -> None:
    want = OVERVIEW_MATRIX[("LA overview row", "read")].split()[ROLES.index(role)] == "Y"
    assert _reached(lambda: _overview_page(site, site.actors[role])) == want, f"pages: {role} × LA overview row"


@pytest.mark.parametrize("role", ROLES)
def test_overview_command(world: World, command_line, role: str) -> None:  # type: ignore[no-untyped-def]
    read = OVERVIEW_MATRIX[("LA overview row", "read")].split()[ROLES.index(role)] == "Y"
    status, out = command_line(role, "overview", "--framework", OVERVIEW_FRAMEWORK, "--json")
    got = status == 0 and A in [s["urn"] for s in json.loads(out)["schools"]]
    assert got == read, f"cli --as: {role} × LA overview row × read"
    export = OVERVIEW_MATRIX[("LA overview row", "export")].split()[ROLES.index(role)] == "Y"
    assert _reached(lambda: _overview_cli_export(command_line, role)) == export, f"cli --as: {role} × export"


def test_overview_counts_but_never_names_a_school_that_withdrew_consent(world: World) -> None:
    from data.overview import la_overview

    advisor = world.actors["la_A"]
    consent.set_consent(world.db, OPERATOR, A, access.SHARE_WITH_LA, give=False)
    try:
        found = la_overview(world.db, advisor, OVERVIEW_FRAMEWORK)
        assert found.schools == () and found.not_named == 1 and found.completion["schools"] == 1
        assert "Alder" not in json.dumps(found.to_json()) and A not in json.dumps(found.to_json())
        admin = la_overview(world.db, world.actors["admin"], OVERVIEW_FRAMEWORK, la="North")
        assert [s.urn for s in admin.schools] == [A]
    finally:
        consent.set_consent(world.db, OPERATOR, A, access.SHARE_WITH_LA, give=True)


# --- whole-database backup and restore (issue 16) ---------------------------------------------------
# A backup holds every account's password hash and a restore replaces everything: administrators only.
# (The restore and the upload check are tried per role in tests/test_pages_backup.py.)
BACKUP_MATRIX = {("whole database", "export"): "N        N        N      N          N    N        Y"}


def _backup_allowed(role: str) -> bool:
    return BACKUP_MATRIX[("whole database", "export")].split()[ROLES.index(role)] == "Y"


@pytest.mark.parametrize("role", ROLES)
def test_backup_repository(world: World, role: str, tmp_path: Path) -> None:
    from data import backup_admin

    made = tmp_path / f"backup-{role}.zip"
    got = _reached(lambda: backup_admin.make_backup(world.db, world.actors[role], made).rows > 0)
    assert got == _backup_allowed(role), f"repository: {role} × whole database × export"
    assert made.exists() == got


@pytest.mark.parametrize("role", ROLES)
def test_backup_page_is_offered_only_where_allowed(site: World, role: str) -> None:
    at = app_as(site.db, site.actors[role]).run()
    offered = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert ("backup" in offered) == _backup_allowed(role), f"{role}: the Backup page"
