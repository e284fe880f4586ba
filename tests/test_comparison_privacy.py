"""Anonymised peers cannot be re-identified (issue #10): differencing, linking and unrounded text.

The attacks are run as a school's own user would run them, and each test computes what the attacker
would compute and checks it does not give a peer school's values. The rule is docs/comparison-privacy.md.
"""

from __future__ import annotations

import io
import json
from collections import Counter

import openpyxl
import pandas as pd
import pytest

from data import groups
from data.access import OPERATOR, Actor, NotAllowed
from data.comparison import compare_school
from data.schools import upsert_schools
from data.setup import open_database
from exports.comparison_workbook import comparison_workbook
from scoring.disclosure import anonymised, differencing_risk, round_to
from scoring.peers import compare
from tests.test_comparison import ME, build, peer_urn, review, school


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    yield database
    database.dispose()


SENCO = Actor(id=None, email="senco@target.example", role="school", school_urn=ME)
TARGET = "300001"  # the one school in another LA: "phase" minus "la" is exactly this school


def _values(result: dict) -> list[list[float]]:
    """Every list of peer values a comparison hands out, per measure (empty when withheld)."""
    measures = [result["overall"], *result["domains"]]
    if result["senco_time"]:
        measures += result["senco_time"]["measures"]
    return [m.get("peer_percents", m.get("peer_values")) or [] for m in measures]


def _difference(big: list[float], small: list[float]) -> list[float]:
    return sorted((Counter(big) - Counter(small)).elements())


def test_the_differencing_attack_gives_nothing_away(db) -> None:
    build(db, 3, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], hours=[6.0] * 11)
    upsert_schools(db, OPERATOR, pd.DataFrame([school(TARGET, "Lone Primary", la="South", pupils=154)]))
    review(db, TARGET, 5, 4.0)  # its values: 100% on every domain, 4 hours
    outcomes = {}
    for choice in ("la", "phase"):
        try:
            outcomes[choice] = compare_school(db, SENCO, ME, "tiny", peers=choice).to_json()
        except NotAllowed as refused:
            outcomes[choice] = str(refused)
    refused = [c for c, out in outcomes.items() if isinstance(out, str)]
    assert refused, "two peer sets one school apart must not both be shown"
    assert "differ" in outcomes[refused[0]] and "by only 1" in outcomes[refused[0]]
    if len(refused) == 1:  # whatever is shown still hands out no list to subtract from another
        shown = next(out for out in outcomes.values() if isinstance(out, dict))
        assert all(values == [] for values in _values(shown))


def test_even_without_the_refusal_two_anonymised_lists_cannot_be_subtracted() -> None:
    """Set the refusal aside (two peer sets one school apart): the anonymised figures hold no list."""
    peers = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, 3, 3, 3]
    without = anonymised(compare(50.0, [25.0 * (p - 1) for p in peers]), "%", ())
    with_target = anonymised(compare(50.0, [25.0 * (p - 1) for p in [*peers, 5]]), "%", ())
    assert without.values == () and with_target.values == ()
    assert _difference(list(with_target.values), list(without.values)) == []


def test_a_school_user_gets_no_per_school_ratio_to_link_with_the_register(db) -> None:
    hours = [6.0, 3.0, 4.0, 5.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
    build(db, 3, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], hours=hours)
    result = compare_school(db, SENCO, ME, "tiny", peers="la").to_json()
    ratios = result["senco_time"]["measures"]
    assert all("peer_values" not in m for m in ratios), "per-school SENCO time values are never given to a school"
    steps = {"hours": 0.5, "per_100_pupils": 0.5, "per_sen_pupil": 1.0}
    for m in ratios:  # every peer figure is rounded to the step, so no exact ratio is left to link
        for key in ("peer_median", "peer_low", "peer_high", "peer_q1", "peer_q3"):
            value = m.get(key)
            assert value is None or (value / steps[m["measure"]]).is_integer(), (m["measure"], key, value)
    assert "peer_values" not in json.dumps(result)


def test_an_la_user_who_may_name_every_peer_keeps_the_full_detail(db) -> None:
    build(db, 3, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    advisor = Actor(id=98, email="advisor@north.example", role="la", la="North")
    result = compare_school(db, advisor, ME, "tiny", peers="la").to_json()
    assert result["names_shown"] is True
    assert len(result["overall"]["peer_percents"]) == 10


def test_named_groups_one_school_apart_are_refused_for_a_school_user(db) -> None:
    build(db, 3, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    advisor = Actor(id=None, email="advisor@north.example", role="la", la="North")
    members = [ME, *(peer_urn(i) for i in range(10))]
    big = groups.create_group(db, advisor, "Big cluster", members)
    groups.create_group(db, advisor, "Big cluster less one", members[:-1])
    with pytest.raises(NotAllowed, match="by only 1"):
        compare_school(db, SENCO, ME, "tiny", peers=f"group:{big}")


def test_messages_and_the_workbook_note_are_rounded_as_the_fields_are() -> None:
    found = compare(3.0, [400 / 154, 3.1, 3.3, 3.5, 3.98406])  # 5-9 schools: the "summary" message
    assert "2.5974" not in found.message and "3.98406" not in found.message
    assert "2.6" in found.message and "4" in found.message
    hidden = anonymised(found, "h")
    assert "2.5" in hidden.message and "2.6" not in hidden.message  # half hours for anonymised figures
    assert round_to(2.5974, 0.5) == 2.5


def test_the_comparison_workbook_has_no_unrounded_value(db) -> None:
    build(db, 3, [1, 2, 3, 4, 5], hours=[6.0, 400 / 154 * 2, 7.0, 8.0, 9.0, 10.0])
    result = compare_school(db, SENCO, ME, "tiny", peers="la")
    book = openpyxl.load_workbook(io.BytesIO(comparison_workbook(result.to_json())))
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if "2.597" in c or "5.194" in c]


def test_differencing_risk_counts_only_small_nonzero_differences() -> None:
    a = frozenset("abcdefghij")
    others = {"same": a, "one more": a | {"k"}, "five more": a | set("klmno"), "one less": a - {"a"}}
    assert differencing_risk(a, others) == [("one more", 1), ("one less", 1)]
