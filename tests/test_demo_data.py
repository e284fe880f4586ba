"""The demo LA: deterministic, fictional, shaped like the national figures, with answers every framework accepts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.demo import demo_answers, demo_schools, demo_senco_hours
from data.register_import import REGISTER_COLUMNS
from framework.library import builtin_frameworks
from framework.models import Framework, ReviewContext, criterion_applies
from framework.responses import read_response

TEST_FRAMEWORK = Framework.model_validate(
    {
        "id": "demo-test",
        "title": "Every kind of criterion",
        "version": "1",
        "scale": "four",
        "statutory_cap": "Developing",
        "scales": [
            {
                "id": "four",
                "levels": [
                    {"points": p, "label": lab}
                    for p, lab in enumerate(["Emerging", "Developing", "Established", "Embedded"], 1)
                ],
            },
            {
                "id": "often",
                "levels": [
                    {"points": 1, "label": "Rarely"},
                    {"points": 2, "label": "Sometimes"},
                    {"points": 3, "label": "Always"},
                ],
            },
        ],
        "domains": [
            {
                "id": "lead",
                "title": "Leadership",
                "criteria": [
                    {"id": "l-rating", "text": "Leaders know SEND well", "kind": "rating"},
                    {"id": "l-often", "text": "Leaders visit classes", "kind": "rating", "scale": "often"},
                    {"id": "l-policy", "text": "SEN information report published", "kind": "yes_no", "statutory": True},
                    {"id": "l-governor", "text": "A SEN governor is named", "kind": "yes_no"},
                    {
                        "id": "l-hours",
                        "text": "Protected SENCO hours a week",
                        "kind": "number",
                        "unit": "hours",
                        "bands": "0..4=1; 4..8=2; 10..20=3; 25..=4",
                    },  # gaps between bands
                    {
                        "id": "l-reviews",
                        "text": "Reviews on time",
                        "kind": "number",
                        "unit": "% of reviews",
                        "bands": "0..80=1; 80..95=2; 95..100=3; 100..=4",
                    },
                    {
                        "id": "l-gap",
                        "text": "Attendance gap",
                        "kind": "number",
                        "unit": "points",
                        "bands": "..0.5=4; 0.5..1.5=3; 1.5..2.5=2; 2.5..=1",
                    },
                    {"id": "l-anything", "text": "Any number at all", "kind": "number", "bands": "..=2"},
                    {"id": "l-notes", "text": "Notes", "kind": "text"},
                ],
            },
            {
                "id": "sec",
                "title": "Secondary only",
                "phases": "secondary",
                "criteria": [{"id": "s-pfa", "text": "Preparing for adulthood", "kind": "rating"}],
            },
            {
                "id": "arp",
                "title": "Resourced provision",
                "requires": "resourced_provision",
                "criteria": [
                    {"id": "a-plan", "text": "ARP places are planned", "kind": "rating"},
                    {"id": "a-early", "text": "Early years ARP", "kind": "yes_no", "phases": "early_years"},
                ],
            },
        ],
    }
)
FRAMEWORKS = [*builtin_frameworks(), TEST_FRAMEWORK]


@pytest.fixture(scope="module")
def schools() -> pd.DataFrame:
    return demo_schools(seed=7, n=120)


@pytest.fixture(scope="module")
def big_la() -> pd.DataFrame:
    return demo_schools(seed=11, n=1000)


def test_same_seed_gives_identical_schools_and_another_seed_differs():
    assert demo_schools(seed=3).equals(demo_schools(seed=3))
    assert not demo_schools(seed=3).equals(demo_schools(seed=4))


def test_demo_schools_are_obviously_fictional(schools):
    assert list(schools.columns) == [*REGISTER_COLUMNS, "demo"]
    assert schools["demo"].all()
    assert schools["urn"].is_unique
    assert (schools["urn"].astype(int) >= 900000).all()
    assert schools["name"].is_unique
    assert schools["name"].str.endswith("(demo)").all()
    assert (schools["la"] == "Lanternshire (demo)").all()


@pytest.mark.parametrize(
    ("n", "primary", "secondary", "special", "ap"), [(100, 78, 16, 5, 1), (60, 47, 10, 3, 0), (120, 94, 19, 6, 1)]
)
def test_phase_mix_follows_the_national_shares(n, primary, secondary, special, ap):
    frame = demo_schools(seed=5, n=n)
    counts = frame.groupby(["phase", "type"]).size().to_dict()
    assert counts.get(("primary", "mainstream"), 0) == primary
    assert counts.get(("secondary", "mainstream"), 0) == secondary
    assert counts.get(("special", "special"), 0) == special
    assert counts.get(("secondary", "alternative_provision"), 0) == ap
    assert len(frame) == n


def test_school_sizes_match_the_recipe(big_la):
    primary = big_la[big_la["phase"].eq("primary")]["pupils"].astype(float)
    secondary = big_la[big_la["phase"].eq("secondary") & big_la["type"].eq("mainstream")]["pupils"].astype(float)
    assert 200 <= primary.median() <= 260  # recipe: median 230
    assert 0.05 <= (primary < 100).mean() <= 0.16  # recipe: about 10% under 100
    assert primary.between(20, 800).all()
    assert 900 <= secondary.median() <= 1100  # recipe: median 1,000
    assert secondary.between(350, 2200).all()


def test_fsm_sen_and_ehcp_look_like_england(big_la):
    mainstream = big_la[big_la["type"].eq("mainstream")]
    special = big_la[big_la["type"].eq("special")]
    assert 10 <= mainstream["fsm_pct"].mean() <= 47
    assert 40 <= special["fsm_pct"].mean() <= 60  # recipe: Beta(5, 5)
    assert 12 <= mainstream["sen_support_pct"].mean() <= 15.5
    assert mainstream["sen_support_pct"].between(2, 35).all()
    ordinary = mainstream[~mainstream["resourced_provision"]]
    assert 2 <= ordinary["ehcp_pct"].mean() <= 4.5  # recipe: about 3%
    assert special["ehcp_pct"].mean() >= 97 and special["ehcp_pct"].min() >= 90  # recipe: about 99%


def test_five_to_ten_percent_of_mainstream_schools_have_resourced_provision(big_la):
    mainstream = big_la[big_la["type"].eq("mainstream")]
    assert 0.05 <= mainstream["resourced_provision"].mean() <= 0.10
    assert not big_la.loc[~big_la["type"].eq("mainstream"), "resourced_provision"].any()
    with_arp = mainstream[mainstream["resourced_provision"]]
    assert with_arp["ehcp_pct"].median() > 2 * mainstream.loc[~mainstream["resourced_provision"], "ehcp_pct"].median()


def test_senco_hours_are_deterministic_and_plausible(schools):
    hours = demo_senco_hours(schools, seed=7)
    assert hours.equals(demo_senco_hours(schools, seed=7))
    assert hours.between(1, 37.5).all()
    phase = schools.set_index("urn")["phase"]
    assert hours[phase.eq("secondary")].median() > hours[phase.eq("primary")].median()


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda fw: fw.id)
def test_every_demo_answer_is_valid_for_its_framework(framework, schools):
    answers = demo_answers(framework, schools)
    assert list(answers.columns) == ["cycle", "urn", "criterion_id", "response"]
    assert not answers.duplicated(["cycle", "urn", "criterion_id"]).any()
    errors = {
        (row.criterion_id, row.response): reading.error
        for row in answers.drop_duplicates(["criterion_id", "response"]).itertuples()
        if (reading := read_response(framework, framework.criteria_by_id[row.criterion_id], row.response)).error
    }
    assert errors == {}


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda fw: fw.id)
def test_answers_cover_exactly_the_applicable_criteria(framework, schools):
    answers = demo_answers(framework, schools, cycles=("2024/25",))
    got = set(zip(answers["urn"], answers["criterion_id"], strict=True))
    expected = {
        (row.urn, c.id)
        for row in schools.itertuples()
        for c in framework.criteria
        if criterion_applies(
            framework,
            c,
            ReviewContext.of(
                row.phase, row.resourced_provision, has_nursery=row.has_nursery, has_sixth_form=row.has_sixth_form
            ),
        )
    }
    assert got == expected


def test_same_seed_gives_identical_answers(schools):
    assert demo_answers(TEST_FRAMEWORK, schools, seed=7).equals(demo_answers(TEST_FRAMEWORK, schools, seed=7))
    assert not demo_answers(TEST_FRAMEWORK, schools, seed=7).equals(demo_answers(TEST_FRAMEWORK, schools, seed=8))


def points_table(framework: Framework, answers: pd.DataFrame) -> pd.DataFrame:
    readings = [
        read_response(framework, framework.criteria_by_id[c], r)
        for c, r in zip(answers["criterion_id"], answers["response"], strict=True)
    ]
    return answers.assign(
        points=[r.points for r in readings],
        blank=[r.blank for r in readings],
        na=[r.not_applicable for r in readings],
    )


def test_each_statutory_item_is_met_about_97_percent_of_the_time(big_la):
    """About 20 duties a framework, one per item: most schools meet them all, as most real schools do."""
    table = points_table(TEST_FRAMEWORK, demo_answers(TEST_FRAMEWORK, big_la))
    statutory = table[table["criterion_id"].eq("l-policy") & ~table["blank"]]
    assert not table.loc[table["criterion_id"].eq("l-policy"), "na"].any()
    assert 0.94 <= statutory["response"].eq("yes").mean() <= 0.99


def test_ratings_centre_on_the_middle_levels_and_drift_upwards(big_la):
    table = points_table(TEST_FRAMEWORK, demo_answers(TEST_FRAMEWORK, big_la))
    ratings = table[table["criterion_id"].eq("l-rating") & table["points"].notna()]
    shares = ratings["points"].value_counts(normalize=True)
    assert shares[2] + shares[3] >= 0.55
    assert 0.03 <= shares[1] <= 0.30 and 0.03 <= shares[4] <= 0.30
    by_cycle = ratings.groupby("cycle")["points"].mean()
    assert by_cycle["2023/24"] < by_cycle["2024/25"] < by_cycle["2025/26"]


def test_schools_differ_in_a_consistent_way_across_criteria(big_la):
    table = points_table(TEST_FRAMEWORK, demo_answers(TEST_FRAMEWORK, big_la, cycles=("2025/26",)))
    rated = table[table["criterion_id"].isin(["l-rating", "l-often"])].pivot(
        index="urn", columns="criterion_id", values="points"
    )
    assert rated.astype(float).corr().loc["l-rating", "l-often"] > 0.2


def test_blanks_are_occasional_and_na_rare(big_la):
    table = points_table(TEST_FRAMEWORK, demo_answers(TEST_FRAMEWORK, big_la))
    scored = table[~table["criterion_id"].eq("l-notes")]
    assert 0.005 <= scored["blank"].mean() <= 0.05
    assert 0.002 <= scored["na"].mean() <= 0.03


def test_senco_hours_answers_use_the_schools_hours_where_a_band_holds_them(schools):
    answers = demo_answers(TEST_FRAMEWORK, schools, cycles=("2023/24",))
    hours = demo_senco_hours(schools, seed=7)
    given = answers[answers["criterion_id"].eq("l-hours") & ~answers["response"].isin(["", "N/A"])]
    given_hours = given.set_index("urn")["response"].astype(float)
    in_a_band = hours[given_hours.index].map(lambda h: TEST_FRAMEWORK.criteria_by_id["l-hours"].band_for(h) is not None)
    assert in_a_band.any()
    assert np.allclose(given_hours[in_a_band[in_a_band].index], hours[in_a_band[in_a_band].index])


def test_three_frameworks_for_120_schools_and_three_cycles_give_answers_for_every_school(schools):
    # How long this takes is measured by make bench, not asserted here.
    frameworks = (FRAMEWORKS * 3)[:3]
    frames = [demo_answers(fw, schools) for fw in frameworks]
    assert all(set(f["urn"]) == set(schools["urn"]) for f in frames)
