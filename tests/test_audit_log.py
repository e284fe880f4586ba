"""The audit log on SQLite and PostgreSQL: what is recorded, who may read it, filters, the page and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

import cli
from data import assignments, audit, reviews, users
from data.access import OPERATOR, NotAllowed
from framework.library import builtin_framework
from tests.support.accounts import may_read_log
from tests.support.pages import PASSWORD, add_user, app_as, open_page, prepared_site

FRAMEWORK = builtin_framework("senco-role-audit")
A, B = "900001", "900002"  # Alder Primary (North), Birch High (South)


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    people = {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "birch": add_user(db, "senco@birch.example", "school", school_urn=B),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
        "south": add_user(db, "advisor@south.example", "la", la="South"),
        "peer": add_user(db, "peer@oak.example", "peer"),
    }
    yield db, people
    db.dispose()


def _review(db, actor, urn=A) -> int:
    return reviews.start_review(
        db, actor, school_urn=urn, framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )


def _actions(db, **wanted) -> list[tuple[str, str]]:
    """(who, action) of the matching rows, oldest first."""
    rows = audit.read_log(db, OPERATOR, audit.AuditFilter(**wanted)).rows
    return [(r.who, r.action) for r in reversed(rows)]


def test_changes_submissions_reopenings_and_exports_are_recorded_with_who(site):
    db, people = site
    senco = people["senco"]
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="yes")
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=1, evidence="Minutes")
    reviews.submit_review(db, senco, rid)
    reviews.reopen_review(db, senco, rid, "Head asked")
    reviews.export_bundle(db, senco, rid, "results")
    rows = [r for r in reversed(audit.read_log(db, OPERATOR, audit.AuditFilter(school_urn=A)).rows) if r.review == rid]
    mine = [(r.action, r.detail) for r in rows]
    assert mine == [
        ("review_started", FRAMEWORK.id),
        ("answer_saved", "role-designated: response"),
        ("answer_saved", "role-designated: evidence"),
        ("review_submitted", ""),
        ("review_reopened", "Head asked"),
        ("exported", "results workbook"),
    ]
    assert {r.who for r in rows} == {senco.email}


def test_opening_another_schools_review_is_recorded_at_most_once_an_hour(site):
    db, people = site
    rid = _review(db, people["senco"])
    reviews.get_review(db, people["senco"], rid)  # the school's own staff: not a view from outside
    reviews.get_review(db, people["north"], rid)
    reviews.get_review(db, people["north"], rid)
    reviews.load_answers(db, people["north"], rid)
    assert _actions(db, action="viewed") == [("advisor@north.example", "viewed")]
    later = datetime.now(UTC) + audit.VIEW_EVERY + timedelta(minutes=1)
    assert audit.record_view(db, people["north"], school_urn=A, review_id=rid, at=later)
    assert not audit.record_view(db, people["north"], school_urn=A, review_id=rid, at=later + timedelta(minutes=5))


def test_a_reviewer_opening_their_own_review_is_not_a_view(site):
    db, people = site
    rid = _review(db, people["north"])  # the LA advisor's own LA review of Alder
    reviews.get_review(db, people["north"], rid)
    assert _actions(db, action="viewed") == []


def test_an_la_user_reads_their_las_rows_only_and_schools_and_peers_none(site):
    db, people = site
    _review(db, people["senco"])
    _review(db, people["birch"], urn=B)
    users.authenticate(db, "senco@alder.example", PASSWORD)  # a sign-in has no school, but a North user
    north = {(r.school_urn, r.who, r.action) for r in audit.read_log(db, people["north"]).rows}
    assert (A, "senco@alder.example", "review_started") in north
    assert (None, "senco@alder.example", "sign_in") in north
    assert all(r[0] != B for r in north) and all(r[1] != "senco@birch.example" for r in north)
    south_urns = {r.school_urn for r in audit.read_log(db, people["south"]).rows}
    assert A not in south_urns and B in south_urns
    for who in ("senco", "peer"):
        with pytest.raises(NotAllowed):
            audit.read_log(db, people[who])
        with pytest.raises(NotAllowed):
            audit.export_log(db, people[who])
    assert may_read_log(people["north"]) and not may_read_log(people["senco"])


def test_filters_by_day_in_england_action_and_school(site):
    db, people = site
    rid = _review(db, people["senco"])
    _review(db, people["birch"], urn=B)
    with db.write() as conn:  # 23:30 UTC on 30 June is already 1 July in England (BST)
        audit.record(
            conn, OPERATOR, "exported", school_urn=A, review_id=rid, at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
        )
    july = audit.AuditFilter(since=datetime(2025, 7, 1).date(), until=datetime(2025, 7, 1).date())
    assert [(r.action, r.at.strftime("%d %b %H:%M")) for r in audit.read_log(db, OPERATOR, july).rows] == [
        ("exported", "01 Jul 00:30")
    ]
    june = audit.AuditFilter(until=datetime(2025, 6, 30).date())
    assert audit.read_log(db, OPERATOR, june).rows == []
    started_at_b = audit.AuditFilter(action="review_started", school_urn=B)
    assert [(r.school_urn, r.school) for r in audit.read_log(db, OPERATOR, started_at_b).rows] == [(B, "Birch High")]
    assert "review_started" in audit.logged_actions(db, people["north"])


def _formula_reason(db, people) -> int:
    rid = _review(db, people["senco"])
    reviews.submit_review(db, people["senco"], rid)
    reviews.reopen_review(db, people["senco"], rid, '=HYPERLINK("http://evil.example","click")')
    return rid


def _check_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so Excel reads it right"
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    reopened = next(r for r in table if r["action"] == "review_reopened")
    assert reopened["detail"] == '\'=HYPERLINK("http://evil.example","click")', "a formula must not run in Excel"
    return table


def test_the_cli_exports_csv_with_a_bom_safe_cells_and_records_the_export(site, capsys, tmp_path):
    db, people = site
    _formula_reason(db, people)
    out = tmp_path / "audit.csv"
    assert cli.main(["--as", "advisor@north.example", "audit", "--school", A, "--csv", str(out)]) == 0
    table = _check_csv(out.read_bytes())
    assert list(table[0]) == audit.COLUMNS and {r["school_urn"] for r in table} == {A}
    newest = audit.read_log(db, OPERATOR, audit.AuditFilter(action="exported")).rows[0]
    assert (newest.who, newest.detail) == ("advisor@north.example", f"audit log, school {A}: {len(table)} rows")
    assert cli.main(["--as", "senco@alder.example", "audit"]) == cli.NOT_ALLOWED


def test_the_page_shows_filters_a_table_and_a_csv_download_to_an_la_user(site, monkeypatch):
    db, people = site
    _formula_reason(db, people)
    _review(db, people["birch"], urn=B)
    made = {}
    from streamlit.runtime.media_file_manager import MediaFileManager

    real = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    at = open_page(app_as(db, people["north"]), "audit")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["School"]) == {f"Alder Primary ({A})", ""}  # "": sign-ins and such of North's users
    assert "senco@birch.example" not in set(table["Who"])  # nothing of the South LA
    at.selectbox(key="audit-action").set_value("review_reopened").run()
    assert list(at.dataframe[0].value["Action"]) == ["review_reopened"]
    (name,) = [n for n in made if n.startswith("send-review-audit-")]
    rows = _check_csv(made[name]())
    assert [r["action"] for r in rows] == ["review_reopened"]


def test_school_users_and_peers_are_not_offered_the_page(site):
    db, people = site
    for who in ("senco", "peer"):
        at = app_as(db, people[who]).run()
        assert "audit" not in {info.get("url_pathname") for info in at._registered_pages.values()}


def test_an_assignment_and_its_withdrawal_are_recorded_for_the_schools_la(site):
    db, people = site
    assignment_id = assignments.assign_peer(
        db, people["north"], peer_email="peer@oak.example", school_urn=A, cycle="2025/26"
    )
    assignments.withdraw(db, people["north"], assignment_id, "Illness")
    assert [a for a in _actions(db, school_urn=A) if a[1].startswith("peer_")] == [
        ("advisor@north.example", "peer_assigned"),
        ("advisor@north.example", "peer_withdrawn"),
    ]
    assert {r.action for r in audit.read_log(db, people["north"]).rows} >= {"peer_assigned", "peer_withdrawn"}
