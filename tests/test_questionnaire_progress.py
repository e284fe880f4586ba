"""The counts on the questionnaire (progress bar, "n of m" per domain, what is still unanswered)
move as questions are answered or cleared, in the run that saves the change."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from data import reviews
from data.access import Actor
from framework.library import builtin_framework
from tests.support.answers import answer, answer_keys, clear_button, domain_list, evidence
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    yield db, senco
    db.dispose()


def _review(db, senco: Actor) -> int:
    return reviews.start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )


def _domain_caption(at: AppTest, rid: int, domain_id: str) -> str:
    nav = domain_list(at, rid)
    return list(nav.proto.captions)[nav.options.index(FRAMEWORK.domains_by_id[domain_id].title)]


def _counts(at: AppTest, rid: int) -> tuple[str, int, str, str]:
    """(domain caption, progress value, progress text, what the submit box says is still open) for the role domain."""
    still_open = re.search(r"The statutory role and qualification \((\d+)\)", texts(at))
    bar = at.progress[0]
    return _domain_caption(at, rid, "role"), bar.value, bar.text, still_open.group(1) if still_open else "none"


def test_answering_a_question_moves_the_counts(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-eligible-qualified", seen_version=0, response="yes")
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    total = int(re.search(r"of (\d+) questions", at.progress[0].text).group(1))
    caption, bar_before, text, still_open = _counts(at, rid)
    assert (caption, text, still_open) == ("1 of 17 answered", f"1 of {total} questions answered", "16")

    answer(at, rid, "role-designated").set_value("yes").run()

    assert reviews.load_answers(db, senco, rid)["role-designated"].response == "yes"
    caption, bar, text, still_open = _counts(at, rid)
    assert (caption, text, still_open) == ("2 of 17 answered", f"2 of {total} questions answered", "15")
    assert bar > bar_before
    assert "Saved at" in texts(at)
    assert at.header[0].value == "The statutory role and qualification"  # still in the same domain


def test_clearing_an_answer_lowers_the_counts(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="yes")
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    assert _counts(at, rid)[0] == "1 of 17 answered"

    clear_button(at, rid, "role-designated").click().run()

    assert reviews.load_answers(db, senco, rid)["role-designated"].response is None
    caption, value, text, still_open = _counts(at, rid)
    assert (caption, value, text.split(" of ")[0], still_open) == ("0 of 17 answered", 0, "0", "17")


def test_the_domain_shows_complete_once_its_last_question_is_answered(site):
    db, senco = site
    rid = _review(db, senco)
    domain = [c for c in FRAMEWORK.criteria if c.domain_id == "publications"]
    answers = {"yes_no": "yes", "rating": "Established", "text": "On the website"}
    for criterion in domain:
        if criterion.id != "pub-sir-published":
            reviews.save_answer(db, senco, rid, criterion.id, seen_version=0, response=answers[criterion.kind])
    at = open_page(app_as(db, senco), "review", review=rid, domain="publications")
    assert _domain_caption(at, rid, "publications") == f"{len(domain) - 1} of {len(domain)} answered"
    assert "Statutory publications (1)" in texts(at)

    answer(at, rid, "pub-sir-published").set_value("yes").run()

    assert reviews.load_answers(db, senco, rid)["pub-sir-published"].response == "yes"
    assert _domain_caption(at, rid, "publications") == f"{len(domain)} of {len(domain)} answered · complete ✔"
    assert "Statutory publications (" not in texts(at)


def test_changing_an_answer_or_its_evidence_leaves_the_counts_alone(site):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    answer(at, rid, "role-designated").set_value("yes").run()
    counted = _counts(at, rid)

    answer(at, rid, "role-designated").set_value("no").run()
    evidence(at, rid, "role-designated").input("Governors' minutes").run()

    stored = reviews.load_answers(db, senco, rid)["role-designated"]
    assert (stored.response, stored.evidence) == ("no", "Governors' minutes")
    assert _counts(at, rid) == counted


def test_choosing_a_domain_in_the_list_opens_it(site):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    answer(at, rid, "role-designated").set_value("yes").run()

    domain_list(at, rid).set_value("records").run()

    assert at.header[0].value == "Records and data"
    assert at.query_params["domain"] in ("records", ["records"])
    assert "rec-register" in answer_keys(at, rid)
    assert _domain_caption(at, rid, "role") == "1 of 17 answered"
