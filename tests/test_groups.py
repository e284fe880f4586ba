"""Named groups of schools and the peer sets built from the register, with who may do what (both databases)."""

from __future__ import annotations

import pandas as pd
import pytest

from data import groups
from data.access import OPERATOR, Actor, NotAllowed, NotFound
from data.schools import get_school, upsert_schools
from data.setup import open_database
from framework.problems import InvalidInput

NORTH = Actor(id=None, email="advisor@north.example", role="la", la="North")
SOUTH = Actor(id=None, email="advisor@south.example", role="la", la="South")
SENCO = Actor(id=None, email="senco@n1.example", role="school", school_urn="100001")


def register() -> pd.DataFrame:
    rows = [("100001", "North One", "North", "primary", 100), ("100002", "North Two", "North", "primary", 200)]
    rows += [("100003", "North Three", "North", "primary", 300), ("100004", "North High", "North", "secondary", 900)]
    rows += [("200001", "South One", "South", "primary", 150)]
    return pd.DataFrame(
        {
            "urn": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "la": [r[2] for r in rows],
            "phase": [r[3] for r in rows],
            "type": "mainstream",
            "pupils": [r[4] for r in rows],
            "fsm_pct": [10.0, 20.0, 30.0, 25.0, 15.0],
            "sen_support_pct": 12.0,
            "ehcp_pct": 2.0,
            "resourced_provision": False,
        }
    )


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    upsert_schools(database, OPERATOR, register())
    yield database
    database.dispose()


def test_an_la_user_makes_lists_renames_and_deletes_a_group_of_their_la(db):
    group_id = groups.create_group(db, NORTH, "  Riverside   cluster ", ["100001", "100002"])
    [made] = groups.list_groups(db, NORTH)
    assert (made.id, made.name, made.la, made.size) == (group_id, "Riverside cluster", "North", 2)
    groups.update_group(db, NORTH, group_id, name="Riverside partnership", urns=["100002", "100003", "100004"])
    assert groups.group_members(db, NORTH, group_id) == ["100002", "100003", "100004"]
    assert [(g.name, g.size) for g in groups.list_groups(db, NORTH)] == [("Riverside partnership", 3)]
    groups.delete_group(db, NORTH, group_id)
    assert groups.list_groups(db, NORTH) == []


def test_an_la_user_cannot_see_or_change_another_la_s_groups(db):
    group_id = groups.create_group(db, NORTH, "Riverside", ["100001"])
    assert groups.list_groups(db, SOUTH) == []
    with pytest.raises(NotFound):
        groups.group_members(db, SOUTH, group_id)
    with pytest.raises(NotFound):
        groups.update_group(db, SOUTH, group_id, name="Taken over", urns=[])
    with pytest.raises(NotFound):
        groups.delete_group(db, SOUTH, group_id)
    with pytest.raises(NotAllowed):
        groups.create_group(db, SOUTH, "Cross border", ["200001"], la="North")


def test_members_must_be_schools_the_user_can_see(db):
    with pytest.raises(NotFound, match="200001, 999999"):
        groups.create_group(db, NORTH, "Reaching south", ["100001", "200001", "999999"])
    assert groups.list_groups(db, OPERATOR) == []  # nothing was stored


def test_names_must_be_given_and_unique_within_an_la(db):
    groups.create_group(db, NORTH, "Riverside", [])
    with pytest.raises(InvalidInput, match='North already has a group called "riverside"'):
        groups.create_group(db, NORTH, "riverside", [])
    with pytest.raises(InvalidInput, match="give the group a name"):
        groups.create_group(db, NORTH, "   ", [])
    groups.create_group(db, SOUTH, "Riverside", [])  # another LA may use the same name
    with pytest.raises(InvalidInput, match="choose the LA"):
        groups.create_group(db, OPERATOR, "No LA", [])


def test_an_admin_manages_every_la_s_groups(db):
    group_id = groups.create_group(db, OPERATOR, "Trust across the border", ["100001", "200001"], la="North")
    assert groups.group_members(db, OPERATOR, group_id) == ["100001", "200001"]
    assert [g.name for g in groups.list_groups(db, NORTH)] == ["Trust across the border"]


def test_a_school_user_sees_only_its_la_s_groups_that_include_it_and_never_the_members(db):
    mine = groups.create_group(db, NORTH, "Riverside", ["100001", "100002"])
    groups.create_group(db, NORTH, "Hilltop", ["100002", "100003"])
    assert [(g.id, g.name, g.size) for g in groups.list_groups(db, SENCO)] == [(mine, "Riverside", 2)]
    with pytest.raises(NotFound):
        groups.group_members(db, SENCO, mine)
    with pytest.raises(NotAllowed):
        groups.create_group(db, SENCO, "Our own", ["100001"], la="North")
    peer = Actor(id=5, email="peer@example.org", role="peer")
    assert groups.list_groups(db, peer) == []


def test_peer_sets_by_la_phase_similarity_and_group(db):
    everyone = groups.register(db)
    me = get_school(db, OPERATOR, "100001")
    assert groups.peer_set(db, NORTH, everyone, me, "la").urns == ["100002", "100003"]
    assert groups.peer_set(db, NORTH, everyone, me, "phase").urns == ["100002", "100003", "200001"]
    # FBIT distance within the primaries: pupils range 200, FSM range 20; South One (150, 15%) is nearest
    assert groups.peer_set(db, NORTH, everyone, me, "similar").urns == ["200001", "100002", "100003"]
    group_id = groups.create_group(db, NORTH, "Riverside", ["100001", "100003", "100004"])
    found = groups.peer_set(db, NORTH, everyone, me, f"group:{group_id}")
    assert (found.urns, found.noun) == (["100003", "100004"], "schools in Riverside")
    with pytest.raises(NotFound):
        groups.peer_set(db, SOUTH, everyone, me, f"group:{group_id}")


def test_the_shared_register_copy_follows_every_change(db):
    before = groups.register(db)
    assert groups.register(db) is before  # unchanged: the same copy, with its similar sets worked out once
    changed = register().iloc[[0]].assign(pupils=110)
    upsert_schools(db, OPERATOR, changed)
    after = groups.register(db)
    assert after is not before
    assert after.frame.set_index("urn").at["100001", "pupils"] == 110


def test_peer_choices_name_the_school_s_phase_la_and_groups(db):
    group_id = groups.create_group(db, NORTH, "Riverside", ["100001", "100002"])
    choices = groups.peer_choices(db, SENCO, get_school(db, SENCO, "100001"))
    assert choices == {
        "similar": "Similar schools (DfE method, nearest 30)",
        "la": "All primary schools in North",
        "phase": "All primary schools in the register",
        f"group:{group_id}": "Group: Riverside (North, 2 schools)",
    }
