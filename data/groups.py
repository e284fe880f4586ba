"""Who a school is compared with: its similar schools (DfE method), its LA, its phase, or a named group.

Peer sets are chosen from the whole register, which everyone shares: it is read once and rebuilt
only when the register changes, and the similar-school sets are worked out once per register.

Named groups (a cluster, a trust) belong to one LA. LA users manage the groups of their own LA and
admins manage all; a school user may compare with a group of their LA that includes their own
school, and learns its name and size, never its members. Each rule is the access policy's, asked through
``access.allowed``: a group is an LA-level record, so managing it is writing a record of that LA.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data import access
from data.access import Actor, NotAllowed, NotFound, SchoolRef
from data.audit import now, record
from data.db import Database
from data.schools import School
from data.tables import audit_log, school_group_members, school_groups, schools
from framework.models import PHASE_LABELS
from framework.problems import InvalidInput, Problem
from scoring.peers import peer_group, peer_sets, same_la, same_phase

MAX_NAME = 200
SIMILAR_K = 30
MAX_KEPT_SETS = 2_000
GROUP_WORDS = {**{k: v.lower() for k, v in PHASE_LABELS.items()}, "alternative_provision": "alternative provision"}
GROUP_WORDS |= {"utc": "UTC", "early_years": "early years"}


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    la: str
    size: int
    created_at: datetime


def may_manage(actor: Actor, la: str) -> bool:
    """LA users for their own LA, admins for every LA: the policy's write rule on an LA-level record.

    The record has no school (URN ""), so no school user can own it.
    """
    return bool(la) and access.allowed(actor, "write", SchoolRef("", la))


def list_groups(db: Database, actor: Actor) -> list[Group]:
    """The groups the actor may compare with: all they manage; for a school user, its LA's groups it is in."""
    size = sa.func.count(school_group_members.c.urn).label("size")
    query = (
        sa.select(school_groups.c.id, school_groups.c.name, school_groups.c.la, school_groups.c.created_at, size)
        .select_from(school_groups.outerjoin(school_group_members))
        .group_by(school_groups.c.id, school_groups.c.name, school_groups.c.la, school_groups.c.created_at)
        .order_by(school_groups.c.la, school_groups.c.name)
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
        mine = _groups_of_school(conn, actor.school_urn) if actor.role == "school" else set()
    return [Group(r.id, r.name, r.la, r.size, r.created_at) for r in rows if _may_use(actor, r.la, r.id in mine)]


def get_group(db: Database, actor: Actor, group_id: int) -> Group:
    for group in list_groups(db, actor):
        if group.id == group_id:
            return group
    raise NotFound(f"There is no group {group_id} that you can use.")


def group_members(db: Database, actor: Actor, group_id: int) -> list[str]:
    """The members' URNs, for those who manage the group (a school user never sees them)."""
    with db.read() as conn:
        group = _fetch(conn, group_id)
        if group is None or not may_manage(actor, group.la):
            raise NotFound(f"There is no group {group_id} that you can manage.")
        return _members(conn, group_id)


def members_for_comparison(db: Database, actor: Actor, group_id: int) -> tuple[Group, list[str]]:
    """The group and its URNs, for ``data.comparison`` only: it turns them into anonymised peers."""
    group = get_group(db, actor, group_id)
    with db.read() as conn:
        return group, _members(conn, group_id)


def create_group(db: Database, actor: Actor, name: str, urns: Iterable[str], *, la: str | None = None) -> int:
    """A new group of the actor's LA (an admin names the LA); every member must be a school the actor can see."""
    la = (la or actor.la or "").strip()
    name = _checked_name(name)
    if not la:
        raise InvalidInput([Problem("local authority", "choose the LA the group belongs to")])
    if not may_manage(actor, la):
        raise NotAllowed("Only LA users (for their own LA) and administrators can make groups of schools.")
    with db.write() as conn:
        _refuse_duplicate(conn, la, name)
        group_id = conn.execute(
            sa.insert(school_groups)
            .values(name=name, la=la, created_by=actor.id, created_at=now())
            .returning(school_groups.c.id)
        ).scalar_one()
        added = _replace_members(conn, actor, group_id, urns)
        record(conn, actor, "group_created", detail=f"{la}: {name} ({added} schools)")
    return group_id


def update_group(db: Database, actor: Actor, group_id: int, *, name: str, urns: Iterable[str]) -> None:
    """Rename the group and set its members to exactly ``urns``."""
    name = _checked_name(name)
    with db.write() as conn:
        group = _managed(conn, actor, group_id)
        if name != group.name:
            _refuse_duplicate(conn, group.la, name)
            conn.execute(sa.update(school_groups).where(school_groups.c.id == group_id).values(name=name))
        added = _replace_members(conn, actor, group_id, urns)
        record(conn, actor, "group_changed", detail=f"{group.la}: {name} ({added} schools)")


def delete_group(db: Database, actor: Actor, group_id: int) -> None:
    with db.write() as conn:
        group = _managed(conn, actor, group_id)
        conn.execute(sa.delete(school_group_members).where(school_group_members.c.group_id == group_id))
        conn.execute(sa.delete(school_groups).where(school_groups.c.id == group_id))
        record(conn, actor, "group_deleted", detail=f"{group.la}: {group.name}")


def _may_use(actor: Actor, la: str, includes_own_school: bool) -> bool:
    if actor.role == "school":
        return includes_own_school and access.allowed(actor, "read", SchoolRef(actor.school_urn or "", la))
    return may_manage(actor, la)


def _groups_of_school(conn: Connection, urn: str | None) -> set[int]:
    query = sa.select(school_group_members.c.group_id).where(school_group_members.c.urn == (urn or ""))
    return set(conn.execute(query).scalars())


def _fetch(conn: Connection, group_id: int) -> sa.Row | None:
    return conn.execute(sa.select(school_groups).where(school_groups.c.id == group_id)).first()


def _managed(conn: Connection, actor: Actor, group_id: int) -> sa.Row:
    group = _fetch(conn, group_id)
    if group is None or not may_manage(actor, group.la):
        raise NotFound(f"There is no group {group_id} that you can manage.")
    return group


def _members(conn: Connection, group_id: int) -> list[str]:
    query = sa.select(school_group_members.c.urn).where(school_group_members.c.group_id == group_id)
    return sorted(conn.execute(query).scalars())


def _checked_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise InvalidInput([Problem("name", "give the group a name, such as the cluster's or the trust's")])
    if len(name) > MAX_NAME:
        raise InvalidInput([Problem("name", f"a group's name can be at most {MAX_NAME} characters")])
    return name


def _refuse_duplicate(conn: Connection, la: str, name: str) -> None:
    taken = conn.execute(
        sa.select(sa.literal(1)).where(school_groups.c.la == la, sa.func.lower(school_groups.c.name) == name.lower())
    ).first()
    if taken:
        raise InvalidInput([Problem("name", f'{la} already has a group called "{name}"')])


def _replace_members(conn: Connection, actor: Actor, group_id: int, urns: Iterable[str]) -> int:
    """Members become exactly ``urns``; a URN the actor cannot see is refused like one that does not exist."""
    wanted = sorted({str(u).strip() for u in urns if str(u).strip()})
    found = {r.urn: r.la for r in conn.execute(sa.select(schools.c.urn, schools.c.la).where(schools.c.urn.in_(wanted)))}
    unknown = [u for u in wanted if u not in found or not access.allowed(actor, "read", SchoolRef(u, found[u]))]
    if unknown:
        raise NotFound(f"There is no school you can see with URN {', '.join(unknown)}.")
    conn.execute(sa.delete(school_group_members).where(school_group_members.c.group_id == group_id))
    if wanted:
        conn.execute(sa.insert(school_group_members), [{"group_id": group_id, "urn": u} for u in wanted])
    return len(wanted)


# --- peer sets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerSet:
    urns: list[str]  # never shown to an actor as they are: data.comparison anonymises them
    noun: str  # "similar schools", "primary schools in Lanternshire"...
    description: str


class Register:
    """Every school (not only those the actor sees), with its similar-school sets worked out on first use."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.name = dict(zip(frame["urn"], frame["name"], strict=True))
        self.la = dict(zip(frame["urn"], frame["la"], strict=True))
        self._similar: dict[str, list[str]] | None = None
        self._sets: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()

    def similar(self) -> dict[str, list[str]]:
        with self._lock:
            if self._similar is None:
                self._similar = peer_sets(self.frame, k=SIMILAR_K) if len(self.frame) else {}
            return self._similar

    def same(self, kind: str, urn: str) -> list[str]:
        """The school's LA ("la", same phase group) or phase ("phase") peers, kept with this copy of the register."""
        if (kind, urn) not in self._sets:
            if len(self._sets) >= MAX_KEPT_SETS:  # a national register's phase sets are long: keep memory bounded
                self._sets.clear()
            self._sets[(kind, urn)] = (same_la if kind == "la" else same_phase)(self.frame, urn)
        return self._sets[(kind, urn)]

    def ref(self, urn: str, shares: frozenset[str] = frozenset()) -> SchoolRef:
        return SchoolRef(urn, self.la.get(urn, ""), shares)


_REGISTERS: dict[str, tuple[tuple, Register]] = {}
_REGISTER_LOCK = threading.Lock()


def register(db: Database) -> Register:
    """The whole register, rebuilt when it changes: every write goes through ``upsert_schools``, which
    logs "register_updated", so the count and the last such entry tell whether the copy is current."""
    with db.read() as conn:
        last = sa.select(sa.func.max(audit_log.c.id), sa.func.max(audit_log.c.at))
        token = (
            conn.execute(sa.select(sa.func.count()).select_from(schools)).scalar(),
            *conn.execute(last.where(audit_log.c.action == "register_updated")).one(),
        )
    with _REGISTER_LOCK:
        cached = _REGISTERS.get(db.url)
        if cached and cached[0] == token:
            return cached[1]
    columns = ["urn", "name", "la", "phase", "type", "pupils", "fsm_pct", "sen_support_pct", "ehcp_pct"]
    with db.read() as conn:
        rows = conn.execute(sa.select(*(schools.c[c] for c in columns))).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["type"] = frame["type"].replace("", "mainstream")
    made = Register(frame)
    with _REGISTER_LOCK:
        _REGISTERS[db.url] = (token, made)
    return made


def peer_choices(db: Database, actor: Actor, school: School) -> dict[str, str]:
    """The peer sets the actor may pick for this school: value -> words, e.g. {"group:3": "Group: North..."}."""
    words = _words(school)
    found = {
        "similar": f"Similar schools (DfE method, nearest {SIMILAR_K})",
        "la": f"All {words} schools in {school.la}",
        "phase": f"All {words} schools in the register",
    }
    for group in list_groups(db, actor):
        found[f"group:{group.id}"] = f"Group: {group.name} ({group.la}, {group.size} schools)"
    return found


def peer_set(db: Database, actor: Actor, everyone: Register, school: School, choice: str) -> PeerSet:
    """The other schools of the chosen set: similar, la (same phase group), phase, or group:<id>."""
    words = _words(school)
    if choice == "similar":
        method = f"nearest to this one on pupils, % FSM and % SEN (the DfE benchmarking method, up to {SIMILAR_K})"
        found = everyone.similar().get(school.urn, [])
        return PeerSet(found, "similar schools", f"the {len(found)} {words} schools in the register {method}")
    if choice == "la":
        found = everyone.same("la", school.urn)
        return PeerSet(found, f"{words} schools in {school.la}", f"every other {words} school in {school.la}")
    if choice == "phase":
        return PeerSet(everyone.same("phase", school.urn), f"{words} schools", f"every other {words} school")
    if choice.startswith("group:") and choice[6:].isdigit():
        group, urns = members_for_comparison(db, actor, int(choice[6:]))
        found = [u for u in urns if u != school.urn and u in everyone.la]
        return PeerSet(found, f"schools in {group.name}", f"the other schools of the group {group.name} ({group.la})")
    raise InvalidInput([Problem("peers", f'"{choice}" is not one of similar, la, phase or group:<number>')])


def _words(school: School) -> str:
    return GROUP_WORDS.get(peer_group(school.phase, school.type or "mainstream"), school.phase)
