"""The school register (LA users and admins): the schools, an import from the public files, edits, groups.

An import reads and checks both files completely before anything is stored; on any problem the
user sees every problem with its file, line and column, and the register is untouched. Storing
goes through ``upsert_schools``, which refuses a school outside the user's LA.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import groups
from data.access import Actor, NotAllowed
from data.db import Database
from data.register_import import SCHOOL_TYPES, URN_PATTERN, read_register
from data.schools import School, list_schools, upsert_schools
from framework.models import PHASE_LABELS, PHASES
from framework.problems import InvalidInput, Problem, capped
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

TYPE_WORDS = {"mainstream": "Mainstream", "special": "Special", "alternative_provision": "Alternative provision"}
TYPE_WORDS |= {"utc": "University technical college"}
NEW = "(a new school)"
_FLASH = "_register_flash"


def render() -> None:
    actor = require_actor()
    st.title("School register")
    if _FLASH in st.session_state:
        st.success(st.session_state.pop(_FLASH))
    with friendly_errors():
        db = get_db()
        register = list_schools(db, actor)
        schools_tab, import_tab, edit_tab, groups_tab = st.tabs(
            ["Schools", "Import from GIAS and DfE files", "Add or edit a school", "Groups of schools"]
        )
        with schools_tab:
            _table(register)
        with import_tab:
            _import(db, actor)
        with edit_tab:
            _edit(db, actor, register)
        with groups_tab:
            _groups(db, actor, register)


def _table(register: list[School]) -> None:
    if not register:
        st.info("The register is empty. Import the GIAS and DfE SEN files, or add schools by hand.")
        return
    st.caption(f"{len(register)} schools you can see. Percentages are shares of all pupils on roll.")
    frame = pd.DataFrame(
        {
            "URN": [s.urn for s in register],
            "School": [s.name for s in register],
            "LA": [s.la for s in register],
            "Phase": [PHASE_LABELS.get(s.phase, s.phase) for s in register],
            "Type": [TYPE_WORDS.get(s.type, s.type or "Mainstream") for s in register],
            "Pupils": [s.pupils for s in register],
            "FSM %": [s.fsm_pct for s in register],
            "SEN support %": [s.sen_support_pct for s in register],
            "EHC plan %": [s.ehcp_pct for s in register],
            "Resourced provision": ["Yes" if s.resourced_provision else "No" for s in register],
            "Compare": [f"/compare?urn={s.urn}" for s in register],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(frame), 560),
        column_config={"Compare": st.column_config.LinkColumn("Compare", display_text="Compare")},
    )


def _import(db: Database, actor: Actor) -> None:
    st.markdown(
        "Upload the **GIAS establishment extract** (from get-information-schools.service.gov.uk, CSV) and, for "
        "SEN support and EHC plan percentages, the DfE **school-level SEN file** "
        "(`sen_school_level_underlying_data.csv`). Extra columns are ignored. Both files are checked in full "
        "first: if anything is wrong, nothing is stored and every problem is listed."
    )
    limit = "Files up to 10 MB: download the GIAS extract filtered to your LA, or use `cli.py import-register`."
    if actor.role == "la":
        st.caption(f"You can add and update schools in {actor.la} only. {limit}")
    else:
        st.caption(f"{limit} (for the whole of England).")
    gias = st.file_uploader("GIAS establishment extract (CSV)", type=["csv"], key="register_gias")
    sen = st.file_uploader("DfE school-level SEN file (CSV, optional)", type=["csv"], key="register_sen")
    if gias is None or not st.button("Check and store the register", type="primary", key="register_import"):
        return
    outcome = ""
    bar = st.progress(0.0, text="Step 1 of 2: checking the files…")
    with st.status("Checking the files…", expanded=True) as status:
        try:
            status.write("Reading and checking the files, then joining them on URN…")
            merged = read_register(
                (gias.name, gias.getvalue()), (sen.name, sen.getvalue()) if sen is not None else None
            )
            problems: list[Problem] = []
        except InvalidInput as exc:
            problems = exc.problems
        if problems:
            status.update(label="Nothing was stored: the files have problems", state="error", expanded=False)
            outcome = (
                f"{len(problems)} problem(s) found. Nothing was stored. Fix them and upload again:\n\n"
                + "\n".join(f"- {p}" for p in capped(problems))
            )
        else:
            status.write(f"Storing {len(merged)} schools…")
            bar.progress(0.5, text=f"Step 2 of 2: storing {len(merged)} schools…")
            try:
                stored = upsert_schools(db, actor, merged)
                status.update(label=f"Stored {stored} schools", state="complete", expanded=False)
                bar.progress(1.0, text=f"Done: stored {stored} schools.")
            except NotAllowed as exc:
                status.update(label="Nothing was stored", state="error", expanded=False)
                outside = sorted(set(merged["la"]) - {actor.la})
                outcome = (
                    f"You can add or change schools in {actor.la} only, and the file also has schools in "
                    f"{', '.join(outside[:5])}{'…' if len(outside) > 5 else ''}. Nothing was stored."
                    if outside
                    else f"{exc} Nothing was stored."
                )
    if outcome:  # outside the status box, which folds away, so that every problem stays in view
        st.error(outcome)
        return
    by_la = merged["la"].value_counts().sort_index()
    st.success(f"Stored {stored} schools: " + ", ".join(f"{n} in {la}" for la, n in by_la.items()) + ".")


def _edit(db: Database, actor: Actor, register: list[School]) -> None:
    by_urn = {s.urn: s for s in register}
    picked = st.selectbox(
        "School", [NEW, *by_urn], format_func=lambda u: u if u == NEW else f"{by_urn[u].name} ({u})", key="edit_pick"
    )
    school = by_urn.get(picked)
    key = picked if school else "new"
    with st.form(f"edit-{key}"):
        urn = school.urn if school else st.text_input("URN (6 digits)", key="edit_urn")
        name = st.text_input("Name", value=school.name if school else "")
        if actor.role == "admin":
            la = st.text_input("Local authority", value=school.la if school else "")
        else:
            la = actor.la or ""
            st.caption(f"Local authority: {la}")
        left, right = st.columns(2)
        phase = left.selectbox(
            "Phase", PHASES, index=PHASES.index(school.phase) if school else 1, format_func=PHASE_LABELS.get
        )
        kind = school.type if school and school.type in SCHOOL_TYPES else "mainstream"
        school_type = right.selectbox("Type", SCHOOL_TYPES, index=SCHOOL_TYPES.index(kind), format_func=TYPE_WORDS.get)
        pupils = left.number_input("Pupils on roll", 0, 10_000, school.pupils if school else None, step=1)
        fsm = right.number_input("FSM %", 0.0, 100.0, school.fsm_pct if school else None, step=0.1)
        support = left.number_input("SEN support %", 0.0, 100.0, school.sen_support_pct if school else None, step=0.1)
        ehcp = right.number_input("EHC plan %", 0.0, 100.0, school.ehcp_pct if school else None, step=0.1)
        resourced = st.checkbox("Resourced provision (ARP/ARC)", value=school.resourced_provision if school else False)
        nursery = st.checkbox("Has nursery classes", value=school.has_nursery if school else False)
        sixth_form = st.checkbox("Has a sixth form", value=school.has_sixth_form if school else False)
        if not st.form_submit_button("Save the school", type="primary"):
            return
    problems = [Problem("URN", "must be 6 digits")] if not URN_PATTERN.fullmatch(str(urn).strip()) else []
    problems += [Problem(field, "is blank") for field, value in (("Name", name), ("Local authority", la)) if not value]
    if problems:
        raise InvalidInput(problems)
    row = {"urn": str(urn).strip(), "name": name.strip(), "la": la.strip(), "phase": phase, "type": school_type}
    row |= {"pupils": pupils, "fsm_pct": fsm, "sen_support_pct": support, "ehcp_pct": ehcp}
    row |= {"resourced_provision": resourced, "has_nursery": nursery, "has_sixth_form": sixth_form}
    upsert_schools(db, actor, pd.DataFrame([row]), demo=bool(school and school.demo))
    _done(f"Saved {name.strip()} ({row['urn']}).")


def _groups(db: Database, actor: Actor, register: list[School]) -> None:
    st.markdown(
        "A group (a cluster, a trust, a partnership) is another set of schools to compare with, on the "
        "**Compare with similar schools** page. School users see a group's name and size, never its members."
    )
    found = groups.list_groups(db, actor)
    if found:
        rows = {"Group": [g.name for g in found], "LA": [g.la for g in found], "Schools": [g.size for g in found]}
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    names = {s.urn: f"{s.name} ({s.urn})" for s in register}
    by_id = {g.id: g for g in found}
    picked = st.selectbox(
        "Group", [0, *by_id], format_func=lambda i: by_id[i].name if i else "(a new group)", key="group_pick"
    )
    group = by_id.get(picked)
    members = groups.group_members(db, actor, group.id) if group else []
    with st.form(f"group-{picked}"):
        name = st.text_input("Name of the group", value=group.name if group else "")
        la = group.la if group else actor.la
        if actor.role == "admin" and not group:
            la = st.selectbox("Local authority", sorted({s.la for s in register}), index=None)
        chosen = st.multiselect("Schools in the group", list(names), default=members, format_func=names.get)
        left, right = st.columns(2)
        save = left.form_submit_button("Save the group", type="primary")
        delete = right.form_submit_button("Delete the group", disabled=group is None)
    if save and group:
        groups.update_group(db, actor, group.id, name=name, urns=chosen)
        _done(f"Saved the group {name.strip()} with {len(chosen)} schools.")
    elif save:
        groups.create_group(db, actor, name, chosen, la=la)
        _done(f"Made the group {name.strip()} with {len(chosen)} schools.")
    elif delete and group:
        groups.delete_group(db, actor, group.id)
        _done(f"Deleted the group {group.name}.")


def _done(message: str) -> None:
    """Show the result above the refreshed tables."""
    st.session_state[_FLASH] = message
    st.rerun()
