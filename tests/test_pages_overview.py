"""The LA overview page under AppTest, on SQLite and PostgreSQL, with the small register of
tests/support/overview_world.py: what an advisor sees, what they never see, and who may open it."""

from __future__ import annotations

import pytest

from tests.support import overview_world as world
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts


@pytest.fixture
def site(database_url: str, monkeypatch):  # type: ignore[no-untyped-def]
    db = prepared_site(database_url, monkeypatch)
    world.build(db)
    yield db
    db.dispose()


def test_the_north_advisor_sees_the_heat_map_flags_themes_and_completion(site) -> None:
    advisor = add_user(site, "advisor@north.example", "la", la="North")
    at = open_page(app_as(site, advisor), "overview", framework=world.TINY.id)
    assert not at.exception, at.exception
    said = texts(at)
    assert "Heat map · Tiny LA framework · 2025/26" in said
    assert "1 school has not chosen to share" in said
    assert "80% of primary schools (4 of 5) answer “No” to “A plan exists” (previous cycle 60%)." in said
    assert "Of 7 schools: 1 not started, 1 in progress, 5 submitted" in said
    heat = at.dataframe[0].value
    assert list(heat.columns) == ["School", "URN", "Phase", "Stage", "First domain", "Second domain", "Flags"]
    assert set(heat["URN"]) == {"900001", "900002", "900003", "900004", "900005", "900006"}
    row = heat.set_index("URN").loc["900002"]
    assert row["First domain"] == "1 · Low (limited)" and row["Flags"] == 2
    assert row["School"].startswith("results?review=")
    flags = at.dataframe[1].value
    assert "Statutory duty not met: The SEN policy is published." in set(flags["Reason"])
    everything = said + "".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "Hawthorn" not in everything and "Southside" not in everything
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert '<th scope="row">' in html and "Hawthorn" not in html
    flags_html = html[html.index('class="overview-flags"') :]  # every reason in full, under its kind of flag
    reason = "Statutory duty not met: The SEN policy is published."
    assert f"<strong>Statutory duty not met</strong><br>{reason}" in flags_html


def test_filters_narrow_the_rows(site) -> None:
    advisor = add_user(site, "advisor@north.example", "la", la="North")
    at = open_page(app_as(site, advisor), "overview", framework=world.TINY.id)
    at.multiselect[3].select("Great").run()  # has a domain in band Great
    assert list(at.dataframe[0].value["URN"]) == ["900001", "900003"]  # 900001: "Yes" to the plan, 100%
    at.multiselect[0].select("primary").run()
    at.radio[0].set_value("yes").run()  # resourced provision
    assert list(at.dataframe[0].value["URN"]) == ["900003"]


def test_admin_chooses_the_la_and_schools_cannot_open_the_page(site) -> None:
    from data import users
    from tests.support.pages import PASSWORD

    admin = users.authenticate(site, "admin@la.example", PASSWORD)
    at = open_page(app_as(site, admin), "overview", framework=world.TINY.id, la="South")
    assert not at.exception
    assert list(at.dataframe[0].value["URN"]) == ["900008"]
    senco = add_user(site, "senco@alder.example", "school", school_urn="900001")
    at = app_as(site, senco)
    at.run()
    assert "overview" not in {p.get("url_pathname") for p in at._registered_pages.values()}


def test_an_earlier_cycle_from_the_url(site) -> None:
    advisor = add_user(site, "advisor@north.example", "la", la="North")
    at = open_page(app_as(site, advisor), "overview", framework=world.TINY.id, cycle=world.OLD)
    assert not at.exception
    said = texts(at)
    assert f"Heat map · Tiny LA framework · {world.OLD}" in said
    assert f"There is no cycle before {world.OLD} to compare with." in said
