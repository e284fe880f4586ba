"""The results page and the report read right for a domain of duties alone under compliance_gate: its
compliance ("4 of 4 duties met") where a level would be, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from data import reviews
from data.access import Actor
from data.db import Database
from data.reports import report_bundle
from exports.report_content import build_report
from exports.report_docx import report_docx
from exports.report_pdf import report_pdf
from framework.library import framework_from_dict
from tests.support.frameworks import store_framework
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

LEVELS = [{"points": p, "label": lbl} for p, lbl in enumerate(["Emerging", "Developing", "Established", "Embedded"], 1)]
GATED = framework_from_dict(
    {
        "id": "gated-check",
        "title": "Gated check",
        "version": "1",
        "scale": "q",
        "compliance_gate": True,
        "scales": [{"id": "q", "levels": LEVELS}],
        "domains": [
            {
                "id": "law",
                "title": "Legal duties",
                "criteria": [
                    {"id": f"d{i}", "text": f"Duty {i} is met", "kind": "yes_no", "statutory": True, "source": "s1"}
                    for i in range(1, 5)
                ],
            },
            {
                "id": "practice",
                "title": "Practice",
                "criteria": [{"id": f"q{i}", "text": f"Practice {i} is strong", "kind": "rating"} for i in (1, 2)],
            },
        ],
    }
)
LA = Actor(id=None, email="advisor@north.example", role="la", la="North")
ANSWERS = {"d1": "yes", "d2": "yes", "d3": "yes", "d4": "yes", "q1": "Developing", "q2": "Established"}


def gated_review(db: Database) -> tuple[Actor, int]:
    """Alder's SENCO and a review of the gated framework answered with ANSWERS (the page and browser tests')."""
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    store_framework(db, LA, GATED)
    rid = reviews.start_review(
        db, senco, school_urn="900001", framework=GATED, cycle="2025/26", phase="primary", resourced_provision=False
    )
    for cid, given in ANSWERS.items():
        reviews.save_answer(db, senco, rid, cid, seen_version=0, response=given)
    return senco, rid


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco, rid = gated_review(db)
    yield db, senco, rid
    db.dispose()


def test_a_domain_of_duties_alone_shows_its_compliance_on_the_results_page(site):
    db, senco, rid = site
    at = open_page(app_as(db, senco), "results", review=rid)
    assert not at.exception
    table = at.dataframe[0].value.set_index("Domain")
    assert list(table.loc["Legal duties", ["Percent", "Band", "Answered"]]) == [
        "–",
        "Duties only: 4 of 4 duties met",
        "–",
    ]
    assert table.loc["Practice", "Band"] == "Established"  # 1/3 and 2/3: 50%, a tie goes up
    assert "Statutory duties only, with no level: Legal duties (4 of 4 duties met)." in texts(at)
    metrics = str([m.proto.delta for m in at.metric])
    assert "based on 1 of 1 area" in metrics and "1 of 1 areas" not in metrics
    assert list(at.dataframe[1].value["Status"]) == ["✔ Met"] * 4


def test_the_report_says_the_domain_holds_duties_only(site):
    db, senco, rid = site
    content = build_report(report_bundle(db, senco, rid, "pdf"))
    text = content.text()
    assert "Statutory duties only, so compliance rather than a level: Legal duties (4 of 4 duties met)." in text
    assert "4 of 4 duties met. This domain holds statutory duties only" in text
    assert "Duties only: 4 of 4 duties met" in text  # the domain table's band column
    assert "insufficient evidence" not in text.lower()
    assert report_pdf(content)[:4] == b"%PDF" and report_docx(content)[:2] == b"PK"
