"""The framework model's own rules, whatever file a framework came from."""

from __future__ import annotations

import copy

import pytest

from framework.library import builtin_frameworks, framework_from_dict, framework_to_dict, load_framework_file
from framework.models import ReviewContext, applicable_criteria, parse_bands
from framework.problems import InvalidInput
from framework.responses import read_response

BASE = {
    "id": "mini",
    "title": "Mini",
    "version": "1",
    "scale": "q",
    "scales": [
        {
            "id": "q",
            "levels": [
                {"points": 1, "label": "Emerging", "descriptor": "Starting"},
                {"points": 2, "label": "Developing"},
                {"points": 3, "label": "Established"},
            ],
        }
    ],
    "domains": [
        {
            "id": "d",
            "title": "Domain",
            "criteria": [
                {"id": "a", "text": "A rating", "kind": "rating"},
                {"id": "b", "text": "A duty", "kind": "yes_no", "statutory": True},
                {"id": "c", "text": "Hours", "kind": "number", "bands": "0..2.5=1; 2.5..5=2; 5..=3"},
                {"id": "e", "text": "Early years only", "kind": "rating", "phases": "early_years"},
            ],
        },
        {"id": "rp", "title": "Resourced provision", "requires": ["resourced_provision"], "criteria": []},
    ],
}


def _with(path: list, value: object) -> dict:
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _problems(data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as err:
        framework_from_dict(data, source="fw.yaml")
    return [str(p) for p in err.value.problems]


def test_decimal_band_limits_are_read():
    assert [(b.low, b.high, b.points) for b in parse_bands("..2.5=1; 2.5..5=2; 5..=3")] == [
        (None, 2.5, 1),
        (2.5, 5.0, 2),
        (5.0, None, 3),
    ]


def test_overlapping_bands_are_refused_with_the_place():
    problems = _problems(_with(["domains", 0, "criteria", 2, "bands"], "..3=1; 2..5=2"))
    assert problems == ["fw.yaml: domains[d].criteria[c]: bands ..3=1 and 2..5=2 overlap"]


def test_only_a_yes_no_criterion_may_be_statutory():
    problems = _problems(_with(["domains", 0, "criteria", 0, "statutory"], True))
    assert problems == ["fw.yaml: domains[d].criteria[a]: only a yes_no criterion may be statutory"]


def test_unknown_kind_names_the_allowed_kinds():
    problems = _problems(_with(["domains", 0, "criteria", 0, "kind"], "slider"))
    assert problems == ["fw.yaml: domains[d].criteria[a].kind: Input should be 'rating', 'yes_no', 'number' or 'text'"]


def test_statutory_cap_must_be_a_level_of_the_default_scale():
    assert _problems(_with(["statutory_cap"], "Outstanding")) == [
        'fw.yaml: statutory_cap "Outstanding" is not a level of scale "q"'
    ]


def test_applicability_follows_phase_and_school_flags():
    fw = framework_from_dict(BASE)
    primary = [c.id for c in applicable_criteria(fw, ReviewContext.of("primary"))]
    early = [c.id for c in applicable_criteria(fw, ReviewContext.of("early_years"))]
    assert primary == ["a", "b", "c"]
    assert early == ["a", "b", "c", "e"]


def test_response_rules_for_each_kind():
    fw = framework_from_dict(BASE)
    crit = fw.criteria_by_id
    assert read_response(fw, crit["a"], "established").points == 3
    assert read_response(fw, crit["a"], 2.0).value == "Developing"
    assert read_response(fw, crit["b"], "YES").points == 3
    assert read_response(fw, crit["b"], "No").points == 1
    assert read_response(fw, crit["c"], "2.5").points == 2
    assert read_response(fw, crit["a"], "n/a").not_applicable
    assert read_response(fw, crit["a"], "  ").blank
    assert read_response(fw, crit["b"], "N/A").error == "N/A is not allowed on a statutory criterion: answer yes or no"
    assert (
        read_response(fw, crit["c"], "-1").error
        == "-1 is outside every band of this question (0..2.5=1; 2.5..5=2; 5..=3)"
    )
    assert read_response(fw, crit["a"], "Great").error == (
        '"Great" is not an answer to this question (use one of Emerging, Developing, Established)'
    )


def test_every_builtin_framework_survives_a_yaml_round_trip(tmp_path):
    import yaml

    for fw in builtin_frameworks():
        path = tmp_path / f"{fw.id}.yaml"
        path.write_text(yaml.safe_dump(framework_to_dict(fw), sort_keys=False), encoding="utf-8")
        assert load_framework_file(path) == fw


def test_unreadable_yaml_is_reported_not_raised(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_framework_file(path)
    assert str(err.value.problems[0]).startswith("broken.yaml: could not be read:")
