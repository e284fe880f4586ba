"""Action plan: what the school will do before its next review. Suggestions from a review to accept, merge or
drop; the school's own actions; every field saved as it is typed; overdue first; filters; Excel download."""

from __future__ import annotations

from datetime import date

import streamlit as st

from data import action_plans, reviews
from data.access import Actor, today
from data.db import Database
from exports.action_plan_workbook import action_plan_workbook
from scoring.actions import ACTION_STATUSES
from ui.auth import current_actor
from ui.context import friendly_errors, get_db, query_int


def render() -> None:
    st.title("Action plan")
    actor = current_actor()
    if actor is None:
        return
    db = get_db()
    with friendly_errors():
        _page(db, actor)


def _page(db: Database, actor: Actor) -> None:
    schools = action_plans.plan_schools(db, actor)
    if not schools:
        st.info(
            "There is no action plan you can open: plans belong to schools, and a school shares its plan with "
            "its LA only when it shares its reviews."
        )
        return
    names = dict(schools)
    wanted = st.query_params.get("school")
    urn = st.selectbox(
        "School",
        list(names),
        format_func=lambda u: f"{names[u]} ({u})",
        index=list(names).index(wanted) if wanted in names else 0,
        disabled=len(names) == 1,
    )
    found = [r for r in reviews.list_reviews(db, actor, school_urn=urn) if r.role in ("self", "agreed")]
    cycles = sorted(
        {r.cycle for r in found} | {a.cycle for a in action_plans.list_actions(db, actor, urn)}, reverse=True
    )
    asked = query_int("review")
    picked = next((r for r in found if r.id == asked), None)
    if not cycles:
        st.info("This school has no review yet. Start a review: its results suggest the first actions.")
        return
    cycle = st.selectbox("Review cycle", cycles, index=cycles.index(picked.cycle) if picked else 0)
    source = picked or next(
        iter(
            sorted(
                (r for r in found if r.cycle == cycle),
                key=lambda r: (r.role != "agreed", r.status != "submitted", -r.id),
            )
        ),
        None,
    )
    editable = action_plans.may_edit(db, actor, urn)
    if editable and source is not None:
        _suggestions(db, actor, source)
    plan = action_plans.list_actions(db, actor, urn, cycle) + action_plans.open_earlier_actions(db, actor, urn, cycle)
    titles = action_plans.domain_titles(db, plan) or (
        {} if source is None else {d.id: d.title for d in _framework(db, source).domains}
    )
    st.header("Actions", anchor=False)
    _download(db, actor, urn, names[urn], cycle, titles)
    left, right = st.columns(2)
    domains = left.multiselect("Domain", sorted({a.domain_id for a in plan}), format_func=lambda d: titles.get(d, d))
    statuses = right.multiselect("Status", list(ACTION_STATUSES), format_func=ACTION_STATUSES.get)
    shown = [a for a in plan if (not domains or a.domain_id in domains) and (not statuses or a.status in statuses)]
    overdue = sum("Overdue" in a.flags() for a in plan)
    st.caption(f"{len(shown)} of {len(plan)} actions shown; {overdue} overdue. Overdue actions come first.")
    if not plan:
        st.caption("No actions yet. Accept a suggestion above or add your own below.")
    for a in shown:
        _action(db, actor, a, titles, editable, cycle)
    if editable:
        _add_own(db, actor, urn, cycle, source, titles)


def _framework(db: Database, review: reviews.Review):  # type: ignore[no-untyped-def]
    from data import frameworks

    return frameworks.get_framework(db, review.framework_id, review.framework_version)


def _suggestions(db: Database, actor: Actor, review: reviews.Review) -> None:
    offered = action_plans.suggestions_for(db, actor, review.id)
    st.header("Suggested actions", anchor=False)
    st.caption(
        f"From the {review.cycle} review (number {review.id}): unmet statutory duties first, then what "
        "costs the weakest domains most. Tick some, then accept, merge or drop them."
    )
    if not offered:
        st.caption("Nothing more to suggest from this review.")
        return
    chosen = [
        s.key
        for s in offered
        if st.checkbox(f"**{s.what}** ({s.domain_title}). {s.reason}", key=f"suggest-{review.id}-{s.key}")
    ]
    cols = st.columns(3)
    for col, label, merge, drop in (
        (cols[0], "Accept ticked", False, False),
        (cols[1], "Merge ticked into one", True, False),
        (cols[2], "Drop ticked", False, True),
    ):
        if col.button(label, disabled=not chosen or (merge and len(chosen) < 2), key=f"{label}-{review.id}"):
            action_plans.accept_suggestions(db, actor, review.id, chosen, merge=merge, drop=drop)
            st.rerun()


