"""The self-review journey through the real pages (Streamlit AppTest), on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import openpyxl
import pytest

from data import frameworks, reviews
from data.access import Actor
from exports.response_workbook import write_response_template
from framework.explain import questions_that_apply
from framework.library import builtin_framework
from framework.models import applicable_criteria
from tests.support.answers import answer, answer_keys, domain_list, evidence, not_applicable
from tests.support.pages import add_user, app_as, open_page, prepared_site, texts

FRAMEWORK = builtin_framework("senco-role-audit")


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    senco = add_user(db, "senco@alder.example", "school", school_urn="900001")
    yield db, senco
    db.dispose()


# four of the eight quality questions of the role domain (enough to level it: its duties are checked, not
# scored) and its duties, one answered "no"
ROLE_WITH_UNMET_DUTY = {
    "role-designated": "no",
    "role-eligible-qualified": "yes",
    "role-eligible-induction": "yes",
    "role-works-here": "yes",
    "role-qualification-dates": "yes",
    "role-decided-by-governors": "yes",
    "role-governors-monitor": "yes",
    "role-job-description": "Established",
    "role-line-management": "Established",
}


def _answer(db, senco: Actor, rid: int, answers: dict[str, str]) -> None:
    for cid, given in answers.items():
        reviews.save_answer(db, senco, rid, cid, seen_version=0, response=given)


def _review(db, senco: Actor) -> int:
    return reviews.start_review(
        db, senco, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )


def test_home_lists_reviews_in_progress_and_offers_to_start_one(site):
    db, senco = site
    _review(db, senco)
    at = open_page(app_as(db, senco), "home")
    assert not at.exception
    assert "In progress (1)" in texts(at)
    assert any(b.label == "Start a new review" for b in at.button)


def test_starting_a_review_creates_it_and_opens_the_questions(site):
    db, senco = site
    at = open_page(app_as(db, senco), "start")
    school = at.selectbox[0]
    assert school.options == ["Alder Primary (URN 900001)"]  # a school user sees only their own school
    at.selectbox[1].set_value("senco-role-audit")
    next(b for b in at.button if b.label == "Start the review").click()
    at.run()
    created = reviews.list_reviews(db, senco)
    assert [(r.school_urn, r.framework_id, r.status) for r in created] == [("900001", "senco-role-audit", "draft")]
    assert at.title[0].value == "Alder Primary"
    assert at.query_params["review"] == [str(created[0].id)] or at.query_params["review"] == str(created[0].id)


def _open_start(db, actor: Actor, cycle: str = "2025/26"):
    at = open_page(app_as(db, actor), "start")
    at.selectbox[1].set_value("senco-role-audit")
    at.selectbox[2].set_value(cycle)
    return at.run()


def _in_url(at, review_id: int) -> bool:
    return at.query_params["review"] in ([str(review_id)], str(review_id))


def test_starting_again_offers_the_review_in_progress_instead_of_a_second_one(site):
    db, senco = site
    at = _open_start(db, senco)
    assert not at.warning and not at.checkbox  # nothing started yet: the plain form
    next(b for b in at.button if b.label == "Start the review").click().run()
    [first] = reviews.list_reviews(db, senco)
    _answer(db, senco, first.id, {"role-designated": "yes", "role-eligible-qualified": "yes"})

    at = _open_start(db, senco)
    assert not at.exception
    message = at.warning[0].value
    assert "A self-review of" in message and "for 2025/26 is already in progress" in message
    assert "2 of " in message and "questions answered" in message
    assert "Start the review" not in [b.label for b in at.button]  # only when deliberately asked for
    cont = at.button(key=f"existing-continue-{first.id}")
    assert cont.label == "Continue that review" and cont.proto.type == "primary"
    cont.click().run()
    assert at.title[0].value == "Alder Primary"
    assert _in_url(at, first.id)
    assert [r.id for r in reviews.list_reviews(db, senco)] == [first.id]


def test_another_cycle_is_not_offered_the_existing_review(site):
    db, senco = site
    _review(db, senco)  # 2025/26
    at = _open_start(db, senco, cycle="2024/25")
    assert not at.warning and not at.checkbox
    assert "Start the review" in [b.label for b in at.button]


def test_a_second_review_can_be_started_only_deliberately(site):
    db, senco = site
    first = _review(db, senco)
    at = _open_start(db, senco)
    at.checkbox[0].check().run()
    assert at.checkbox[0].label == "Start a separate new review anyway"
    next(b for b in at.button if b.label == "Start the review").click().run()
    created = reviews.list_reviews(db, senco)
    assert len(created) == 2 and first in [r.id for r in created]
    second = next(r.id for r in created if r.id != first)
    assert at.title[0].value == "Alder Primary" and _in_url(at, second)


def test_a_submitted_review_offers_its_results(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.submit_review(db, senco, rid)
    at = _open_start(db, senco)
    assert "has already been submitted" in at.info[0].value
    assert "reopen it from its results page" in at.info[0].value
    assert "Start the review" not in [b.label for b in at.button]
    at.button(key=f"existing-results-{rid}").click().run()
    assert at.title[0].value == "Results: Alder Primary" and _in_url(at, rid)
    assert len(reviews.list_reviews(db, senco)) == 1


def test_an_la_colleagues_review_in_progress_is_offered_to_read_not_to_continue(site):
    db, _ = site
    alice = add_user(db, "alice@north.example", "la", la="North")
    bob = add_user(db, "bob@north.example", "la", la="North")
    theirs = reviews.start_review(
        db, alice, school_urn="900001", framework=FRAMEWORK, cycle="2025/26", phase="primary", resourced_provision=False
    )
    at = _open_start(db, bob)
    assert f"existing-continue-{theirs}" not in [b.key for b in at.button]
    assert "by alice is already in progress" in at.info[0].value and "Only they can change it" in at.info[0].value
    at.button(key=f"existing-results-{theirs}").click().run()
    assert at.title[0].value == "Results: Alder Primary" and _in_url(at, theirs)


def test_an_answer_and_its_evidence_are_in_the_database_as_soon_as_they_change(site):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    answer(at, rid, "role-designated").set_value("yes").run()
    evidence(at, rid, "role-designated").input("Minutes of the governing body, March 2025").run()
    answer(at, rid, "role-job-description").set_value("Established").run()
    stored = reviews.load_answers(db, senco, rid)
    assert stored["role-designated"].response == "yes"
    assert stored["role-designated"].evidence == "Minutes of the governing body, March 2025"
    assert stored["role-job-description"].response == "Established"
    assert not at.exception


def test_a_reloaded_page_shows_every_stored_answer(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "time-hours-protected", seen_version=0, response="6")
    reviews.save_answer(db, senco, rid, "time-workload", seen_version=0, response="Developing")
    at = open_page(app_as(db, senco), "review", review=rid, domain="time")  # a brand-new browser session
    assert answer(at, rid, "time-hours-protected", "number_input").value == 6.0
    assert answer(at, rid, "time-workload").value == "Developing"


def test_moving_between_domains_changes_the_questions_and_the_url(site):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    assert at.header[0].value == "The statutory role and qualification"
    domain_list(at, rid).set_value("records").run()
    assert at.header[0].value == "Records and data"
    assert at.query_params["domain"] in ("records", ["records"])
    assert "rec-register" in answer_keys(at, rid)


def test_statutory_items_are_marked_and_cannot_be_not_applicable(site):
    db, senco = site
    rid = _review(db, senco)
    at = open_page(app_as(db, senco), "review", review=rid, domain="role")
    duty = answer(at, rid, "role-designated")
    assert duty.options == ["Yes", "No"]
    assert "Statutory duty" in texts(at)
    assert answer(at, rid, "role-qualification-dates").options == ["Yes", "No", "N/A"]


def test_a_number_question_can_be_answered_not_applicable_and_back(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "time-admin", seen_version=0, response="3")
    at = open_page(app_as(db, senco), "review", review=rid, domain="time")
    assert not not_applicable(at, rid, "time-hours-protected").value  # never ticked by default
    assert answer(at, rid, "time-hours-protected", "number_input").value is None

    not_applicable(at, rid, "time-hours-protected").check().run()
    at.run()  # the whole page, as the browser shows it after the question's own rerun
    assert reviews.load_answers(db, senco, rid)["time-hours-protected"].response == "N/A"
    box = answer(at, rid, "time-hours-protected", "number_input")
    assert box.value is None and box.disabled and not_applicable(at, rid, "time-hours-protected").value
    assert reviews.load_answers(db, senco, rid)["time-admin"].response == "3"  # only the box changed is saved

    reloaded = open_page(app_as(db, senco), "review", review=rid, domain="time")  # a new browser session
    assert not_applicable(reloaded, rid, "time-hours-protected").value
    not_applicable(reloaded, rid, "time-hours-protected").uncheck().run()
    reloaded.run()
    assert reviews.load_answers(db, senco, rid)["time-hours-protected"].response is None
    box = answer(reloaded, rid, "time-hours-protected", "number_input")
    assert box.value is None and not box.disabled
    box.set_value(4.5).run()
    assert reviews.load_answers(db, senco, rid)["time-hours-protected"].response == "4.5"
    not_applicable(reloaded, rid, "time-hours-protected").check().run()  # N/A in place of a number
    assert reviews.load_answers(db, senco, rid)["time-hours-protected"].response == "N/A"
    assert not reloaded.exception


def test_submitting_locks_the_review_and_shows_results(site):
    db, senco = site
    rid = _review(db, senco)
    _answer(db, senco, rid, ROLE_WITH_UNMET_DUTY)
    at = open_page(app_as(db, senco), "review", review=rid, domain="publications")
    at.checkbox(key=f"confirm-submit-{rid}").check().run()
    at.button(key=f"submit-{rid}").click().run()
    assert reviews.get_review(db, senco, rid).status == "submitted"
    assert at.title[0].value == "Results: Alder Primary"
    words = texts(at)
    assert "limited" in words and "statutory duty" in words


def test_results_page_explains_bands_compliance_and_offers_downloads(site):
    db, senco = site
    rid = _review(db, senco)
    _answer(db, senco, rid, ROLE_WITH_UNMET_DUTY)
    at = open_page(app_as(db, senco), "results", review=rid)
    assert not at.exception
    assert [m.label for m in at.metric] == ["Overall", "Overall percent", "Scored questions answered"]
    role_row = at.dataframe[0].value.set_index("Domain").loc["The statutory role and qualification"]
    assert (role_row["Band"], role_row["Limited by a statutory duty"]) == ("Emerging", "Yes")
    compliance = at.dataframe[1].value
    assert "✖ Not met" in list(compliance["Status"]) and "✔ Met" in list(compliance["Status"])
    assert "is limited to *Emerging* because this statutory duty is not met" in texts(at)


def test_reopening_needs_a_reason_and_is_recorded(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.submit_review(db, senco, rid)
    at = open_page(app_as(db, senco), "results", review=rid)
    assert at.button(key=f"reopen-{rid}").disabled
    at.text_input(key=f"reopen-reason-{rid}").input("Head asked for more evidence").run()
    at.button(key=f"reopen-{rid}").click().run()
    assert reviews.get_review(db, senco, rid).status == "draft"
    assert list(reviews.reopen_history(db, senco, rid)["detail"])[-1] == "Head asked for more evidence"


def test_only_those_who_may_change_a_submitted_review_are_offered_to_reopen_it(site):
    """reopen_review refuses a read-only reader, so the page does not offer them the box."""
    db, senco = site
    own = _review(db, senco)
    reviews.submit_review(db, senco, own)
    advisor = add_user(db, "advisor@north.example", "la", la="North")
    las = reviews.start_review(
        db,
        advisor,
        school_urn="900001",
        framework=FRAMEWORK,
        cycle="2025/26",
        phase="primary",
        resourced_provision=False,
    )
    reviews.submit_review(db, advisor, las)

    at = open_page(app_as(db, senco), "results", review=own)
    assert f"reopen-{own}" in [b.key for b in at.button]

    at = open_page(app_as(db, senco), "results", review=las)  # the school reads the LA's review of it, no more
    assert not at.exception and at.title[0].value == "Results: Alder Primary"
    assert f"reopen-{las}" not in [b.key for b in at.button]
    assert not at.text_input and "Reopen" not in [h.value for h in at.header]
    assert "Submission history" in [h.value for h in at.header]  # who submitted it and when is still shown

    at = open_page(app_as(db, advisor), "results", review=las)
    assert f"reopen-{las}" in [b.key for b in at.button]


def _filled_workbook(rid: int, answers: dict[str, str]) -> bytes:
    data = write_response_template(FRAMEWORK, phase="primary", meta={"school_urn": "900001"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    cid_col, resp_col = header.index("criterion_id") + 1, header.index("response") + 1
    for row in range(2, sheet.max_row + 1):
        cid = sheet.cell(row, cid_col).value
        if cid in answers:
            sheet.cell(row, resp_col).value = answers[cid]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_uploading_a_good_workbook_merges_answers_with_a_summary(site):
    db, senco = site
    rid = _review(db, senco)
    reviews.save_answer(db, senco, rid, "role-designated", seen_version=0, response="no")
    data = _filled_workbook(rid, {"role-designated": "yes", "rec-register": "Developing"})
    at = open_page(app_as(db, senco), "offline", review=rid)
    at.file_uploader[0].set_value(("answers.xlsx", data, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Check the workbook").click().run()
    next(b for b in at.button if b.label == "Save the answers").click().run()
    stored = reviews.load_answers(db, senco, rid)
    assert stored["role-designated"].response == "yes" and stored["rec-register"].response == "Developing"
    assert "1 new answers, 1 changed, 0 cleared" in texts(at)


def test_uploading_a_bad_workbook_lists_every_problem_and_stores_nothing(site):
    db, senco = site
    rid = _review(db, senco)
    answers = {"role-designated": "maybe", "rec-register": "Brilliant", "role-eligible-qualified": "yes"}
    data = _filled_workbook(rid, answers)
    at = open_page(app_as(db, senco), "offline", review=rid)
    at.file_uploader[0].set_value(("answers.xlsx", data, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Check the workbook").click().run()
    message = at.error[0].value
    assert "Nothing was saved: 2 problem(s) found." in message
    assert "Save the answers" not in [b.label for b in at.button]
    assert "responses!B" in message and "Brilliant" in message and "maybe" in message
    assert reviews.load_answers(db, senco, rid) == {}


def test_a_school_cannot_open_another_schools_review_by_url(site):
    db, senco = site
    other = add_user(db, "senco@birch.example", "school", school_urn="900002")
    theirs = reviews.start_review(
        db,
        other,
        school_urn="900002",
        framework=FRAMEWORK,
        cycle="2025/26",
        phase="secondary",
        resourced_provision=False,
    )
    for page in ("review", "results", "offline"):
        at = open_page(app_as(db, senco), page, review=theirs)
        assert f"There is no review {theirs} that you can open." in texts(at)
        assert "Birch High" not in texts(at)


def test_framework_of_a_review_is_the_stored_version(site):
    db, senco = site
    rid = _review(db, senco)
    review = reviews.get_review(db, senco, rid)
    assert frameworks.get_framework(db, review.framework_id, review.framework_version) == FRAMEWORK


def test_a_stale_tab_does_not_overwrite_a_newer_answer_and_says_so(site):
    db, senco = site
    rid = _review(db, senco)
    tab_a = open_page(app_as(db, senco), "review", review=rid, domain="role")
    tab_b = open_page(app_as(db, senco), "review", review=rid, domain="role")
    answer(tab_b, rid, "role-job-description").set_value("Embedded").run()
    answer(tab_a, rid, "role-job-description").set_value("Emerging").run()
    assert reviews.load_answers(db, senco, rid)["role-job-description"].response == "Embedded"
    assert answer(tab_a, rid, "role-job-description").value == "Embedded"
    assert "changed in another tab or by a colleague" in tab_a.warning[0].value


def test_a_question_says_why_it_does_not_apply_and_shows_the_per_unit_sum(site):
    db, senco = site
    rid = _review(db, senco)
    _answer(db, senco, rid, {"time-sen-support": "40", "time-ehcp": "0", "time-hours-protected": "6"})
    at = open_page(app_as(db, senco), "review", review=rid, domain="time")
    captions = [c.value for c in at.caption]
    assert "6 hours for 40 pupils on the SEN register = 1.50 hours per 10 pupils on the SEN register: Established" in (
        captions
    )
    at = open_page(app_as(db, senco), "review", review=rid, domain="records")
    notes = [i.value for i in at.info]
    assert any(n.startswith('Does not apply because the answer to "Pupils with an EHC plan" is 0') for n in notes), (
        notes
    )
    assert not at.exception


def test_questions_that_do_not_apply_are_not_counted_in_n_of_m(site):
    db, senco = site
    rid = _review(db, senco)
    primary = reviews.get_review(db, senco, rid).context
    _answer(db, senco, rid, {"time-sen-support": "40", "time-ehcp": "0"})
    asked = questions_that_apply(FRAMEWORK, primary, {"time-sen-support": "40", "time-ehcp": "0"})
    assert len(asked) < len(applicable_criteria(FRAMEWORK, primary))  # the EHC plan duties drop out
    at = open_page(app_as(db, senco), "review", review=rid, domain="records")
    assert [p.proto.text for p in at.get("progress")] == [f"2 of {len(asked)} questions answered"]
    domains = next(r for r in at.radio if r.label == "Domains")
    records = [q for q in asked if q.domain_id == "records"]
    assert f"0 of {len(records)} answered" in domains.proto.captions
    start = _open_start(db, senco)
    assert f"2 of {len(asked)} questions answered" in start.warning[0].value
    assert not at.exception


def test_answering_no_ehc_plans_takes_the_ehc_plan_duties_out_of_the_count_at_once(site):
    db, senco = site
    rid = _review(db, senco)
    primary = reviews.get_review(db, senco, rid).context
    at = open_page(app_as(db, senco), "review", review=rid, domain="time")
    every = len(questions_that_apply(FRAMEWORK, primary, {}))
    assert [p.proto.text for p in at.get("progress")] == [f"0 of {every} questions answered"]
    answer(at, rid, "time-ehcp", "number_input").set_value(0).run()
    fewer = len(questions_that_apply(FRAMEWORK, primary, {"time-ehcp": "0"}))
    assert fewer < every
    assert [p.proto.text for p in at.get("progress")] == [f"1 of {fewer} questions answered"]
    assert not at.exception
