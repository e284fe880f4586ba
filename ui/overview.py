"""LA overview: every school of the authority by domain, flags, themes, change and completion, for LA
advisors and administrators.

All of it comes from ``data.overview.la_overview``, which has already applied the access policy (only
the advisor's LA; a school that does not share with its LA is counted, never named) and withheld what
small groups must not show; the page only filters and draws. Each table sorts by any column; the heat
map's cells say their band in words as well as in colour, and the whole map is also a plain table.
The URL keeps framework, cycle (and an admin's LA), so a link or a refresh shows the same view.
"""

from __future__ import annotations

import streamlit as st

from data import frameworks
from data.access import Actor, NotFound
from data.db import Database
from data.overview import Overview, la_overview, overview_las
from exports.overview_workbook import overview_csv, overview_workbook
from scoring.flags import CODES
from scoring.themes import MIN_GROUP
from ui import overview_tables as tables
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

NAME_LINK = st.column_config.LinkColumn("School", display_text=r"school=(.*)$", width="medium")
WIDE = {"School": st.column_config.TextColumn("School", width="medium")}


def render() -> None:
    actor = require_actor()
    st.title("LA overview")
    st.caption(
        "Every school's self-review at a glance. Self-review results are each school's own judgement: "
        "read them as questions to ask, not as a ranking."
    )
    with friendly_errors():
        db = get_db()
        picked = _controls(db, actor)
        if picked is None:
            return
        overview = picked[3] if picked[3].cycle == picked[1] else la_overview(db, actor, *picked[:2], la=picked[2])
        _summary(overview)
        rows = tables.chosen(overview, _filters(overview))
        _heat_map(overview, rows)
        _flags(rows)
        _themes(overview)
        _change(overview, rows)
        _completion(overview, rows)
        _downloads(db, actor, picked, overview)


def _controls(db: Database, actor: Actor) -> tuple[str, str, str | None, Overview] | None:
    """Framework, cycle and (for an admin) LA from the URL, and the overview of the newest cycle."""
    library = {fw.id: fw.title for fw in frameworks.list_frameworks(db)}
    asked = st.query_params
    las = overview_las(db, actor)
    if not las:
        st.info("There are no schools in your LA yet.")
        return None
    cols = st.columns(3)
    la = None
    if actor.role == "admin":
        la = cols[2].selectbox("Local authority", las, index=las.index(asked["la"]) if asked.get("la") in las else 0)
    ids = list(library)
    framework_id = cols[0].selectbox(
        "Framework",
        ids,
        index=ids.index(asked["framework"]) if asked.get("framework") in library else 0,
        format_func=library.get,
    )
    try:
        first = la_overview(db, actor, framework_id, la=la)
    except NotFound:
        st.info(f"No school in the LA has a self-review of {library[framework_id]} yet.")
        return None
    cycles = list(reversed(first.cycles))
    wanted = asked.get("cycle") if asked.get("cycle") in cycles else first.cycle
    cycle = cols[1].selectbox("Review cycle", cycles, index=cycles.index(wanted), key=f"cycle-{framework_id}")
    st.query_params.update({"framework": framework_id, "cycle": cycle} | ({"la": la} if la else {}))
    return framework_id, cycle, la, first


def _summary(o: Overview) -> None:
    c = o.completion
    cols = st.columns(4)
    cols[0].metric("Schools in the LA", c["schools"])
    cols[1].metric("Submitted this cycle", c["submitted"] + c["peer_reviewed"])
    cols[2].metric("Flags raised", sum(len(s.flags) for s in o.schools))
    cols[3].metric("Share with the LA", c["shared"])
    if o.not_named:
        st.caption(
            f"{o.not_named} {'school has' if o.not_named == 1 else 'schools have'} not chosen to share "
            "their reviews with the LA: they are counted in the figures below, never named or shown as a row."
        )


def _filters(o: Overview) -> tables.Filters:
    with st.expander("Filter the schools", expanded=False):
        cols = st.columns(3)
        phases = cols[0].multiselect("Phase", sorted({s.phase for s in o.schools}))
        types = cols[1].multiselect("Type", sorted({s.type for s in o.schools}))
        resourced = cols[2].radio(
            "Resourced provision", ["any", "yes", "no"], horizontal=True, format_func=str.capitalize
        )
        cols = st.columns(2)
        named = cols[0].multiselect("Named group", sorted({g for s in o.schools for g in s.groups}))
        bands = cols[1].multiselect("Has a domain in band", [*o.bands, tables.INSUFFICIENT])
    return tables.Filters(tuple(phases), tuple(types), resourced, tuple(named), tuple(bands))


