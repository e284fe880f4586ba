"""`cli.py demo`: the fictional LA goes only into a database that holds nothing of anyone's."""

from __future__ import annotations

import pandas as pd
import pytest

import cli
from data import reviews
from data.access import OPERATOR
from data.schools import upsert_schools
from data.setup import open_database

pytestmark = pytest.mark.slow  # loads the whole demo LA


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_demo_loads_the_same_fictional_la_for_the_same_seed(db_url, capsys):
    assert cli.main(["demo", "--seed", "11"]) == 0
    assert "loaded 120 fictional schools, 1080 reviews" in capsys.readouterr().out
    first = [(r.school_name, r.cycle, r.status) for r in reviews.list_reviews(open_database(db_url), OPERATOR)]
    assert all(name.endswith("(demo)") for name, _, _ in first)
    assert cli.main(["demo"]) == 3
    assert "already holds the demo data" in capsys.readouterr().err


def test_demo_refuses_a_database_with_real_data(db_url, capsys):
    register = pd.DataFrame(
        [["100001", "Real Primary", "Realshire", "primary", "", 200, 20.0, 12.0, 2.0, False]],
        columns=["urn", "name", "la", "phase", "type", "pupils", "fsm_pct", "sen_support_pct", "ehcp_pct",
                 "resourced_provision"],
    )  # fmt: skip
    upsert_schools(open_database(db_url), OPERATOR, register)
    assert cli.main(["demo"]) == 3
    assert "already holds real schools or reviews" in capsys.readouterr().err
