"""The counts on the questionnaire move as questions are answered, without rerunning the page.

Every question is an ``st.fragment``: in a browser, changing one of its widgets reruns that
fragment alone and the browser keeps everything else it already shows. AppTest instead reruns
the whole script after every change, which would redraw the counts whatever the page does, so
these tests rerun only the widget's fragment, as the browser asks the server to, and keep the
rest of the page from the run before, as the browser does (``browser_change``).
"""

from __future__ import annotations

import functools
import re

import pytest
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1.element_tree import Widget
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

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


@pytest.fixture
def shown(monkeypatch) -> dict[str, list]:
    """The messages of the latest run, i.e. what a browser shows after it."""
    latest: dict[str, list] = {"messages": []}
    forward_msgs = LocalScriptRunner.forward_msgs

    def remember(runner: LocalScriptRunner) -> list:
        latest["messages"] = list(forward_msgs(runner))
        return latest["messages"]

    monkeypatch.setattr(LocalScriptRunner, "forward_msgs", remember)
    return latest


@pytest.fixture
def full_runs(monkeypatch) -> list[int]:
    """How many times the page itself ran (each full run reads the review once); fragment reruns do not."""
    calls: list[int] = []
    get_review = reviews.get_review

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return get_review(*args, **kwargs)

    monkeypatch.setattr(reviews, "get_review", counted)
    return calls


def browser_change(at: AppTest, widget: Widget, shown: dict[str, list]) -> AppTest:
    """Send a changed widget the way a browser does: rerun only the fragment it is in (the
    server's rerun request carries that fragment's id) and keep what the fragment did not redraw."""
    fragment_id = at._session_state._state._new_widget_state.widget_metadata[widget.id].fragment_id
    assert fragment_id, f"{widget.key} is not inside a fragment"
    before = list(shown["messages"])
    init = LocalScriptRunner.__init__

    def init_showing_the_page(runner: LocalScriptRunner, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        init(runner, *args, **kwargs)
        # a fragment rerun clears only that fragment's messages (LocalScriptRunner mirrors AppSession)
        runner.forward_msg_queue._queue = list(before)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_script_runner, "RerunData", functools.partial(RerunData, fragment_id=fragment_id))
        patch.setattr(LocalScriptRunner, "__init__", init_showing_the_page)
        widget.run()
    assert not at.exception, at.exception
    return at


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


def test_answering_a_question_moves_the_counts_without_rerunning_the_page(site, shown, full_runs):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-eligible-qualified", seen_version=0, response="yes")
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    total = int(re.search(r"of (\d+) questions", at.progress[0].text).group(1))
    caption, bar_before, text, still_open = _counts(at, rid)
    assert (caption, text, still_open) == ("1 of 17 answered", f"1 of {total} questions answered", "16")
    runs = len(full_runs)

    browser_change(at, answer(at, rid, "role-designated").set_value("yes"), shown)

    assert reviews.load_answers(db, senco, rid)["role-designated"].response == "yes"
    caption, bar, text, still_open = _counts(at, rid)
    assert (caption, text, still_open) == ("2 of 17 answered", f"2 of {total} questions answered", "15")
    assert bar > bar_before
    assert "Saved at" in texts(at)  # the question itself reran too
    assert len(full_runs) == runs, "the whole page reran"
    assert at.header[0].value == "The statutory role and qualification"  # still in the same domain


def test_clearing_an_answer_lowers_the_counts(site, shown, full_runs):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="yes")
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    assert _counts(at, rid)[0] == "1 of 17 answered"
    runs = len(full_runs)

    browser_change(at, clear_button(at, rid, "role-designated").click(), shown)

    assert reviews.load_answers(db, senco, rid)["role-designated"].response is None
    caption, value, text, still_open = _counts(at, rid)
    assert (caption, value, text.split(" of ")[0], still_open) == ("0 of 17 answered", 0, "0", "17")
    assert len(full_runs) == runs


def test_the_domain_shows_complete_once_its_last_question_is_answered(site, shown):
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

    browser_change(at, answer(at, rid, "pub-sir-published").set_value("yes"), shown)

    assert reviews.load_answers(db, senco, rid)["pub-sir-published"].response == "yes"
    assert _domain_caption(at, rid, "publications") == f"{len(domain)} of {len(domain)} answered · complete ✔"
    assert "Statutory publications (" not in texts(at)


def test_changing_an_answer_or_its_evidence_leaves_the_counts_alone(site, shown, full_runs):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    browser_change(at, answer(at, rid, "role-designated").set_value("yes"), shown)
    counted = _counts(at, rid)
    runs = len(full_runs)

    browser_change(at, answer(at, rid, "role-designated").set_value("no"), shown)
    browser_change(at, evidence(at, rid, "role-designated").input("Governors' minutes"), shown)

    stored = reviews.load_answers(db, senco, rid)["role-designated"]
    assert (stored.response, stored.evidence) == ("no", "Governors' minutes")
    assert _counts(at, rid) == counted
    assert len(full_runs) == runs


def test_choosing_a_domain_in_the_list_still_opens_it(site, shown, full_runs):
    """The list of domains is a fragment now; choosing one must still redraw the whole page."""
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    browser_change(at, answer(at, rid, "role-designated").set_value("yes"), shown)
    runs = len(full_runs)

    browser_change(at, domain_list(at, rid).set_value("records"), shown)

    assert len(full_runs) > runs  # the whole page reran, as it must for another domain
    assert at.header[0].value == "Records and data"
    assert at.query_params["domain"] in ("records", ["records"])
    assert "rec-register" in answer_keys(at, rid)
    assert _domain_caption(at, rid, "role") == "1 of 17 answered"
