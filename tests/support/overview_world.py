"""A small LA for the overview's tests: a tiny framework whose percents are worked out by hand.

North has seven primary schools over two cycles; "Hawthorn" (900007) does not share with its LA;
"=Rowan" (900006) has a name that starts like a formula. South has one school. Domain d1 is one
rating on a four-level scale (0, 33.3, 66.7 or 100%) plus a statutory yes/no; d2 is one yes/no.
"""

from __future__ import annotations

import pandas as pd

from data import consent, reviews
from data.access import OPERATOR, SHARE_WITH_LA
from data.db import Database
from data.schools import upsert_schools
from framework.library import framework_from_dict
from tests.support.frameworks import store_framework
from tests.support.pages import share_all

LEVELS = ["Low", "Fair", "Good", "Great"]
TINY = framework_from_dict(
    {
        "id": "tiny-la",
        "title": "Tiny LA framework",
        "version": "1",
        "scale": "four",
        "scales": [{"id": "four", "levels": [{"points": i + 1, "label": lab} for i, lab in enumerate(LEVELS)]}],
        "domains": [
            {
                "id": "d1",
                "title": "First domain",
                "criteria": [
                    {"id": "c1", "text": "Rate the provision.", "kind": "rating"},
                    {"id": "s1", "text": "The SEN policy is published.", "kind": "yes_no", "statutory": True},
                ],
            },
            {
                "id": "d2",
                "title": "Second domain",
                "criteria": [{"id": "c2", "text": "A plan exists.", "kind": "yes_no"}],
            },
        ],
    }
)
NAMES = {
    "900001": "Alder Primary",
    "900002": "Beech Primary",
    "900003": "Cedar Primary",
    "900004": "Damson Primary",
    "900005": "Elm Primary",
    "900006": "=Rowan Primary",
    "900007": "Hawthorn Primary",
    "900008": "Southside Primary",
}
HIDDEN = "900007"
OLD, NEW = "2024/25", "2025/26"
# urn -> cycle -> (c1 level, s1, c2); None: no review that cycle; "draft": answered but not submitted
ANSWERS: dict[str, dict[str, tuple[str, str, str] | str | None]] = {
    "900001": {OLD: ("Great", "yes", "yes"), NEW: ("Fair", "yes", "yes")},  # fell from Great to Fair
    "900002": {OLD: ("Good", "yes", "no"), NEW: ("Good", "no", "no")},  # statutory duty unmet: capped at Low
    "900003": {OLD: ("Low", "yes", "no"), NEW: ("Great", "yes", "no")},
    "900004": {NEW: ("Low", "yes", "no")},
    "900005": {NEW: "draft"},
    "900006": {OLD: ("Good", "yes", "yes")},  # nothing this cycle
    "900007": {OLD: ("Fair", "yes", "no"), NEW: ("Low", "yes", "no")},  # counted, never named
    "900008": {NEW: ("Great", "yes", "yes")},
}


def build(db: Database) -> None:
    rows = [
        {
            "urn": urn, "name": name, "la": "South" if urn == "900008" else "North", "phase": "primary",
            "type": "", "pupils": 200 + i, "fsm_pct": 20.0, "sen_support_pct": 12.0, "ehcp_pct": 2.0,
            "resourced_provision": urn == "900003",
        }
        for i, (urn, name) in enumerate(NAMES.items())
    ]  # fmt: skip
    upsert_schools(db, OPERATOR, pd.DataFrame(rows))
    share_all(db)
    consent.set_consent(db, OPERATOR, HIDDEN, SHARE_WITH_LA, give=False)
    store_framework(db, OPERATOR, TINY)
    add_reviews(db, ANSWERS)


def add_reviews(db: Database, given_answers: dict[str, dict[str, tuple[str, str, str] | str | None]]) -> None:
    """Self-reviews of TINY as ``ANSWERS`` describes them, submitted unless "draft"."""
    for urn, cycles in given_answers.items():
        for cycle, given in cycles.items():
            rid = reviews.start_review(
                db, OPERATOR, school_urn=urn, framework=TINY, cycle=cycle, phase="primary",
                resourced_provision=False, role="self",
            )  # fmt: skip
            level, duty, plan = given if isinstance(given, tuple) else ("Good", "", "")
            answers = pd.DataFrame(
                {"criterion_id": ["c1", "s1", "c2"], "response": [level, duty, plan], "evidence": ""}
            )
            reviews.merge_answers(db, OPERATOR, rid, answers[answers["response"] != ""])
            if given != "draft":
                reviews.submit_review(db, OPERATOR, rid)
