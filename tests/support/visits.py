"""A peer review visit to build on: school A's submitted self-review, two assigned peers and an LA advisor
on the team (the first peer leads), for the storage, page and access tests of visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from data import access, assignments, reviews
from data.access import OPERATOR, Actor
from data.db import Database
from data.visits import create_visit
from framework.library import builtin_framework
from tests.support.pages import add_user

FRAMEWORK = builtin_framework("senco-role-audit")
A, B = "900001", "900002"  # Alder Primary (North), Birch High (South), as prepared_site makes them
CYCLE = "2025/26"
LEVELS = ["Emerging", "Developing", "Established", "Embedded"]
# Every rating of Leadership (5 of its 10 scored questions: enough to score the domain) and 3 of Partnership.
_RATINGS = [c for c in FRAMEWORK.criteria if c.kind == "rating" and not c.scale]
RATED = [c.id for c in _RATINGS if c.domain_id == "leadership"] + [
    c.id for c in _RATINGS if c.domain_id == "partnership"
][:3]


@dataclass
class VisitWorld:
    db: Database
    people: dict[str, Actor]
    self_review: int
    visit_id: int


def people(db: Database) -> dict[str, Actor]:
    return {
        "senco": add_user(db, "senco@alder.example", "school", school_urn=A),
        "peer1": add_user(db, "peer1@oak.example", "peer"),
        "peer2": add_user(db, "peer2@elm.example", "peer"),
        "outsider": add_user(db, "peer3@ash.example", "peer"),
        "north": add_user(db, "advisor@north.example", "la", la="North"),
        "south": add_user(db, "advisor@south.example", "la", la="South"),
    }


def rate(db: Database, actor: Actor, review_id: int, levels: list[int], *, submit: bool = True) -> None:
    for criterion_id, level in zip(RATED, levels, strict=False):
        reviews.save_answer(db, actor, review_id, criterion_id, seen_version=0, response=LEVELS[level])
    if submit:
        reviews.submit_review(db, actor, review_id)


def build(db: Database, who: dict[str, Actor] | None = None, *, with_la: bool = True) -> VisitWorld:
    who = who or people(db)
    self_review = reviews.start_review(
        db, who["senco"], school_urn=A, framework=FRAMEWORK, cycle=CYCLE, phase="primary", resourced_provision=False
    )
    rate(db, who["senco"], self_review, [3, 3, 2, 2, 3, 2, 1, 2])
    yesterday = access.today() - timedelta(days=1)
    for key in ("peer1", "peer2"):
        assignments.assign_peer(db, OPERATOR, peer_email=who[key].email, school_urn=A, cycle=CYCLE, starts_on=yesterday)
    team = [who["peer1"].email, who["peer2"].email] + ([who["north"].email] if with_la else [])
    visit_id = create_visit(
        db,
        who["north"],
        school_urn=A,
        cycle=CYCLE,
        framework=FRAMEWORK,
        starts_on=date(2026, 3, 4),
        ends_on=date(2026, 3, 4),
        team=team,
        lead=who["peer1"].email,
        school_contact="SENCO",
    )
    return VisitWorld(db, who, self_review, visit_id)
