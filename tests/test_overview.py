"""The LA overview against a small register worked out by hand (tests/support/overview_world.py), on
SQLite and PostgreSQL: numbers, flags, themes, completion, consent and LA boundaries, exports and the CLI."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest

import cli
from data import action_plans, users
from data.access import OPERATOR, Actor, NotAllowed, NotFound
from data.overview import la_overview
from data.setup import open_database
from exports.overview_workbook import overview_csv, overview_workbook
from tests.support import overview_world as world

NORTH = Actor(id=None, email="advisor@north.example", role="la", la="North")
SOUTH = Actor(id=None, email="advisor@south.example", role="la", la="South")
FW = world.TINY.id


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = open_database(database_url)
    world.build(database)
    yield database
    database.dispose()


def test_rows_numbers_flags_and_completion_for_the_north_advisor(db) -> None:
    o = la_overview(db, NORTH, FW)
    doc = o.to_json()
    assert doc["framework_id"] == FW and doc["cycle"] == world.NEW
    by = {s["urn"]: s for s in doc["schools"]}
    assert set(by) == {"900001", "900002", "900003", "900004", "900005", "900006"}  # not Hawthorn, not South
    assert set(by["900001"]) == {"urn", "name", "phase", "status", "domains", "flags"}
    assert by["900001"]["domains"][0] == {"domain_id": "d1", "percent": 66.7, "band": "Good", "limited": False}
    assert by["900002"]["domains"][0] == {"domain_id": "d1", "percent": 33.3, "band": "Low", "limited": True}
    assert [f["code"] for f in by["900001"]["flags"]] == ["fell_band"]
    assert by["900001"]["flags"][0]["reason"] == "First domain: Great last cycle, Good now."
    assert [f["code"] for f in by["900002"]["flags"]] == ["statutory_unmet", "fell_band"]
    assert by["900002"]["flags"][0]["reason"] == "Statutory duty not met: The SEN policy is published."
    assert by["900003"]["flags"] == []
    assert [by[u]["status"] for u in ("900004", "900005", "900006")] == ["submitted", "in_progress", "not_started"]
    assert by["900005"]["domains"] == []
    draft = next(s for s in o.schools if s.urn == "900005")
    assert draft.progress.words() == "In progress (1 of 3 answered, 33%)"
    assert doc["completion"] == {
        "not_started": 1, "in_progress": 1, "submitted": 5, "peer_reviewed": 0, "shared": 6, "schools": 7,
        "not_named": 1,
    }  # fmt: skip


def test_themes_change_and_medians_count_the_school_that_does_not_share(db) -> None:
    o = la_overview(db, NORTH, FW)
    themes = {(t.group, t.criterion_id): t for t in o.themes}
    plan = themes[("primary", "c2")]
    assert (plan.schools, plan.n, plan.previous_share) == (4, 5, 60.0)
    assert plan.sentence() == "80% of primary schools (4 of 5) answer “No” to “A plan exists” (previous cycle 60%)."
    assert (themes[("primary", "c1")].schools, themes[("primary", "c1")].previous_share) == (2, 20.0)
    assert o.change_counts["d1"] == {"improved": 1, "same": 1, "declined": 2}
    medians = o.medians.set_index(["cycle", "domain_id"])["median"]
    assert medians[(world.NEW, "d1")] == pytest.approx(50.0)
    assert medians[(world.OLD, "d1")] == pytest.approx(250 / 3)
    d1 = next(d for d in o.domain_distributions if d.key == "d1")
    assert d1.n == 5 and dict(d1.counts) == {"Great": 1, "Good": 3, "Fair": 0, "Low": 1}


def test_with_three_cycles_change_and_flags_look_at_the_previous_one_and_medians_at_every_one(db) -> None:
    oldest = "2023/24"
    levels = {"900001": "Low", "900002": "Low", "900003": "Fair", "900004": "Great", "900005": "Good"}
    world.add_reviews(db, {urn: {oldest: (level, "yes", "yes")} for urn, level in levels.items()})
    o = la_overview(db, NORTH, FW)
    assert o.cycles == (oldest, world.OLD, world.NEW) and o.previous_cycle == world.OLD
    assert o.change_counts["d1"] == {"improved": 1, "same": 1, "declined": 2}  # as with two cycles
    by = {s.urn: s for s in o.schools}
    assert [f.reason for f in by["900001"].flags] == ["First domain: Great last cycle, Good now."]
    # Great in 2023/24, nothing in 2024/25, Low now: no "last cycle" to fall from, no change
    assert [f.code for f in by["900004"].flags] == [] and by["900004"].change == {"d1": None, "d2": None}
    plan = next(t for t in o.themes if (t.group, t.criterion_id) == ("primary", "c2"))
    assert plan.previous_share == 60.0  # themes compare with 2024/25 too
    medians = o.medians.set_index(["cycle", "domain_id"])
    assert medians.at[(oldest, "d1"), "median"] == pytest.approx(200 / 3)  # 50, 50, 66.7, 83.3, 100
    assert medians.at[(oldest, "d1"), "schools"] == 5
    assert medians.at[(world.OLD, "d1"), "median"] == pytest.approx(250 / 3)
    earlier = la_overview(db, NORTH, FW, world.OLD)  # an earlier cycle: its previous is the oldest
    assert earlier.previous_cycle == oldest and set(earlier.medians["cycle"]) == {oldest, world.OLD}


def test_the_other_la_sees_only_its_own_school_and_no_small_group_figures(db) -> None:
    o = la_overview(db, SOUTH, FW)
    assert [s.urn for s in o.schools] == ["900008"] and o.completion["schools"] == 1
    assert all(d.suppressed and d.counts == () for d in o.criterion_distributions)
    assert o.themes == () and o.medians["median"].isna().all()
    text = json.dumps(o.to_json())
    assert "Alder" not in text and "Hawthorn" not in text


def test_a_school_that_does_not_share_is_never_named_anywhere(db) -> None:
    o = la_overview(db, NORTH, FW)
    doc = o.document()
    assert world.HIDDEN not in json.dumps(doc, default=str) and "Hawthorn" not in json.dumps(doc, default=str)
    book = overview_workbook(doc)
    wb = openpyxl.load_workbook(io.BytesIO(book))
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("Hawthorn" in c or world.HIDDEN in c for c in cells)
    assert "Hawthorn" not in overview_csv(doc).decode("utf-8-sig")


def test_admin_names_every_school_of_the_la_asked_for(db) -> None:
    o = la_overview(db, OPERATOR, FW, la="North")
    assert len(o.schools) == 7 and o.not_named == 0


def test_school_and_peer_users_may_not_open_it_and_unknown_frameworks_are_not_found(db) -> None:
    with pytest.raises(NotAllowed):
        la_overview(db, Actor(id=None, email="s@x", role="school", school_urn="900001"), FW)
    with pytest.raises(NotAllowed):
        la_overview(db, Actor(id=None, email="p@x", role="peer"), FW)
    with pytest.raises(NotFound):
        la_overview(db, NORTH, "no-such-framework")


def test_a_withdrawn_consent_takes_effect_at_once(db) -> None:
    from data import consent
    from data.access import SHARE_WITH_LA

    assert "900001" in {s.urn for s in la_overview(db, NORTH, FW).schools}
    consent.set_consent(db, OPERATOR, "900001", SHARE_WITH_LA, give=False)
    o = la_overview(db, NORTH, FW)
    assert "900001" not in {s.urn for s in o.schools} and o.not_named == 2 and o.completion["schools"] == 7


def test_the_workbook_cell_by_cell(db) -> None:
    o = la_overview(db, NORTH, FW, action="export")
    wb = openpyxl.load_workbook(io.BytesIO(overview_workbook(o.document(), made_on=date(2026, 1, 5))))
    assert wb.sheetnames == ["Summary", "Heat map", "Flags", "Themes", "Answers", "Completion"]
    for ws in wb:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["Made on"] == datetime(2026, 1, 5) and wb["Summary"]["B5"].number_format == "d mmm yyyy"
    assert summary["Schools counted"] == 7 and summary["Schools counted but not named"] == 1
    heat = wb["Heat map"]
    header = [c.value for c in heat[1]]
    assert header[:7] == ["URN", "School", "Phase", "Type", "Resourced provision", "Groups", "Stage"]
    rows = {r[0].value: r for r in heat.iter_rows(min_row=2)}
    alder = rows["900001"]
    assert (
        alder[header.index("First domain %")].value == 66.7 and alder[header.index("First domain %")].data_type == "n"
    )
    assert rows["900002"][header.index("First domain band")].value == "Low (limited)"
    assert rows["900006"][1].value == "'=Rowan Primary" and rows["900006"][1].data_type == "s"  # not a formula
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    themes = wb["Themes"]
    plan = next(r for r in themes.iter_rows(min_row=2) if r[1].value == "c2" and r[0].value == "primary")
    assert [c.value for c in plan[3:7]] == [4, 5, 80.0, 60.0]
    completion = {r[0].value: r for r in wb["Completion"].iter_rows(min_row=2)}
    assert isinstance(completion["900001"][7].value, datetime)
    assert completion["900005"][4].value == 1 and completion["900005"][5].value == 3


def test_csv_has_a_bom_and_sanitised_cells(db) -> None:
    data = overview_csv(la_overview(db, NORTH, FW).document())
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=Rowan Primary" in data.decode("utf-8-sig")


def test_the_cli_gives_the_same_json_as_the_advisor_sees(db, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    admin = users.create_first_admin(db, "admin@la.example", "Ada", "a long enough password 42")
    users.invite_user(db, admin, "advisor@north.example", "Nora", "la", la="North")
    assert cli.main(["--as", "advisor@north.example", "overview", "--framework", FW, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"framework_id", "cycle", "schools", "themes", "completion"}
    assert doc == json.loads(json.dumps(la_overview(db, NORTH, FW).to_json()))
    assert cli.main(["overview", "--framework", "nope"]) == 3
    assert "nope" in capsys.readouterr().err
    assert cli.main(["overview", "--framework", FW, "--cycle", "2025-26"]) == 2
    assert capsys.readouterr().err.strip() == 'cycle: "2025-26" is not a review cycle such as 2025/26'
    assert cli.main(["--as", "admin@la.example", "overview", "--framework", FW, "--cycle", world.OLD, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cycle"] == world.OLD


def test_heat_map_table_sorts_by_band_and_says_each_band_in_words(db) -> None:
    from ui import overview_tables as tables

    o = la_overview(db, NORTH, FW)
    ordered = tables.sort_rows(o, o.schools, "First domain", descending=True)
    no_result = [s.urn for s in o.schools if s.urn in ("900005", "900006")]  # last, in name order
    assert [s.urn for s in ordered] == ["900003", "900001", "900004", "900002", *no_result]
    assert [s.urn for s in tables.sort_rows(o, o.schools, "Flags", descending=True)][:1] == ["900002"]
    html = tables.heat_map_html(o, ordered)
    assert "1 · Low (limited), 33.3%" in html and "4 · Great, 100.0%" in html
    assert "&#x27;=Rowan" not in html and "=Rowan Primary" in html  # escaped as text, never markup
    assert html.count('<th scope="row">') == 6 and "Hawthorn" not in html
    assert 'href="results?review=' in html


def test_overdue_action_plan_items_are_flagged_and_a_new_one_is_seen_at_once(db) -> None:
    """The overview reads the schools' action plans: an open action past its due date is a flag."""
    today = date(2026, 6, 1)
    assert [f["code"] for f in _flags(db, "900003", today)] == []
    action_plans.add_action(
        db,
        OPERATOR,
        "900003",
        world.NEW,
        what="Hold every annual review on time",
        lead="SENCO",
        due_on=date(2026, 3, 1),
    )
    action_plans.add_action(
        db, OPERATOR, "900003", world.NEW, what="Done already", due_on=date(2026, 2, 1), status="done"
    )
    flags = _flags(db, "900003", today)
    assert [f["code"] for f in flags] == ["overdue_actions"]
    assert flags[0]["reason"] == "1 action-plan item is overdue (the oldest was due 1 March 2026)."


def _flags(db, urn: str, today: date) -> list[dict]:  # type: ignore[no-untyped-def]
    doc = la_overview(db, NORTH, FW, today=today).to_json()
    return next(s for s in doc["schools"] if s["urn"] == urn)["flags"]
