"""The three built-in frameworks: complete, honest about statutory items, and safe to score.

These check the content of ``framework/library/*.yaml`` rather than the loader: each
framework must be deep enough to use, every question must carry help for the person
answering it, and nothing may borrow Ofsted's grading words.
"""

from __future__ import annotations

import itertools
import re

import pytest

from framework.library import LIBRARY_DIR, builtin_framework, builtin_frameworks, load_framework_file
from framework.models import PHASES, SLUG, Framework, ReviewContext, criterion_applies

BUILTIN_IDS = ("senco-role-audit", "send-review", "inclusion-quality")
OFSTED_LABELS = ("exceptional", "strong standard", "expected standard", "needs attention", "urgent improvement")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _labels(framework: Framework) -> set[str]:
    return {_norm(level.label) for level in framework.default_scale.levels}


def test_library_holds_exactly_the_three_builtin_frameworks():
    assert sorted(fw.id for fw in builtin_frameworks()) == sorted(BUILTIN_IDS)


@pytest.mark.parametrize("path", sorted(LIBRARY_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_each_library_file_loads_and_is_named_after_its_id(path):
    assert load_framework_file(path).id == path.stem


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_framework_has_at_least_six_domains_and_thirty_scored_criteria(framework_id):
    fw = builtin_framework(framework_id)
    assert len(fw.domains) >= 6
    assert sum(1 for c in fw.criteria if c.scored) >= 30


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_every_domain_has_a_scored_criterion_and_a_description(framework_id):
    fw = builtin_framework(framework_id)
    for domain in fw.domains:
        assert domain.description.strip(), domain.id
        assert any(c.scored for c in domain.criteria), domain.id


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_every_level_of_every_scale_has_a_descriptor(framework_id):
    fw = builtin_framework(framework_id)
    for scale in fw.scales:
        for level in scale.levels:
            assert level.descriptor.strip(), f"{scale.id}: {level.label}"


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_every_criterion_has_guidance_and_an_evidence_prompt(framework_id):
    fw = builtin_framework(framework_id)
    missing = [c.id for c in fw.criteria if not c.guidance.strip() or not c.evidence.strip()]
    assert missing == []


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_ids_are_lower_case_slugs(framework_id):
    fw = builtin_framework(framework_id)
    bad = [x for x in [d.id for d in fw.domains] + [c.id for c in fw.criteria] if not SLUG.match(x)]
    assert bad == []


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_no_two_criteria_share_the_same_text(framework_id):
    texts = [_norm(c.text) for c in builtin_framework(framework_id).criteria]
    duplicates = {t for t in texts if texts.count(t) > 1}
    assert duplicates == set()


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_every_statutory_item_is_yes_no_with_a_source(framework_id):
    for crit in builtin_framework(framework_id).criteria:
        if crit.statutory:
            assert crit.kind == "yes_no", crit.id
            assert crit.source.strip(), crit.id


def test_senco_audit_has_at_least_six_statutory_items():
    fw = builtin_framework("senco-role-audit")
    assert sum(1 for c in fw.criteria if c.statutory) >= 6


def test_senco_audit_has_one_protected_hours_question_for_every_phase():
    fw = builtin_framework("senco-role-audit")
    hours = [c for c in fw.criteria if c.kind == "number" and c.id.startswith("time-hours-")]
    assert all(c.per_unit for c in hours), "hours are judged per pupil on the register, not flat per phase"
    for phase in PHASES:
        context = ReviewContext.of(phase)
        assert sum(criterion_applies(fw, c, context) for c in hours) == 1, phase


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_number_bands_start_at_zero_and_leave_no_gap_upwards(framework_id):
    for crit in builtin_framework(framework_id).criteria:
        if crit.kind != "number" or crit.fact:
            continue
        assert crit.band_for(0) is not None, f"{crit.id}: 0 falls in no band"
        bands = sorted(crit.bands, key=lambda b: float("-inf") if b.low is None else b.low)
        assert bands[-1].high is None, f"{crit.id}: the top band must be open-ended"
        for lower, upper in itertools.pairwise(bands):
            assert lower.high == upper.low, f"{crit.id}: gap between {lower} and {upper}"
        assert crit.unit.strip(), f"{crit.id}: a number question needs a unit"


def test_send_review_has_a_resourced_provision_domain_that_applies_only_with_the_flag():
    fw = builtin_framework("send-review")
    resourced = [d for d in fw.domains if "resourced_provision" in d.requires]
    assert resourced
    crit = next(c for c in resourced[0].criteria if c.scored)
    assert not criterion_applies(fw, crit, ReviewContext.of("primary"))
    assert criterion_applies(fw, crit, ReviewContext.of("primary", resourced_provision=True))


@pytest.mark.parametrize("phase", ["early_years", "post_16"])
def test_send_review_has_scored_criteria_limited_to_the_phase(phase):
    fw = builtin_framework("send-review")
    limited = [c for c in fw.criteria if c.scored and c.phases == (phase,)]
    assert limited, f"no scored criterion only for {phase}"
    other = "secondary" if phase == "early_years" else "primary"
    for crit in limited:
        assert criterion_applies(fw, crit, ReviewContext.of(phase))
        assert not criterion_applies(fw, crit, ReviewContext.of(other))


def test_inclusion_framework_has_its_own_rating_vocabulary():
    inclusion = _labels(builtin_framework("inclusion-quality"))
    others = _labels(builtin_framework("senco-role-audit")) | _labels(builtin_framework("send-review"))
    assert inclusion.isdisjoint(others)


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_no_scale_uses_an_ofsted_grade_label(framework_id):
    labels = {_norm(level.label) for scale in builtin_framework(framework_id).scales for level in scale.levels}
    assert labels.isdisjoint(OFSTED_LABELS)


@pytest.mark.parametrize("path", sorted(LIBRARY_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_no_library_file_uses_ofsted_grading_words_anywhere(path):
    text = _norm(path.read_text(encoding="utf-8"))
    found = [label for label in OFSTED_LABELS if re.search(rf"\b{label}\b", text)]
    assert found == []


@pytest.mark.parametrize("framework_id", BUILTIN_IDS)
def test_every_framework_is_versioned_and_described(framework_id):
    fw = builtin_framework(framework_id)
    assert fw.version.strip()
    assert len(fw.description) > 100
