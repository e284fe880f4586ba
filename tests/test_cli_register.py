"""The register and comparison commands: what each user may list, anonymised peers, all-or-nothing imports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import cli
from data import groups, users
from data.access import OPERATOR
from data.schools import list_schools, upsert_schools
from data.setup import open_database
from tests.support.pages import PASSWORD, add_user, share_all
from tests.test_comparison import ME, build, peer_urn, school

pytestmark = pytest.mark.slow  # imports generated national-size register files

GIAS = (
    "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (code),PhaseOfEducation (code),"
    "NumberOfPupils,PercentageFSM,GOR (name),EstablishmentStatus (code),Website\n"
)
SEN = "URN,la_name,Total pupils,SEN support,EHC plan,RP_Unit\n"


@pytest.fixture
def site(database_url, monkeypatch):
    """Target Primary with ten peers in North (submitted reviews of the tiny framework), and three users."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    db = open_database(database_url)
    build(db, 4, [1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    upsert_schools(db, OPERATOR, pd.DataFrame([school("200001", "Southern Primary", la="South")]))
    share_all(db)
    users.create_first_admin(db, "admin@la.example", "Ada Admin", PASSWORD)
    add_user(db, "senco@target.example", "school", school_urn=ME)
    add_user(db, "advisor@north.example", "la", la="North")
    yield db
    db.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_schools_lists_only_what_the_acting_user_may_see(site, capsys):
    status, out, _ = run(capsys, "schools", "--json")
    assert status == 0 and len(json.loads(out)) == 12
    _, out, _ = run(capsys, "--as", "senco@target.example", "schools", "--json")
    assert json.loads(out) == [
        {
            "urn": ME,
            "name": "Target Primary",
            "la": "North",
            "phase": "primary",
            "type": "mainstream",
            "pupils": 200,
            "fsm_pct": 20.0,
            "sen_support_pct": 13.0,
            "ehcp_pct": 2.0,
            "resourced_provision": False,
        }
    ]
    _, out, _ = run(capsys, "--as", "advisor@north.example", "schools", "--json")
    assert sorted(s["urn"] for s in json.loads(out)) == sorted([ME, *(peer_urn(i) for i in range(10))])


def test_peers_as_the_operator_names_the_peers_and_gives_the_comparison(site, capsys):
    status, out, _ = run(capsys, "peers", ME, "--framework", "tiny", "--group", "la", "--json")
    found = json.loads(out)
    assert status == 0
    assert (found["urn"], found["phase"], found["peer_count"], found["names_shown"]) == (ME, "primary", 10, True)
    assert sorted(p["urn"] for p in found["peer_list"]) == [peer_urn(i) for i in range(10)]
    d1 = next(d for d in found["domains"] if d["domain_id"] == "d1")
    assert d1["percent"] == 75.0
    assert d1["peer_percents"] == [0.0, 0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0, 100.0]
    assert (d1["peer_median"], d1["percentile"], d1["quartile"]) == (50.0, 80.0, 1)


def test_peers_as_a_school_user_is_anonymised(site, capsys):
    for extra in (["--json"], []):
        status, out, _ = run(capsys, "--as", "senco@target.example", "peers", ME, "--framework", "tiny", *extra)
        assert status == 0
        for i in range(10):
            assert peer_urn(i) not in out and f"Peer {i} Primary" not in out
        assert "School A" in out and "School J" in out
    found = json.loads(run(capsys, "--as", "senco@target.example", "peers", ME, "--framework", "tiny", "--json")[1])
    assert found["names_shown"] is False and all("urn" not in p for p in found["peer_list"])


def test_peers_says_why_a_small_group_is_not_shown(site, capsys):
    advisor = users.actor_by_email(site, "advisor@north.example")
    group_id = groups.create_group(site, advisor, "Small cluster", [ME, *(peer_urn(i) for i in range(4))])
    argv = ["--as", "advisor@north.example", "peers", ME, "--framework", "tiny", "--group", str(group_id), "--json"]
    _, out, _ = run(capsys, *argv)
    d1 = next(d for d in json.loads(out)["domains"] if d["domain_id"] == "d1")
    assert d1["suppressed"] is True
    assert d1["reason"].startswith("Only 4 peer schools have a value, fewer than 5, so no peer comparison is shown")
    assert "peer_percents" not in d1 and "peer_median" not in d1


def test_peers_of_a_school_the_user_cannot_see_exits_3(site, capsys):
    assert run(capsys, "--as", "senco@target.example", "peers", peer_urn(0), "--framework", "tiny") == (
        3,
        "",
        f"There is no school with URN {peer_urn(0)} that you can see.\n",
    )
    status, _, err = run(capsys, "peers", ME, "--framework", "tiny", "--group", "nearby")
    assert (status, err) == (2, 'peers: "nearby" is not one of similar, la, phase or group:<number>\n')


def test_import_register_stores_good_files(site, capsys, tmp_path: Path):
    gias, sen = tmp_path / "gias.csv", tmp_path / "sen.csv"
    gias.write_text(
        GIAS + "300001,999,East,East Primary,1,2,210,23.4,East,1,x\n300002,999,East,East High,28,4,900,,East,1,\n"
    )
    sen.write_text(SEN + "300001,East,210,21,4,\n")
    status, out, err = run(capsys, "import-register", str(gias), "--sen", str(sen))
    assert (status, out, err) == (0, "stored 2 schools from gias.csv and sen.csv\n", "")
    east = {s.urn: s for s in list_schools(site, OPERATOR) if s.la == "East"}
    assert (east["300001"].sen_support_pct, east["300001"].ehcp_pct, east["300002"].phase) == (
        10.0,
        4.0 / 2.1,
        "secondary",
    )


def test_import_register_reports_every_problem_in_both_files_and_stores_nothing(site, capsys, tmp_path: Path):
    gias, sen = tmp_path / "gias.csv", tmp_path / "sen.csv"
    gias.write_text(
        GIAS + "30001,999,East,East Primary,1,2,210,23.4,East,1,\n300002,999,East,East High,28,4,lots,,East,1,\n"
    )
    sen.write_text(SEN + "300001,East,10,9,4,\n")
    status, out, err = run(capsys, "import-register", str(gias), "--sen", str(sen))
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        'gias.csv, line 2, column URN: "30001" is not a URN (6 digits)',
        'gias.csv, line 3, column NumberOfPupils: "lots" is not a number',
        "sen.csv, line 2, column EHC plan: SEN support (9) plus EHC plan (4) is more than the total pupils (10)",
    ]
    assert not [s for s in list_schools(site, OPERATOR) if s.la == "East"]


def test_import_register_as_an_la_user_refuses_another_la_s_schools(site, capsys, tmp_path: Path):
    gias = tmp_path / "gias.csv"
    gias.write_text(
        GIAS + "300001,999,North,New North Primary,1,2,210,20,N,1,\n300002,999,East,East High,28,4,900,,E,1,\n"
    )
    status, _, err = run(capsys, "--as", "advisor@north.example", "import-register", str(gias))
    assert (status, err) == (3, "You do not have permission to write this record.\n")
    assert "300001" not in {s.urn for s in list_schools(site, OPERATOR)}
