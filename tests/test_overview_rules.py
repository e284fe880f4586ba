"""The overview's flag rules and theme counts, each on a hand-made register whose answer is worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from framework.library import builtin_framework
from scoring import flags, themes
from scoring.flags import DomainFacts, SchoolFacts

BANDS = ["Emerging", "Developing", "Established", "Embedded"]
TODAY = date(2026, 3, 1)
FW = builtin_framework("senco-role-audit")


def domain(**kw) -> DomainFacts:
    return DomainFacts("leadership", "Leadership", **kw)


# --- flags ------------------------------------------------------------------------------------------


def test_each_unmet_statutory_duty_is_one_flag_naming_it():
    found = flags.unmet_duties(["Every EHC plan reviewed", "SENCO designated"])
    assert [f.code for f in found] == ["statutory_unmet", "statutory_unmet"]
    assert found[0].reason == "Statutory duty not met: Every EHC plan reviewed"


def test_bottom_quartile_needs_ten_peers_and_the_weak_percentile_at_most_25():
    peers = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]  # 30% is at or above 3 of 10 peers: 30% -> third quarter
    assert flags.bottom_quartile(domain(percent=30.0, peer_percents=peers)) is None
    flag = flags.bottom_quartile(domain(percent=20.0, peer_percents=peers))  # at or above 2 of 10: 20%
    assert flag is not None and flag.code == "bottom_quartile" and flag.domain_id == "leadership"
    assert flag.reason == "Leadership: 20%, in the bottom quarter of 10 similar schools."
    assert flags.bottom_quartile(domain(percent=1.0, peer_percents=peers[:9])) is None  # 9 peers: no quartiles
    assert flags.bottom_quartile(domain(percent=None, peer_percents=peers)) is None


def test_fell_band_only_when_lower_than_last_cycle():
    assert flags.fell_band(domain(band=1, previous_band=2), BANDS).reason == (
        "Leadership: Established last cycle, Developing now."
    )
    assert flags.fell_band(domain(band=2, previous_band=2), BANDS) is None
    assert flags.fell_band(domain(band=3, previous_band=1), BANDS) is None
    assert flags.fell_band(domain(band=None, previous_band=2), BANDS) is None  # insufficient evidence now
    assert flags.fell_band(domain(band=0, previous_band=None), BANDS) is None


def test_above_agreed_only_when_more_than_one_band_apart():
    assert flags.above_agreed(domain(band=3, agreed_band=2), BANDS) is None  # one band: a normal difference
    flag = flags.above_agreed(domain(band=3, agreed_band=1), BANDS)
    assert flag.reason == "Leadership: self-review Embedded, agreed review Developing (2 bands apart)."
    assert flags.above_agreed(domain(band=0, agreed_band=3), BANDS) is None  # below the agreed one: no flag
    assert flags.above_agreed(domain(band=3, agreed_band=None), BANDS) is None


def test_no_recent_review_after_365_days():
    assert flags.no_recent_review(date(2025, 3, 1), TODAY) is None  # exactly 365 days
    late = flags.no_recent_review(date(2025, 2, 28), TODAY)
    assert late.code == "no_recent_review" and "28 February 2025" in late.reason
    assert flags.no_recent_review(None, TODAY).reason == "No self-review has been submitted yet."


def test_overdue_actions_counts_open_items_past_due():
    items = [(date(2026, 2, 1), "open"), (date(2026, 1, 5), "in progress"), (date(2025, 12, 1), "done")]
    items += [(None, "open"), (date(2026, 3, 1), "open"), (date(2025, 1, 1), "Completed")]
    flag = flags.overdue_actions(items, TODAY)
    assert flag.reason == "2 action-plan items are overdue (the oldest was due 5 January 2026)."
    assert flags.overdue_actions([], TODAY) is None


def test_school_flags_in_order_with_codes_and_reasons():
    facts = SchoolFacts(
        bands=BANDS,
        domains=[domain(percent=40.0, band=1, previous_band=2, agreed_band=None)],
        unmet_duties=["SENCO designated"],
        last_submitted=date(2024, 1, 1),
    )
    assert [f.code for f in flags.school_flags(facts, TODAY)] == ["statutory_unmet", "fell_band", "no_recent_review"]
    assert all(f.to_json().keys() == {"code", "reason"} for f in flags.school_flags(facts, TODAY))


# --- themes -----------------------------------------------------------------------------------------


def test_categorise_levels_yes_no_and_number_bands():
    c = FW.criteria_by_id
    assert themes.categorise(FW, c["lead-slt-member"], "no") == ("No", True)
    assert themes.categorise(FW, c["lead-slt-member"], "Yes") == ("Yes", False)
    assert themes.categorise(FW, c["lead-strategic-voice"], "emerging") == ("Emerging", True)
    assert themes.categorise(FW, c["lead-strategic-voice"], "Embedded") == ("Embedded", False)
    assert themes.categorise(FW, c["rec-review-reports-pct"], "50") == ("0 to under 60 % of reports", True)
    assert themes.categorise(FW, c["rec-review-reports-pct"], 100) == ("100 % of reports or more", False)
    assert themes.categorise(FW, c["time-hours-protected"], "6") is None  # judged per 10 pupils on the register
    assert themes.categorise(FW, c["time-roll"], "210") is None  # a fact, never judged
    assert themes.categorise(FW, c["lead-strategic-voice"], "N/A") is None
    assert themes.categorise(FW, c["lead-strengths"], "text") is None


def _answers(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(urn, group, criterion, raw answer) -> the answers table, categorised as the overview does."""
    out = []
    for urn, group, cid, raw in rows:
        found = themes.categorise(FW, FW.criteria_by_id[cid], raw)
        if found:
            out.append((urn, group, cid, *found))
    return pd.DataFrame(out, columns=themes.ANSWER_COLUMNS)


