"""The built-in frameworks against the law: exact sources, right phases, one question at a time, terms explained.

Each rule of the content contract (docs/framework-authoring.md) is checked on the library as shipped,
and the frameworks are scored for the schools an LA advisor would test them on.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from framework.explain import not_applicable_reason
from framework.library import builtin_framework, builtin_frameworks
from framework.models import Framework, ReviewContext, applicable_criteria
from scoring import score_review

FRAMEWORKS = builtin_frameworks()
IDS = [fw.id for fw in FRAMEWORKS]
# a statutory source names a section (s67), a regulation (reg 49), a schedule paragraph or an Article
EXACT_SOURCE = re.compile(r"\b(s\d+|reg \d+|Sch \d+|para \d+\.\d+|Art \d+)")
# duties the law places on mainstream schools and maintained nursery schools only
MAINSTREAM_ONLY = ("s67", "s68", "s35", "reg 49", "reg 50")
# "and" followed by a verb joins two questions in one; a recorded reason says why the text still asks one thing
VERB_WORDS = (
    "is are was were has have had can does do makes make keeps keep uses use checks check shares share gives give "
    "follows follow acts act explains explain asks ask agrees agree sets set leads lead sends send records record "
    "reviews review tracks track reports report describes describe matches match plans plan put puts takes take "
    "shared stored reviewed recorded kept used checked published known told followed delivered raised changed "
    "stopped increased supervised deployed trained analysed dealt valued welcomed compares compare visibly"
)
VERBS = VERB_WORDS.split()
TWO_CLAUSES = re.compile(r"\band (?:then |also |is |are |has |have |can )?(" + "|".join(VERBS) + r")\b", re.IGNORECASE)
DEFICIT = re.compile(r"\bvulnerable\b|\blower[- ]ability\b|\blow[- ]ability\b", re.IGNORECASE)


def _all_text(fw: Framework) -> str:
    parts = [fw.description] + [d.description for d in fw.domains]
    parts += [f"{c.text} {c.guidance} {c.evidence}" for c in fw.criteria]
    parts += [lv.descriptor for s in fw.scales for lv in s.levels]
    return " ".join(parts)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_every_statutory_item_names_its_section_regulation_or_paragraph(fw: Framework):
    loose = [c.id for c in fw.criteria if c.statutory and not EXACT_SOURCE.search(c.source)]
    assert loose == []
    assert not [c.id for c in fw.criteria if "not confirmed" in c.source.lower() or "Part 3" in c.source]


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_mainstream_only_duties_are_never_asked_of_special_schools_or_colleges(fw: Framework):
    # a special school may have nursery classes and a sixth form; a post-16 college has neither
    for phase, nursery in (("special", False), ("special", True), ("post_16", False)):
        if True:
            context = ReviewContext.of(phase, has_nursery=nursery, has_sixth_form=phase == "special")
            wrong = [
                c.id
                for c in applicable_criteria(fw, context)
                if c.statutory and any(ref in c.source for ref in MAINSTREAM_ONLY)
            ]
            assert wrong == [], (phase, nursery)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_the_medical_conditions_duty_is_not_asked_of_nursery_schools(fw: Framework):
    wrong = [c.id for c in applicable_criteria(fw, ReviewContext.of("early_years")) if "s100" in c.source]
    assert wrong == []


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_every_glossary_term_is_explained_and_used(fw: Framework):
    text = _all_text(fw).lower()
    assert fw.glossary, "each built-in framework explains its terms"
    for term in fw.glossary:
        assert len(term.meaning.split()) >= 4, term.term
        assert term.term.lower() in text, f"{term.term} is explained but never used"


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_no_question_joins_two_questions_with_and_without_a_reason(fw: Framework):
    joined = [c.id for c in fw.criteria if TWO_CLAUSES.search(c.text) and not c.one_question_reason]
    assert joined == []


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_no_deficit_labels_for_children(fw: Framework):
    assert DEFICIT.findall(_all_text(fw)) == []


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_every_builtin_version_is_bumped_past_the_first(fw: Framework):
    assert fw.version == "2026.3" and fw.compliance_gate


def _score(fw: Framework, answers: dict[str, str], context: ReviewContext):
    rows = pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())}, dtype=object)
    return score_review(fw, rows, context)


def _all_yes(fw: Framework, context: ReviewContext, **given: str) -> dict[str, str]:
    """Every applicable question at its top answer, with ``given`` answers (facts) first."""
    answers = dict(given)
    for c in applicable_criteria(fw, context):
        if c.id in answers or c.fact:
            continue
        if c.kind == "yes_no":
            answers[c.id] = "yes"
        elif c.kind == "rating":
            answers[c.id] = fw.scale_of(c).levels[-1].label
        elif c.kind == "number":
            top = max(c.bands, key=lambda b: b.points)
            value = top.low if top.low is not None else (top.high - 1 if top.high is not None else 0)
            answers[c.id] = str(max(value, 0))
    return answers


def test_a_special_school_is_not_capped_by_mainstream_duties():
    fw = builtin_framework("senco-role-audit")
    special = ReviewContext.of("special")
    asked = {c.id for c in applicable_criteria(fw, special)}
    assert not asked & {"role-designated", "role-holds-qualification", "par-told-of-provision"}
    reason = not_applicable_reason(fw, fw.criteria_by_id["role-designated"], special, {})
    assert reason is not None and "special" in reason
    result = _score(fw, _all_yes(fw, special, **{"time-sen-support": "0", "time-ehcp": "120"}), special)
    assert not result.overall.limited and all(c.status == "met" for c in result.compliance)


def test_a_post_16_setting_sees_its_own_questions_and_not_the_school_only_duties():
    fw = builtin_framework("send-review")
    college = ReviewContext.of("post_16")
    asked = {c.id for c in applicable_criteria(fw, college)}
    assert {"id-post16-entry", "tr-post16-programme"} <= asked
    assert not asked & {"ld-senco-designated", "pp-told", "tch-together", "tr-into-reception"}


def test_a_primary_with_a_nursery_sees_the_early_years_questions():
    fw = builtin_framework("send-review")
    plain = {c.id for c in applicable_criteria(fw, ReviewContext.of("primary"))}
    nursery = {c.id for c in applicable_criteria(fw, ReviewContext.of("primary", has_nursery=True))}
    assert nursery - plain == {"id-early-years-noticing", "id-early-years-talk", "stf-early-years-communication"}
    assert "tr-into-reception" in plain
    sixth = {c.id for c in applicable_criteria(fw, ReviewContext.of("secondary", has_sixth_form=True))}
    assert {"id-post16-entry", "tr-post16-programme"} <= sixth


def test_a_new_senco_without_the_qualification_is_not_capped():
    fw = builtin_framework("senco-role-audit")
    primary = ReviewContext.of("primary")
    answers = _all_yes(fw, primary, **{"role-rule-applies": "yes", "role-three-years-passed": "no"})
    answers |= {"time-sen-support": "40", "time-ehcp": "8", "role-qualification-on-track": "no"}
    result = _score(fw, answers, primary)
    assert "role-holds-qualification" not in {c.criterion_id for c in result.compliance}
    assert not result.overall.limited
    late = _score(fw, answers | {"role-three-years-passed": "yes", "role-holds-qualification": "no"}, primary)
    assert late.overall.limited
    assert [c.criterion_id for c in late.compliance if c.status == "not_met"] == ["role-holds-qualification"]


def test_no_ehc_plans_means_no_ehc_plan_duties():
    fw = builtin_framework("senco-role-audit")
    primary = ReviewContext.of("primary")
    answers = _all_yes(fw, primary, **{"time-sen-support": "30", "time-ehcp": "0"})
    answers["rec-ehc-reviews-all-on-time"] = "no"  # left over from last year: no longer asked
    result = _score(fw, answers, primary)
    assert not result.overall.limited
    assert "rec-ehc-reviews-all-on-time" not in {c.criterion_id for c in result.compliance}


def test_senco_time_scales_with_the_register():
    fw = builtin_framework("senco-role-audit")
    primary = ReviewContext.of("primary")
    same = {"time-matches-need": "Established", "time-kept-protected": "Usually", "time-workload": "Established"}
    small = _score(fw, same | {"time-sen-support": "8", "time-ehcp": "2", "time-hours-protected": "3"}, primary)
    large = _score(fw, same | {"time-sen-support": "80", "time-ehcp": "20", "time-hours-protected": "3"}, primary)
    time = {d.domain_id: d for d in small.domains}["time"], {d.domain_id: d for d in large.domains}["time"]
    assert time[0].percent > time[1].percent


def test_the_suspension_index_needs_enough_suspensions_and_is_not_asked_of_special_schools():
    fw = builtin_framework("inclusion-quality")
    index = fw.criteria_by_id["beh-suspension-index"]
    assert index not in applicable_criteria(fw, ReviewContext.of("special"))
    few = _score(fw, {"beh-suspensions": "3", "beh-suspension-index": "400"}, ReviewContext.of("secondary"))
    assert few.completion.answered == 0
    many = _score(fw, {"beh-suspensions": "30", "beh-suspension-index": "400"}, ReviewContext.of("secondary"))
    assert many.completion.answered == 1


def test_the_reach_scale_starts_at_none():
    fw = builtin_framework("inclusion-quality")
    reach = fw.scales_by_id["reach"]
    assert reach.levels[0].label == "None" and [lv.points for lv in reach.levels] == [0, 1, 2, 3, 4]


# Citations checked against the text of the legislation; a number the text did not confirm is not cited
CHECKED_SOURCES = {
    ("senco-role-audit", "role-designated"): "Children and Families Act 2014 s67(2)",
    ("senco-role-audit", "role-decided-by-governors"): "SEND Regulations 2014 reg 50(1)",
    ("senco-role-audit", "rec-ehc-reviews-all-on-time"): (
        "Children and Families Act 2014 s44; SEND Regulations 2014 reg 20"
    ),
    ("senco-role-audit", "rec-review-advice-two-weeks"): "SEND Regulations 2014 reg 20(4)",
    ("senco-role-audit", "rec-review-report-two-weeks"): "SEND Regulations 2014 reg 20",
    ("senco-role-audit", "ext-advice-six-weeks-duty"): "SEND Regulations 2014 reg 8(1)",
    ("senco-role-audit", "trans-ctf"): "Education (Pupil Information) (England) Regulations 2005 reg 9(3)",
    ("senco-role-audit", "pub-sir-disability"): "Children and Families Act 2014 s69(3)(b)",
    ("send-review", "ld-la-cooperation"): "Children and Families Act 2014 s28",
    ("send-review", "ld-admits-named"): "Children and Families Act 2014 s43(2)",
    ("send-review", "pp-annual-report"): "Education (Pupil Information) (England) Regulations 2005 reg 6",
    ("send-review", "tch-reasonable-adjustments"): "Equality Act 2010 s85 and Sch 13 para 2",
    ("inclusion-quality", "cul-no-discrimination"): "Equality Act 2010 s85",
    ("inclusion-quality", "cul-accessibility-plan"): "Equality Act 2010 Sch 10 para 3",
    ("inclusion-quality", "cul-equality-objectives"): (
        "Equality Act 2010 s149; Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017"
    ),
}


@pytest.mark.parametrize(("key", "source"), CHECKED_SOURCES.items(), ids=[k[1] for k in CHECKED_SOURCES])
def test_checked_citations_stay_as_checked(key: tuple[str, str], source: str):
    criterion = builtin_framework(key[0]).criteria_by_id[key[1]]
    assert criterion.statutory and criterion.source == source


def test_governors_monitoring_the_senco_is_good_practice_not_a_statutory_duty():
    # reg 50(1) makes governors determine the SENCO's role; monitoring is not a "must" the text confirms
    criterion = builtin_framework("senco-role-audit").criteria_by_id["role-governors-monitor"]
    assert not criterion.statutory and "reg 50" not in criterion.source
