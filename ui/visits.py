"""Peer review visits: the visits you can see, setting one up, and one visit's team, lines of enquiry
and plan and log. Moderation and self versus agreed are pages of their own (ui/moderation.py,
ui/self_vs_agreed.py). Who may see and change what is decided in data/, never here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pandas as pd
import streamlit as st

from data import assignments, frameworks, moderation, schools, visits
from data.access import Actor
from data.db import Database
from ui import nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db, query_int
from ui.start_review import recent_cycles


def render() -> None:
    actor = require_actor()
    with friendly_errors():
        db = get_db()
        visit_id = query_int("visit")
        if visit_id is not None:
            _one_visit(db, actor, visits.get_visit(db, actor, visit_id))
            return
        st.title("Peer review visits")
        st.markdown(
            "A visit is where a small team (peer reviewers from other schools, sometimes an LA advisor) "
            "rates the school on its own, then agrees a judgement with the school. The report belongs to the school."
        )
        visit_table(visits.list_visits(db, actor))
        if visits.may_set_up(actor):
            _set_up(db, actor)


def visit_table(found: list[visits.Visit]) -> None:
    """The visits as a table with links, also used on Home."""
    if not found:
        st.caption("No visits that you can see yet.")
        return
    frame = pd.DataFrame(
        {
            "School": [v.school_name for v in found],
            "Cycle": [v.cycle for v in found],
            "Visit": [v.starts_on.strftime("%d %b %Y") for v in found],
            "Lead": [v.lead.name if v.lead else "" for v in found],
            "Status": ["Closed: agreed review submitted" if v.closed else "Open" for v in found],
            "Open": [f"/visits?visit={v.id}" for v in found],
            "Moderation": [f"/moderation?visit={v.id}" for v in found],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "Open": st.column_config.LinkColumn("Open", display_text="Open visit"),
            "Moderation": st.column_config.LinkColumn("Moderation", display_text="Moderation"),
        },
    )


def _set_up(db: Database, actor: Actor) -> None:
    st.header("Set up a visit", anchor=False)
    options = {s.urn: s.name for s in schools.list_schools(db, actor)}
    if not options:
        st.caption("There is no school you can set a visit up for.")
        return
    urn = st.selectbox("School", list(options), format_func=lambda u: f"{options[u]} (URN {u})", key="visit-school")
    cycle = st.selectbox("Review cycle", recent_cycles(date.today()), key="visit-cycle")
    chosen = {fw.id: fw for fw in frameworks.list_frameworks(db)}
    framework_id = st.selectbox("Framework", list(chosen), format_func=lambda f: chosen[f].title, key="visit-fw")
    first, last = st.columns(2)
    starts = first.date_input("First day of the visit", key="visit-start", format="DD/MM/YYYY")
    ends = last.date_input("Last day", value=starts, key="visit-end", format="DD/MM/YYYY")
    assigned = [
        a.peer_email for a in assignments.list_assignments(db, actor, cycle=cycle) if a.school_urn == urn and a.live
    ]
    candidates = assigned + ([actor.email] if actor.role == "la" else [])
    if not assigned:
        st.caption(
            f"No peer reviewer is assigned to {options[urn]} for {cycle} yet: assign them on the Peer reviews page."
        )
    team = st.multiselect("Review team", candidates, key="visit-team")
    lead = st.selectbox("Lead reviewer", team or [""], key="visit-lead")
    contact = st.text_input("The school's contact for the visit (a role or staff name)", key="visit-contact")
    if st.button("Set up the visit", type="primary", key="visit-create"):
        visit_id = visits.create_visit(
            db,
            actor,
            school_urn=urn,
            cycle=cycle,
            framework=chosen[framework_id],
            starts_on=starts,
            ends_on=ends,
            team=team,
            lead=lead or "",
            school_contact=contact,
        )
        nav.go("visits", visit=visit_id)


def _one_visit(db: Database, actor: Actor, visit: visits.Visit) -> None:
    st.title(f"Visit to {visit.school_name}")
    st.caption(
        f"{visit.cycle} · {visit.starts_on:%d %b %Y}"
        + (f" to {visit.ends_on:%d %b %Y}" if visit.ends_on != visit.starts_on else "")
        + (f" · school contact: {visit.school_contact}" if visit.school_contact else "")
        + (" · closed: the agreed review is submitted" if visit.closed else "")
    )
    links = st.columns(3)
    links[0].page_link(
        nav.page("moderation"), label="Moderation", icon=":material/balance:", query_params={"visit": visit.id}
    )
    links[1].page_link(
        nav.page("self-vs-agreed"),
        label="Self versus agreed",
        icon=":material/compare:",
        query_params={"visit": visit.id},
    )
    st.header("Team", anchor=False)
    st.table(
        pd.DataFrame(
            {
                "Member": [m.name + (" (lead)" if m.lead else "") for m in visit.members],
                "As": ["LA advisor" if m.role == "la" else "Peer reviewer" for m in visit.members],
                "Their rating": [
                    "Submitted" if m.submitted else "In progress" if m.review_id else "Not started"
                    for m in visit.members
                ],
            }
        )
    )
    member = visit.member(actor.id)
    if member is not None and not visit.closed:
        label = "Continue my rating" if member.review_id else "Start my rating"
        if st.button(label, type="primary", key=f"visit-rate-{visit.id}"):
            nav.go("review", review=moderation.start_rating(db, actor, visit.id))
        st.caption("Rate on your own: the rest of the team sees your ratings only once you submit them.")
    _enquiries(db, actor, visit)
    if visits.may(actor, visit, "read", "plan"):
        _plan(db, actor, visit)


def _enquiries(db: Database, actor: Actor, visit: visits.Visit) -> None:
    st.header("Lines of enquiry", anchor=False)
    if not visits.may(actor, visit, "read", "enquiry"):
        st.caption("The review team shares its lines of enquiry with the school before the visit.")
        return
    framework = frameworks.get_framework(db, visit.framework_id, visit.framework_version)
    titles = {d.id: d.title for d in framework.domains}
    lines = visits.list_enquiries(db, actor, visit.id)
    for domain_id, title in titles.items():
        mine = [x.text for x in lines if x.domain_id == domain_id]
        if mine:
            st.markdown(f"**{title}**\n" + "\n".join(f"- {t}" for t in mine))
    if not lines:
        st.caption("None written yet.")
    st.caption(
        f"The school sees them from {visit.enquiry_release_on:%d %b %Y}."
        if visit.enquiry_release_on
        else "The school does not see them yet: the lead sets the day."
    )
    if not visits.may(actor, visit, "write", "enquiry"):
        return
    if lines:
        _remove_one(
            f"enquiry-{visit.id}",
            "Remove a line of enquiry",
            {x.id: f"{titles.get(x.domain_id, x.domain_id)}: {x.text}" for x in lines},
            lambda line_id: visits.remove_enquiry(db, actor, visit.id, line_id),
        )
    with st.form(f"enquiry-{visit.id}", clear_on_submit=True):
        domain_id = st.selectbox("Domain", list(titles), format_func=titles.get)
        text = st.text_area(
            "Line of enquiry", placeholder="How does the SENCO know support-plan reviews happen on time?"
        )
        if st.form_submit_button("Add line of enquiry"):
            visits.add_enquiry(db, actor, visit.id, framework, domain_id, text)
            st.rerun()
    lead = visit.lead
    if lead is not None and lead.user_id == actor.id:
        on = st.date_input(
            "Release to the school on", value=visit.enquiry_release_on, key=f"release-{visit.id}", format="DD/MM/YYYY"
        )
        if st.button("Set release date", key=f"release-btn-{visit.id}"):
            visits.release_enquiries(db, actor, visit.id, on)
            st.rerun()


def _plan(db: Database, actor: Actor, visit: visits.Visit) -> None:
    st.header("Visit plan and log", anchor=False)
    done = visits.list_activities(db, actor, visit.id)
    if done:
        st.dataframe(
            pd.DataFrame(
                {
                    "When": [a.at.strftime("%d %b %Y %H:%M") for a in done],
                    "Activity": [visits.ACTIVITY_KINDS.get(a.kind, a.kind) for a in done],
                    "Team member": [a.member_name for a in done],
                    "Who was met (by role)": [", ".join(visits.MET_ROLES.get(m, m) for m in a.met) for a in done],
                    "Notes": [a.notes for a in done],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("Nothing planned yet.")
    if not visits.may(actor, visit, "write", "plan"):
        return
    if done:
        _remove_one(
            f"activity-{visit.id}",
            "Remove from the plan",
            {a.id: f"{a.at:%d %b %Y %H:%M} · {visits.ACTIVITY_KINDS.get(a.kind, a.kind)}" for a in done},
            lambda activity_id: visits.remove_activity(db, actor, visit.id, activity_id),
        )
    with st.form(f"activity-{visit.id}", clear_on_submit=True):
        kind = st.selectbox("Activity", list(visits.ACTIVITY_KINDS), format_func=visits.ACTIVITY_KINDS.get)
        day, at = st.columns(2)
        when_day = day.date_input("Day", value=visit.starts_on, format="DD/MM/YYYY")
        when_time = at.time_input("Time", value=time(9, 0))
        names = {m.user_id: m.name for m in visit.members}
        member_id = st.selectbox("Team member", list(names), format_func=names.get)
        met = st.multiselect("Who was met, by role", list(visits.MET_ROLES), format_func=visits.MET_ROLES.get)
        st.caption(visits.NO_NAMES)
        notes = st.text_area("Notes (" + visits.NO_NAMES[0].lower() + visits.NO_NAMES[1:] + ")")
        if st.form_submit_button("Add to the plan"):
            visits.add_activity(
                db,
                actor,
                visit.id,
                kind=kind,
                at=datetime.combine(when_day, when_time),
                member_id=member_id,
                met=met,
                notes=notes,
            )
            st.rerun()


def _remove_one(key: str, label: str, choices: dict[int, str], remove: Callable[[int], None]) -> None:
    """Pick one entry and remove it: a line or an activity written in error should not stay in the record."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        label, list(choices), format_func=choices.get, index=None, placeholder="Choose one", key=f"remove-{key}"
    )
    if right.button("Remove", key=f"remove-btn-{key}", disabled=chosen is None) and chosen is not None:
        remove(chosen)
        st.rerun()
