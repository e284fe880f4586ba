"""The compare page and the register page through the real app (Streamlit AppTest), on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from data import groups, schools
from data.access import OPERATOR
from data.comparison import Measure, TrendRow
from scoring.peers import compare
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts
from tests.test_comparison import ME, build, peer_urn
from ui import compare as compare_page

GIAS = (
    "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (code),PhaseOfEducation (code),"
    "NumberOfPupils,PercentageFSM,GOR (name),EstablishmentStatus (code)\n"
)


@pytest.fixture
def site(database_url, monkeypatch):
    """prepared_site's two schools and admin, plus Target Primary and ten peers in North with submitted reviews."""
    db = prepared_site(database_url, monkeypatch)
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    senco = add_user(db, "senco@target.example", "school", school_urn=ME)
    advisor = add_user(db, "advisor@north.example", "la", la="North")
    yield db, senco, advisor
    db.dispose()


def everything(at) -> str:  # type: ignore[no-untyped-def]
    """The page's words and every table cell, for checking what a user could read."""
    return texts(at) + "\n".join(d.value.to_csv() for d in at.dataframe)


def table(at, first_column: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def test_an_la_advisor_sees_the_comparison_with_named_peers(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "compare", urn=ME, framework="tiny", peers="la")
    assert not at.exception
    words = texts(at)
    # Alder Primary (from prepared_site) is in North too, with no review: left out and counted
    assert "Compared with 10 of 11 primary schools in North" in words
    assert "1 has no submitted self-review of this framework in 2025/26, so it is left out." in words
    assert (
        "First domain: 75%, at or above 80% of primary schools in North (top quarter); "
        "peer median 50% (range 0% to 100%, 10 schools)." in words
    )
    domains = table(at, "Domain").set_index("Domain")
    assert domains.loc[
        "First domain", ["Percent", "Peer median", "Peer range", "At or above (share of peers)"]
    ].tolist() == [
        "75%",
        "50%",
        "0% to 100%",
        "80%",
    ]
    peers = table(at, "School")
    assert "Peer 3 Primary" in set(peers["School"]) and peer_urn(3) in set(peers["URN"])
    assert at.query_params["peers"] in ("la", ["la"])


def test_a_senco_sees_the_same_figures_with_no_peer_named(site):
    db, senco, _ = site
    at = open_page(app_as(db, senco), "compare", framework="tiny", peers="la")
    assert not at.exception
    seen = everything(at)
    assert "First domain: 75%, at or above 80% of primary schools in North (top quarter)" in seen
    for i in range(10):
        assert peer_urn(i) not in seen and f"Peer {i} Primary" not in seen
    assert "Alder Primary" not in seen and "School K" in seen
    assert at.selectbox[0].options == [f"Target Primary (URN {ME})"]
    assert "Peer schools are not named to school users" in seen


def test_a_small_group_is_not_shown_and_the_page_says_why(site):
    db, senco, advisor = site
    group_id = groups.create_group(db, advisor, "Small cluster", [ME, *(peer_urn(i) for i in range(4))])
    at = open_page(app_as(db, senco), "compare", framework="tiny", peers=f"group:{group_id}")
    assert not at.exception
    assert (
        "First domain: 75%. Not compared: only 4 of the schools in Small cluster have a result, and figures for "
        "fewer than 5 schools could identify them." in texts(at)
    )
    assert table(at, "Domain").set_index("Domain").at["First domain", "Shown"] == "not shown (too few)"


def test_senco_time_shows_the_survey_figures_as_labelled_reference_points(site):
    db, senco, _ = site
    at = open_page(app_as(db, senco), "compare", framework="tiny", peers="la")
    words = texts(at)
    assert "**Published figures: national survey (self-selected sample).** Reference points to discuss" in words
    assert "No national survey has published a median" in words
    hours = table(at, "Measure").set_index("Measure")
    assert hours.at["Minutes a week per pupil on the SEN register", "This school"] == "12.0 min"


def test_a_link_to_a_group_the_user_cannot_use_falls_back_with_a_message(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "compare", urn=ME, framework="tiny", peers="group:999")
    assert not at.exception
    words = texts(at)
    assert "The link asked for peers group:999, which is not one you can use here; showing another." in words
    assert "Compared with 10 of 11 similar schools" in words


def test_register_import_stores_good_files(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "register")
    assert not at.exception
    gias = GIAS + "300001,999,North,New North Primary,1,2,210,23.4,N,1\n300002,999,North,New North High,28,4,900,,N,1\n"
    at.file_uploader(key="register_gias").set_value(("gias.csv", gias.encode(), "text/csv"))
    sen = "URN,Total pupils,SEN support,EHC plan\n300001,210,21,4\n"
    at.file_uploader(key="register_sen").set_value(("sen.csv", sen.encode(), "text/csv"))
    at.run()
    at.button(key="register_import").click().run()
    assert not at.exception
    assert "Stored 2 schools: 2 in North." in texts(at)
    stored = schools.get_school(db, advisor, "300001")
    assert (stored.name, stored.pupils, stored.sen_support_pct) == ("New North Primary", 210, 10.0)


def test_register_import_lists_every_problem_and_stores_nothing(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "register")
    gias = GIAS + "30001,999,North,Bad URN Primary,1,2,210,23.4,N,1\n300002,999,North,High,28,4,900,120,N,1\n"
    at.file_uploader(key="register_gias").set_value(("gias.csv", gias.encode(), "text/csv")).run()
    at.button(key="register_import").click().run()
    assert not at.exception
    [error] = at.error
    assert error.value == (
        "2 problem(s) found. Nothing was stored. Fix them and upload again:\n\n"
        '- gias.csv, line 2, column URN: "30001" is not a URN (6 digits)\n'
        '- gias.csv, line 3, column PercentageFSM: "120" is not a percentage between 0 and 100'
    )
    assert {"300001", "300002"}.isdisjoint(s.urn for s in schools.list_schools(db, OPERATOR))


def test_register_import_outside_the_user_s_la_is_refused(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "register")
    gias = GIAS + "300001,999,North,New North Primary,1,2,210,23.4,N,1\n300003,998,East,East Primary,1,2,99,5,E,1\n"
    at.file_uploader(key="register_gias").set_value(("gias.csv", gias.encode(), "text/csv")).run()
    at.button(key="register_import").click().run()
    assert "You can add or change schools in North only, and the file also has schools in East." in texts(at)
    assert "300001" not in {s.urn for s in schools.list_schools(db, OPERATOR)}


def test_an_la_user_edits_a_school_of_their_la_by_hand(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "register")
    at.selectbox(key="edit_pick").set_value(ME).run()
    next(t for t in at.text_input if t.label == "Name").input("Target Primary Academy")
    next(n for n in at.number_input if n.label == "Pupils on roll").set_value(240)
    next(b for b in at.button if b.label == "Save the school").click().run()
    assert not at.exception
    assert f"Saved Target Primary Academy ({ME})." in texts(at)
    edited = schools.get_school(db, advisor, ME)
    assert (edited.name, edited.pupils, edited.la) == ("Target Primary Academy", 240, "North")


def test_an_la_user_makes_a_group_on_the_register_page(site):
    db, _, advisor = site
    at = open_page(app_as(db, advisor), "register")
    next(t for t in at.text_input if t.label == "Name of the group").input("Riverside cluster")
    next(m for m in at.multiselect if m.label == "Schools in the group").set_value([ME, peer_urn(0)])
    next(b for b in at.button if b.label == "Save the group").click().run()
    assert not at.exception
    assert "Made the group Riverside cluster with 2 schools." in texts(at)
    [made] = groups.list_groups(db, advisor)
    assert (made.name, made.size, groups.group_members(db, advisor, made.id)) == (
        "Riverside cluster",
        2,
        [ME, peer_urn(0)],
    )


def test_school_users_have_no_register_page(site):
    db, senco, _ = site
    at = app_as(db, senco)
    with pytest.raises(AssertionError, match="no page registered at /register"):
        open_page(at, "register")


# --- the chart builders, which AppTest cannot look inside ---------------------------------------


def measure(title: str, value: float | None, peers: list[float]) -> Measure:
    return Measure(title.lower(), title, value, None, compare(value, peers))


def test_the_chart_marks_the_school_as_a_diamond_and_draws_each_group_size_its_own_way():
    measures = [
        measure("Full", 75.0, [0, 0, 25, 25, 50, 50, 75, 75, 100, 100]),
        measure("Summary", 40.0, [10, 20, 30, 40, 50]),
        measure("Hidden", 60.0, [10, 20, 30, 40]),
    ]
    fig = compare_page.comparison_chart(measures)
    traces = {t.name: t for t in fig.data}
    assert list(traces) == ["Peers (box: middle half)", "Peer range (lowest to highest)", "Peer median", "This school"]
    assert traces["Peers (box: middle half)"].x == (0, 0, 25, 25, 50, 50, 75, 75, 100, 100)
    assert set(traces["Peers (box: middle half)"].y) == {"Full"}
    assert traces["Peer range (lowest to highest)"].x == (10, 50, None)
    assert traces["Peer median"].x == (50.0, 30.0)  # none for the hidden row
    assert traces["This school"].x == (75.0, 40.0, 60.0)
    assert traces["This school"].marker.symbol == "diamond"
    assert traces["This school"].text == ("75%", "40%", "60%")
    assert traces["This school"].y[2] == "Hidden<br>(too few peers to compare)"


def test_the_table_beside_the_chart_says_what_each_row_shows():
    measures = [measure("Full", 75.0, [0, 0, 25, 25, 50, 50, 75, 75, 100, 100]), measure("Hidden", 60.0, [10, 20])]
    table = compare_page.measure_table(measures, "Percent")
    assert table.to_dict("records") == [
        {
            "Domain": "Full",
            "Percent": "75%",
            "Peer median": "50%",
            "Peer range": "0% to 100%",
            "At or above (share of peers)": "80%",
            "Peers with a result": 10,
            "Shown": "all peers",
        },
        {
            "Domain": "Hidden",
            "Percent": "60%",
            "Peer median": "–",
            "Peer range": "–",
            "At or above (share of peers)": "–",
            "Peers with a result": 2,
            "Shown": "not shown (too few)",
        },
    ]


def test_the_trend_chart_and_its_words_and_table():
    rows = [TrendRow("2024/25", "d1", "First", 25.0, 50.0, 5), TrendRow("2025/26", "d1", "First", 75.0, None, 4)]
    fig = compare_page.trend_chart(rows)
    assert [(t.name, t.y) for t in fig.data] == [("This school", (25.0, 75.0)), ("Peer median", (50.0, None))]
    assert fig.data[1].line.dash == "dash" and fig.data[0].marker.symbol == "circle"
    assert compare_page.trend_sentence(rows) == (
        "First. 2024/25: this school 25%, peer median 50%; 2025/26: this school 75%, peer median not shown."
    )
    assert compare_page.trend_table(rows).to_dict("records") == [
        {
            "Domain": "First",
            "2024/25": "25% (peer median 50%, 5 peers)",
            "2025/26": "75% (peers not shown, 4 peers)",
        }
    ]
