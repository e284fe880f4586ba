"""The written report: one content model, a Word file and a PDF, opened and read back; awkward text, empty and
insufficient reviews still build; the LA gets it only under consent; every download is audited."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from docx import Document

from data import action_plans, audit, consent, reviews
from data.access import OPERATOR, SHARE_WITH_LA, NotFound
from data.reports import report_bundle
from data.schools import upsert_schools
from exports.report import write_report
from exports.report_content import build_report
from framework.library import builtin_framework
from tests.support.pages import add_user, prepared_site, register

FRAMEWORK = builtin_framework("senco-role-audit")
A = "900001"
DEMO = "900009"
CYCLE = "2025/26"
SECTIONS = [
    "Summary",
    "Results by domain",
    "Statutory compliance checklist",
    "Comparison with similar schools",
    "Action plan",
    "Appendix: every answer",
]
OFSTED_WORDS = [
    "outstanding",
    "requires improvement",
    "inadequate",
    "needs attention",
    "urgent improvement",
    "strong standard",
    "expected standard",
    "exceptional",
]
AWKWARD = "Emoji 🎓🏫, עברית ومرحبا بالعالم, " + "Donaudampfschifffahrtsgesellschaft" * 8
LONG_NOTE = "Kept in the SEN office, shelf 3. " * 310  # about 10,000 characters


def answers_for(framework, level=1):
    out = {}
    for c in framework.criteria:
        if c.kind == "yes_no":
            out[c.id] = "yes"
        elif c.kind == "rating":
            out[c.id] = framework.scale_of(c).levels[level].label
        elif c.kind == "number":
            out[c.id] = "10"
        else:
            out[c.id] = AWKWARD
    out["role-designated"] = "no"
    return out


@pytest.fixture
def site(database_url, monkeypatch):
    db = prepared_site(database_url, monkeypatch)
    upsert_schools(db, OPERATOR, register([(DEMO, "Puddlestead Primary (demo)", "North", "primary")]), demo=True)
    people = {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "demo": add_user(db, "senco@demo.example", "school", school_urn=DEMO),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
    }
    yield db, people
    db.dispose()


def make_review(db, actor, urn, answers, *, role=None, submit=True, evidence=None):
    review_id = reviews.start_review(
        db,
        actor,
        school_urn=urn,
        framework=FRAMEWORK,
        cycle=CYCLE,
        phase="primary",
        resourced_provision=False,
        role=role,
    )
    for cid, value in answers.items():
        reviews.save_answer(
            db, actor, review_id, cid, seen_version=0, response=value, evidence=(evidence or {}).get(cid, "")
        )
    if submit:
        reviews.submit_review(db, actor, review_id)
    return review_id


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


@pytest.mark.slow  # builds Word and PDF reports with their charts
def test_word_and_pdf_hold_every_section_tables_charts_and_the_plan_marked_fictional_on_every_page(site, tmp_path):
    db, people = site
    me = people["demo"]
    review_id = make_review(db, me, DEMO, answers_for(FRAMEWORK), evidence={"role-designated": LONG_NOTE + "🎓"})
    action_plans.accept_suggestions(db, me, review_id, [action_plans.suggestions_for(db, me, review_id)[0].key])
    action_plans.add_action(
        db,
        me,
        DEMO,
        CYCLE,
        what="Governors approve the SENCO's job description 📝",
        lead="",
        due_on=date(2020, 1, 1),
        success="Minutes record it",
    )
    bundle = report_bundle(db, me, review_id, "docx", include_evidence=True)

    doc = Document(io.BytesIO(write_report(bundle, "docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert all(s in headings for s in SECTIONS)
    assert "Self-review and agreed judgement" not in headings  # a self-review has no agreed section
    assert len(doc.tables) >= 5 and len(doc.inline_shapes) >= 1
    assert "Puddlestead Primary (demo)" in doc.sections[0].header.paragraphs[0].text
    assert "Fictional demo data" in doc.sections[0].header.paragraphs[0].text
    xml = doc.element.xml
    assert "TOC \\o" in xml and "descr=" in xml  # a contents field; charts carry their sentence as alt text
    assert "PAGE" in doc.sections[0].footer._element.xml
    plan = next(t for t in doc.tables if t.rows[0].cells[0].text == "Action")
    plan_text = "\n".join(c.text for r in plan.rows for c in r.cells)
    assert "job description 📝" in plan_text and "Overdue, No lead" in plan_text
    full = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert LONG_NOTE.strip()[:500] in full and AWKWARD in full  # as typed, the long note in full below its table

    pages = pdf_pages(write_report(bundle, "pdf"), tmp_path)
    assert len(pages) >= 5 and all("Fictional demo data" in p for p in pages)
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, start=1))
    text = "\n".join(pages)
    for section in SECTIONS:
        assert section in text
    assert "job description" in text and "Overdue" in text
    lowered = text.lower()
    assert not [w for w in OFSTED_WORDS if w in lowered]


def test_the_numbers_are_the_scoring_engine_s(site):
    db, people = site
    me = people["senco"]
    review_id = make_review(db, me, A, answers_for(FRAMEWORK))
    bundle = report_bundle(db, me, review_id, "pdf")
    text = build_report(bundle).text()
    assert f"Overall band: {bundle.score.overall.band} ({bundle.score.overall.percent:.1f}%)" in text
    for d in bundle.score.domains:
        if d.percent is not None:
            assert f"{d.title} | {d.percent:.1f}% | {d.band}" in text
    assert "Fictional demo data" not in text  # a real school's report is not marked


@pytest.mark.slow  # builds Word and PDF reports with their charts
def test_empty_and_all_insufficient_reviews_still_build_and_say_what_is_missing(site, tmp_path):
    db, people = site
    me = people["senco"]
    empty = make_review(db, me, A, {}, submit=False)
    bundle = report_bundle(db, me, empty, "docx")
    assert "No scored question has been answered yet" in build_report(bundle).text()
    assert Document(io.BytesIO(write_report(bundle, "docx"))).paragraphs
    assert pdf_pages(write_report(bundle, "pdf"), tmp_path)

    one_each = {}
    for d in FRAMEWORK.domains:
        c = next(c for c in d.criteria if c.kind in ("yes_no", "rating") and not c.statutory)
        one_each[c.id] = "yes" if c.kind == "yes_no" else FRAMEWORK.scale_of(c).levels[0].label  # below half
    thin = make_review(db, me, A, one_each, submit=False)
    text = build_report(report_bundle(db, me, thin, "pdf")).text()
    assert "Insufficient evidence" in text and "a result needs at least" in text
    assert pdf_pages(write_report(report_bundle(db, me, thin, "pdf"), "pdf"), tmp_path)


def test_an_agreed_review_compares_self_and_agreed_with_lines_of_enquiry_when_given(site):
    db, people = site
    make_review(db, people["senco"], A, answers_for(FRAMEWORK))
    agreed = make_review(db, OPERATOR, A, answers_for(FRAMEWORK, 2), role="agreed")
    lines = ["How are EHC plan reviews tracked? 🧭"]
    text = build_report(report_bundle(db, OPERATOR, agreed, "pdf", lines_of_enquiry=lines)).text()
    assert "Self-review and agreed judgement" in text and "How are EHC plan reviews tracked? 🧭" in text
    assert "Difference (points)" in text
    assert "No lines of enquiry were recorded" in build_report(report_bundle(db, OPERATOR, agreed, "pdf")).text()


def test_the_la_gets_the_report_only_under_consent_and_every_download_is_audited(site):
    db, people = site
    review_id = make_review(db, people["senco"], A, answers_for(FRAMEWORK))
    assert report_bundle(db, people["north"], review_id, "pdf").review.id == review_id
    consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False)
    with pytest.raises(NotFound):
        report_bundle(db, people["north"], review_id, "pdf")
    report_bundle(db, people["senco"], review_id, "docx")
    rows = audit.export_log(db, OPERATOR, audit.AuditFilter(action="exported", school_urn=A))
    assert sorted(r.detail for r in rows) == ["report docx", "report pdf"]


@pytest.mark.slow  # builds Word and PDF reports with their charts
def test_cli_report_and_actions_act_as_the_user(site, monkeypatch, capsys, database_url, tmp_path):
    import json

    import cli

    db, people = site
    monkeypatch.setenv("DATABASE_URL", database_url)
    review_id = make_review(db, people["senco"], A, answers_for(FRAMEWORK))
    action_plans.add_action(db, people["senco"], A, CYCLE, what='=HYPERLINK("x") train staff', lead="SENCO")
    out = tmp_path / "r.docx"
    assert cli.main(["--as", "senco@alder.example", "report", str(review_id), "-o", str(out)]) == 0
    assert Document(str(out)).paragraphs
    assert cli.main(["--as", "senco@alder.example", "report", str(review_id), "-o", str(tmp_path / "r.pdf")]) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert cli.main(["report", str(review_id), "-o", str(tmp_path / "r.txt")]) == cli.INVALID_INPUT
    assert ".docx or .pdf" in capsys.readouterr().err
    capsys.readouterr()
    assert cli.main(["--as", "senco@alder.example", "actions", A, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["what"].startswith("=HYPERLINK") and row["flags"] == ["No due date"]
    consent.set_consent(db, people["senco"], A, SHARE_WITH_LA, give=False)
    assert cli.main(["--as", "advisor@north.example", "report", str(review_id), "-o", str(out)]) == cli.NOT_ALLOWED
    assert cli.main(["--as", "advisor@north.example", "actions", A]) == cli.NOT_ALLOWED


def test_plan_workbook_keeps_dates_and_numbers_and_neutralises_formulas(site):
    import openpyxl

    from exports.action_plan_workbook import action_plan_workbook

    db, people = site
    me = people["senco"]
    action_plans.add_action(db, me, A, CYCLE, what='=HYPERLINK("http://x","y")', due_on=date(2020, 1, 1))
    actions = action_plans.export_actions(db, me, A, CYCLE)
    wb = openpyxl.load_workbook(io.BytesIO(action_plan_workbook(actions, {}, "Alder", date(2020, 1, 11))))
    ws = wb["Action plan"]
    assert ws["A2"].value == '\'=HYPERLINK("http://x","y")' and ws["A2"].data_type == "s"
    assert ws["F2"].is_date and ws["F2"].value.date() == date(2020, 1, 1)
    assert ws["G2"].value == 10 and ws["G2"].data_type == "n"
    rows = audit.export_log(db, OPERATOR, audit.AuditFilter(action="exported", school_urn=A))
    assert [r.detail for r in rows] == ["action plan workbook 2025/26"]