def test_lowest_answers_share_per_phase_and_all_with_previous_cycle():
    # 7 primary schools: 4 say No to the SLT question (57%); 5 secondary: 1 No (20%)
    now = [(f"p{i}", "primary", "lead-slt-member", "No" if i < 4 else "Yes") for i in range(7)]
    now += [(f"s{i}", "secondary", "lead-slt-member", "No" if i < 1 else "Yes") for i in range(5)]
    now += [(f"p{i}", "primary", "lead-sen-governor", "No") for i in range(3)]  # 3 schools: too few
    before = [(f"p{i}", "primary", "lead-slt-member", "No" if i < 2 else "Yes") for i in range(5)]
    found = themes.lowest_answers(_answers(now), _answers(before), FW)
    by = {(t.group, t.criterion_id): t for t in found}
    primary = by[("primary", "lead-slt-member")]
    assert (primary.schools, primary.n, round(primary.share)) == (4, 7, 57)
    assert primary.previous_share == 40.0
    assert primary.sentence().startswith("57% of primary schools (4 of 7) answer “No” to “The SENCO is a member")
    assert primary.sentence().endswith("(previous cycle 40%).")
    assert by[("all", "lead-slt-member")].schools == 5 and by[("all", "lead-slt-member")].n == 12
    assert by[("secondary", "lead-slt-member")].previous_share is None
    assert ("primary", "lead-sen-governor") not in by  # fewer than 5 schools
    assert found[0] == primary  # the highest share first


def test_a_school_counts_once_per_criterion_and_the_first_lowest_answer_names_it():
    # p0 answers the same criterion twice (as two reviews' rows could): still one school
    rows = [("p0", "primary", "lead-slt-member", "No"), ("p0", "primary", "lead-slt-member", "No")]
    rows += [(f"p{i}", "primary", "lead-slt-member", "Yes") for i in range(1, 5)]
    rows += [(f"s{i}", "secondary", "lead-slt-member", "No") for i in range(5)]
    found = {(t.group, t.criterion_id): t for t in themes.lowest_answers(_answers(rows), _answers([]), FW)}
    assert (found[("primary", "lead-slt-member")].schools, found[("primary", "lead-slt-member")].n) == (1, 5)
    assert (found[("all", "lead-slt-member")].schools, found[("all", "lead-slt-member")].n) == (6, 10)
    assert found[("secondary", "lead-slt-member")].answer == "No"
    assert found[("all", "lead-slt-member")].previous_share is None


@pytest.mark.parametrize("space", [10, 10_000_000])  # counted, then sorted
def test_distinct_keys_and_their_positions(space):
    keys = np.array([7, 3, 7, 0, 3, 9])
    values, position = themes.distinct(keys, space)
    assert values.tolist() == [0, 3, 7, 9]
    assert values[position].tolist() == keys.tolist()


def test_criterion_distribution_counts_and_suppresses_small_groups():
    levels = ["Emerging", "Developing", "Embedded"]
    rows = [(f"p{i}", "primary", "lead-strategic-voice", levels[i % 3]) for i in range(6)]
    rows += [(f"p{i}", "primary", "lead-slt-member", "Yes") for i in range(4)]
    dists = {d.key: d for d in themes.criterion_distributions(_answers(rows), FW)}
    voice = dists["lead-strategic-voice"]
    assert voice.n == 6 and dict(voice.counts) == {"Embedded": 2, "Established": 0, "Developing": 2, "Emerging": 2}
    assert dists["lead-slt-member"].suppressed and dists["lead-slt-member"].counts == ()


def test_domain_distribution_and_medians_withheld_below_five():
    bands = pd.DataFrame({"urn": list("abcde"), "domain_id": ["role"] * 5, "band": ["Emerging"] * 2 + ["Embedded"] * 3})
    (role,) = themes.domain_distributions(bands, FW, BANDS)
    assert dict(role.counts)["Embedded"] == 3 and not role.suppressed
    percents = pd.DataFrame(
        {"cycle": ["a"] * 5 + ["b"] * 4, "domain_id": ["role"] * 9, "percent": [10, 20, 30, 40, 50, 1, 2, 3, 4]}
    )
    table = themes.medians(percents).set_index("cycle")
    assert table.at["a", "median"] == 30 and pd.isna(table.at["b", "median"]) and table.at["b", "schools"] == 4


@pytest.mark.parametrize(("now", "before", "word"), [(2, 1, "improved"), (1, 1, "same"), (0, 3, "declined")])
def test_band_change(now, before, word):
    assert themes.band_change(now, before) == word


def test_change_counts_and_completion():
    counts = themes.change_counts([("role", "improved"), ("role", "same"), ("role", None), ("time", "declined")])
    assert counts["role"] == {"improved": 1, "same": 1, "declined": 0}
    assert counts["time"] == {"improved": 0, "same": 0, "declined": 1}
    rows = [themes.Progress("not_started"), themes.Progress("in_progress", 10, 40, True), themes.Progress("submitted")]
    assert themes.completion(rows) == {
        "not_started": 1, "in_progress": 1, "submitted": 1, "peer_reviewed": 0, "shared": 1, "schools": 3,
    }  # fmt: skip
    assert rows[1].words() == "In progress (10 of 40 answered, 25%)"