def _heat_map(o: Overview, rows: list) -> None:
    st.header(f"Heat map · {o.framework_title} · {o.cycle}", anchor=False)
    st.markdown(
        f"{len(rows)} of {len(o.schools)} named schools shown. Each cell is the domain's band in words, "
        f"numbered from 1 (lowest) to {len(o.bands)}, with its percent, on a colour for that band; “(limited)” "
        "marks a band capped by an unmet statutory duty. A school's name opens its results."
    )
    columns = [*tables.SORTS, *(t for _, t in o.domains)]
    cols = st.columns([3, 1])
    by = cols[0].selectbox("Sort by", columns, key="overview-sort")
    descending = cols[1].toggle("Highest first", key="overview-desc")
    st.html(tables.heat_map_html(o, tables.sort_rows(o, rows, by, descending)))
    st.caption(" · ".join(f"{i + 1} {b}" for i, b in enumerate(o.bands)) + " · no result: no submitted self-review")
    with st.expander("The same as a grid (click a column to sort)"):
        st.dataframe(tables.heat_map(o, rows), hide_index=True, column_config={"School": NAME_LINK})


def _flags(rows: list) -> None:
    st.header("Flags", anchor=False)
    frame = tables.flags_table(rows)
    if frame.empty:
        st.markdown("No flags for the schools shown.")
        return
    counts = frame["Code"].value_counts()
    st.markdown("\n".join(f"- {CODES.get(code, code)}: {n}" for code, n in counts.items()))
    st.html(tables.flags_html(rows))
    with st.expander("The flags as a grid (click a column to sort)"):
        reason = {"Reason": st.column_config.TextColumn("Reason", width="large")}
        st.dataframe(frame.drop(columns="Code"), hide_index=True, width="stretch", column_config=WIDE | reason)


def _themes(o: Overview) -> None:
    st.header("Themes across the LA", anchor=False)
    st.caption(
        f"Every school of the LA counts here, named or not. A group of fewer than {MIN_GROUP} schools shows no "
        "figures, so that no school can be picked out."
    )
    since = f" (previous cycle {o.previous_cycle})" if o.previous_cycle else ""
    st.markdown(f"**Most often answered at the lowest level or “No”**{since}")
    if o.themes:
        st.markdown("\n".join(f"- {t.sentence()}" for t in o.themes))
    else:
        st.markdown("No criterion was answered at its lowest level by enough schools to show.")
    st.markdown("**Bands per domain** (schools in each band)")
    st.dataframe(tables.band_table(o), hide_index=True, width="stretch")
    with st.expander("Every question: how the schools answered"):
        st.dataframe(tables.answers_table(o), hide_index=True, width="stretch")


def _change(o: Overview, rows: list) -> None:
    st.header("Change since the last cycle", anchor=False)
    if o.previous_cycle is None:
        st.markdown(f"There is no cycle before {o.cycle} to compare with.")
    else:
        st.markdown(f"Bands in {o.cycle} against {o.previous_cycle}, every school of the LA counted:")
        st.dataframe(tables.change_counts_table(o), hide_index=True, width="stretch")
        with st.expander("Per school"):
            st.dataframe(tables.change_table(o, rows), hide_index=True, width="stretch", column_config=WIDE)
    st.markdown("**LA median per domain, cycle by cycle**")
    st.dataframe(tables.medians_table(o), hide_index=True, width="stretch")


def _completion(o: Overview, rows: list) -> None:
    st.header(f"Completion in {o.cycle}", anchor=False)
    c = o.completion
    st.markdown(
        f"Of {c['schools']} schools: {c['not_started']} not started, {c['in_progress']} in progress, "
        f"{c['submitted']} submitted, {c['peer_reviewed']} submitted and peer reviewed; "
        f"{c['shared']} share their reviews with the LA."
    )
    st.dataframe(
        tables.completion_table(rows),
        hide_index=True,
        width="stretch",
        column_config=WIDE | {"Last self-review submitted": st.column_config.DateColumn(format="D MMM YYYY")},
    )


def _downloads(db: Database, actor: Actor, picked: tuple, o: Overview) -> None:
    """Made only when clicked, through the export check (which the audit log records)."""
    st.header("Download", anchor=False)
    name = f"send-review-overview-{o.framework_id}-{o.cycle.replace('/', '-')}"

    def document() -> dict:
        return la_overview(db, actor, *picked[:2], la=picked[2], action="export").document()

    cols = st.columns(2)
    cols[0].download_button(
        "Overview workbook (.xlsx)",
        data=lambda: overview_workbook(document()),
        file_name=f"{name}.xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    cols[1].download_button(
        "Heat map (.csv)",
        data=lambda: overview_csv(document()),
        file_name=f"{name}.csv",
        icon=":material/download:",
        on_click="ignore",
    )