def _action(
    db: Database, actor: Actor, a: action_plans.Action, titles: dict[str, str], editable: bool, cycle: str
) -> None:
    flags = a.flags()
    label = f"{a.what[:90] or '(no description)'} · {ACTION_STATUSES[a.status]}"
    label += f" · {', '.join(flags)}" if flags else ""
    label += f" · from {a.cycle}" if a.cycle != cycle else ""
    with st.expander(label, expanded=False):
        if flags:
            st.warning("Flagged: " + ", ".join(flags) + ". Allowed, but worth a look.")
        key = f"action-{a.id}-{a.version}"

        def saved(name: str) -> dict:
            """The keyword arguments of a field saved as typed (widget key, read-only state, the save)."""
            return {
                "key": f"{key}-{name}",
                "disabled": not editable,
                "on_change": _save,
                "args": (db, actor, a, name, f"{key}-{name}"),
            }

        st.text_area(
            "What will be done",
            a.what,
            **saved("what"),
        )
        st.caption(f"Domain: {titles.get(a.domain_id, a.domain_id or '–')}. Criteria: {', '.join(a.criteria) or '–'}.")
        c1, c2, c3 = st.columns(3)
        c1.text_input(
            "Lead (a role or a name)",
            a.lead,
            **saved("lead"),
            help="A role such as 'SENCO' or a staff member's name. Never a pupil.",
        )
        c2.date_input(
            "Due",
            a.due_on,
            format="DD/MM/YYYY",
            **saved("due_on"),
        )
        c3.selectbox(
            "Status",
            list(ACTION_STATUSES),
            index=list(ACTION_STATUSES).index(a.status),
            format_func=ACTION_STATUSES.get,
            **saved("status"),
        )
        st.text_area(
            "Success criterion",
            a.success,
            **saved("success"),
        )
        for n in a.notes:
            st.markdown(f"*{n.noted_on:%d %b %Y}, {n.by}:* {n.text}")
        if editable:
            note = st.text_input("Progress note", key=f"note-{a.id}")
            left, right = st.columns(2)
            if left.button("Add note", key=f"add-note-{a.id}", disabled=not note.strip()):
                action_plans.add_note(db, actor, a.id, note)
                st.rerun()
            if right.button("Remove from plan", key=f"remove-{a.id}"):
                action_plans.remove_action(db, actor, a.id)
                st.rerun()


def _save(db: Database, actor: Actor, a: action_plans.Action, name: str, key: str) -> None:
    """on_change: the field as typed, or a message when someone else saved this action first."""
    value = st.session_state[key]
    with friendly_errors():
        result = action_plans.update_action(db, actor, a.id, seen_version=a.version, **{name: value})
        if not result.saved:
            st.session_state["plan-message"] = "Someone saved this action since you opened it: shown now is theirs."


def _add_own(db: Database, actor: Actor, urn: str, cycle: str, source, titles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    st.header("Add your own action", anchor=False)
    with st.form("own-action", clear_on_submit=True):
        what = st.text_area("What will be done")
        domain = st.selectbox("Domain", ["", *titles], format_func=lambda d: titles.get(d, "(none)"))
        lead = st.text_input("Lead (a role or a name)")
        due: date | None = st.date_input("Due", None, format="DD/MM/YYYY")
        success = st.text_area("Success criterion")
        if st.form_submit_button("Add action"):
            action_plans.add_action(
                db,
                actor,
                urn,
                cycle,
                what=what,
                domain_id=domain,
                lead=lead,
                due_on=due,
                success=success,
                review_id=source.id if source else None,
                framework_id=source.framework_id if source else "",
            )
            st.rerun()


def _download(db: Database, actor: Actor, urn: str, school: str, cycle: str, titles: dict[str, str]) -> None:
    st.download_button(
        "Action plan (.xlsx)",
        data=lambda: action_plan_workbook(action_plans.export_actions(db, actor, urn, cycle), titles, school, today()),
        file_name=f"send-review-action-plan-{urn}-{cycle.replace('/', '-')}.xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    if message := st.session_state.pop("plan-message", None):
        st.warning(message)
