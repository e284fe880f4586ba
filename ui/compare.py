"""Compare with similar schools: a school's self-review against its peers', as a prompt for conversation.

Everything shown comes from ``data.comparison.compare_school``, which has already anonymised the
peers for this user and withheld what small groups must not show; the page only draws it. Each
chart has a text alternative (a sentence and a table), and shape and labels, never colour alone,
tell the school apart from its peers. The URL holds urn, framework, cycle and peers, so a link or
a refresh shows the same comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data import frameworks, groups, reviews
from data.access import Actor
from data.comparison import PROMPT, Comparison, Measure, TrendRow, comparable_schools, compare_school, cycles_for
from data.db import Database
from exports.comparison_workbook import comparison_workbook
from scoring.peers import MIN_FULL, MIN_SUMMARY
from scoring.senco_time import SURVEY_LABEL
from ui.auth import require_actor
from ui.context import friendly_errors, get_db

SCHOOL = "#b54708"  # dark orange diamond: this school
SCHOOL_TEXT = "#7a2e05"  # its labels, dark enough for AA contrast on white
PEERS = "#1f4e79"  # dark blue: the peers' box and points
MEDIAN = "#111111"
# long domain titles would push every figure off a phone screen
FIRST_COLUMN = {name: st.column_config.TextColumn(name, width="medium") for name in ("Domain", "Measure")}
LEVEL_WORDS = {"full": "all peers", "summary": "median and range only", "hidden": "not shown (too few)"}


def render() -> None:
    actor = require_actor()
    st.title("Compare with similar schools")
    st.caption(PROMPT)
    with friendly_errors():
        db = get_db()
        picked = _controls(db, actor)
        if picked is None:
            return
        comparison = compare_school(db, actor, *picked)
        _page(comparison)
        _download(db, actor, picked, comparison)


def _controls(db: Database, actor: Actor) -> tuple[str, str, str | None, str] | None:
    """School, framework, cycle and peer set, started from the URL and written back to it."""
    shown, private = comparable_schools(db, actor)
    register = {s.urn: s for s in shown}
    if private:
        st.caption(
            f"Not listed: schools in your LA that have not shared their reviews with the LA ({private}). "
            "Their results still count among other schools' peers, anonymised as “School A”, “School B”…"
        )
    if not register:
        st.info("There are no schools whose results you can see yet.")
        return None
    library = {fw.id: fw.title for fw in frameworks.list_frameworks(db)}
    asked = st.query_params
    top = st.columns(2)
    urns = list(register)
    urn = top[0].selectbox(
        "School",
        urns,
        index=urns.index(asked["urn"]) if asked.get("urn") in register else 0,
        format_func=lambda u: f"{register[u].name} (URN {u})",
        disabled=len(urns) == 1,
    )
    ids = list(library)
    latest = _latest_self_review(db, actor, urn)
    opening = asked.get("framework") if asked.get("framework") in library else latest[0] if latest else ids[0]
    framework_id = top[1].selectbox(
        "Framework",
        ids,
        index=ids.index(opening) if opening in library else 0,
        format_func=library.get,
    )
    cycles, default = cycles_for(db, actor, urn, framework_id)
    choices = groups.peer_choices(db, actor, register[urn])
    bottom = st.columns(2)
    latest_cycle = latest[1] if latest and latest[0] == framework_id and latest[1] in cycles else default
    wanted_cycle = asked.get("cycle") if asked.get("cycle") in cycles else latest_cycle
    cycle = bottom[0].selectbox(
        "Review cycle", cycles, index=cycles.index(wanted_cycle) if wanted_cycle else None, key=f"cycle-{framework_id}"
    )
    options = list(choices)
    peers = bottom[1].selectbox(
        "Compare with",
        options,
        index=options.index(asked["peers"]) if asked.get("peers") in choices else 0,
        format_func=choices.get,
        key=f"peers-{urn}",
    )
    for key, known in (("urn", register), ("framework", library), ("peers", choices)):
        if asked.get(key) and asked[key] not in known:
            st.warning(f"The link asked for {key} {asked[key]}, which is not one you can use here; showing another.")
    st.query_params.update(
        {"urn": urn, "framework": framework_id, "peers": peers} | ({"cycle": cycle} if cycle else {})
    )
    if not cycles:
        st.info(f"No school has a self-review of {library[framework_id]} yet, so there is nothing to compare.")
        return None
    return urn, framework_id, cycle, peers


def _latest_self_review(db: Database, actor: Actor, urn: str) -> tuple[str, str] | None:
    """The framework and cycle of the school's latest self-review, which the page opens on."""
    found = reviews.list_reviews(db, actor, school_urn=urn, role="self")
    if not found:
        return None
    latest = max(found, key=lambda r: (r.cycle, r.updated_at, r.id))
    return latest.framework_id, latest.cycle


def _page(c: Comparison) -> None:
    st.header(f"{c.school_name} · {c.framework_title} · {c.cycle}", anchor=False)
    st.markdown(c.summary())
    if c.own_status == "draft":
        st.info(f"This school's self-review for {c.cycle} is still in progress: its results so far are shown.")
    elif c.own_status is None:
        st.warning(f"This school has no self-review of this framework in {c.cycle}: only the peers are shown.")

    o = c.overall
    cols = st.columns(4)
    cols[0].metric("This school, overall", o.show(o.value), o.band, delta_color="off", delta_arrow="off")
    cols[1].metric("Peer median", o.show(o.peers.median) if o.peers.median is not None else "–")
    at_or_above = f"{o.peers.percentile:.0f}%" if o.peers.percentile is not None else "–"
    cols[2].metric("At or above", at_or_above, help=f"The share of {c.noun} whose result is at or below this school's.")
    cols[3].metric("Peers with a result", f"{c.with_result} of {len(c.peers)}")
    st.markdown(o.sentence(c.noun))
    if o.peers.percentile is not None:
        st.caption(
            f"“At or above {at_or_above}” means this school's result is as high as, or higher than, the results of "
            f"{at_or_above} of the {c.noun} that have one. 100% would be the highest; 50% the middle."
        )

    st.header("By domain", anchor=False)
    measures = [c.overall, *c.domains]
    st.plotly_chart(comparison_chart(measures), config={"displayModeBar": False})
    st.caption(
        f"Diamond: this school. Box: the middle half of the peers, with each peer as a dot; bar: the peer median. "
        f"With {MIN_SUMMARY} to {MIN_FULL - 1} peers only the median and range are drawn; with fewer than "
        f"{MIN_SUMMARY}, nothing. Where the peers are anonymised, only the rounded median and range are drawn, "
        'never a peer\'s own value. "At or above X%" is the share of peers whose percent is at or below this '
        "school's (the DfE benchmarking tool's definition)."
    )
    st.dataframe(measure_table(measures, "Percent"), hide_index=True, width="stretch", column_config=FIRST_COLUMN)
    with st.expander("Every domain in words"):
        st.markdown("\n".join(f"- {m.sentence(c.noun)}" for m in c.domains))
    with st.expander(f"Who {c.school_name} is compared with ({len(c.peers)} schools)"):
        if not c.names_shown:
            st.caption("Peer schools are not named to school users: each has a letter, in an order that means nothing.")
        st.dataframe(
            pd.DataFrame(
                {
                    "School": [p.label for p in c.peers],
                    **({"URN": [p.urn or "" for p in c.peers]} if any(p.urn for p in c.peers) else {}),
                    f"Self-review submitted in {c.cycle}": ["Yes" if p.has_result else "No" for p in c.peers],
                }
            ),
            hide_index=True,
        )

    _senco(c)
    _trend(c)


def _senco(c: Comparison) -> None:
    st.header("SENCO time", anchor=False)
    s = c.senco
    if s is None:
        st.caption(
            f"No protected SENCO hours are recorded for this school in {c.cycle}: they come from the "
            "SENCO role audit's question on protected hours a week."
        )
        return
    sen = f", about {s.sen_pupils:.0f} on the SEN register" if s.sen_pupils is not None else ""
    roll = f"{s.pupils:.0f} pupils on roll{sen}" if s.pupils is not None else "pupils on roll not recorded"
    st.markdown(f"From this school's answer in its {s.source} ({roll}).")
    st.dataframe(
        measure_table(list(s.measures), "This school"), hide_index=True, width="stretch", column_config=FIRST_COLUMN
    )
    st.markdown("\n".join(f"- {m.sentence(c.noun)}" for m in s.measures))
    st.markdown(f"**Published figures: {SURVEY_LABEL}.** Reference points to discuss, not targets. {s.note}")
    st.markdown("\n".join(f"- **{f.year}:** {f.finding} *Source: {f.source}.*" for f in s.survey))


def _trend(c: Comparison) -> None:
    st.header("Over the years", anchor=False)
    rows = list(c.trend)
    cycles = sorted({t.cycle for t in rows})
    if len(cycles) < 2:
        st.caption("A trend needs results from at least two review cycles.")
        return
    titles = {t.measure_id: t.title for t in rows}
    measure_id = st.selectbox("Show", list(titles), format_func=titles.get, key="trend_measure")
    chosen = [t for t in rows if t.measure_id == measure_id]
    st.plotly_chart(trend_chart(chosen), config={"displayModeBar": False})
    st.caption(trend_sentence(chosen) + " The peers are today's peer set, with their results in each cycle.")
    st.dataframe(trend_table(rows), hide_index=True, width="stretch", column_config=FIRST_COLUMN)


def _download(db: Database, actor: Actor, picked: tuple, c: Comparison) -> None:
    st.header("Download", anchor=False)
    st.download_button(
        "The comparison as a workbook (.xlsx)",
        data=lambda: comparison_workbook(compare_school(db, actor, *picked, action="export").to_json()),
        file_name=f"send-review-comparison-{c.urn}-{c.cycle.replace('/', '-')}.xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


# --- charts and their text alternatives (pure, so tests can inspect them) -------------------------


def comparison_chart(measures: Sequence[Measure]) -> go.Figure:
    """One row per measure: the peers (box and dots, or median and range), and this school as a diamond.

    One trace per kind of mark, not per row: a figure of a few traces builds and draws quickly.
    """
    rows = {m.id: _row_label(m) for m in measures}
    full = [m for m in measures if m.peers.level == "full" and m.peers.values]
    # median and range only: small groups, and anonymised peers (whose own values are never handed out)
    summary = [m for m in measures if m.peers.level == "summary" or (m.peers.level == "full" and not m.peers.values)]
    medians = [m for m in measures if m.peers.median is not None]
    mine = [m for m in measures if m.value is not None]
    ranges_x = [x for m in summary for x in (m.peers.low, m.peers.high, None)]
    ranges_y = [y for m in summary for y in (rows[m.id], rows[m.id], None)]
    traces = [
        go.Box(
            x=[v for m in full for v in m.peers.values], y=[rows[m.id] for m in full for _ in m.peers.values],
            orientation="h", boxpoints="all", jitter=0.5, pointpos=0, name="Peers (box: middle half)",
            marker={"color": PEERS, "size": 5, "opacity": 0.55}, line={"color": PEERS},
            fillcolor="rgba(31,78,121,0.12)", hoverinfo="x",
        ),
        go.Scatter(
            x=ranges_x, y=ranges_y, mode="lines+markers", name="Peer range (lowest to highest)",
            line={"color": PEERS, "width": 3}, marker={"symbol": "line-ns-open", "size": 14, "color": PEERS},
            hoverinfo="x",
        ),
        go.Scatter(
            x=[m.peers.median for m in medians], y=[rows[m.id] for m in medians], mode="markers", name="Peer median",
            marker={"symbol": "line-ns-open", "size": 26, "color": MEDIAN, "line": {"width": 3}},
            hovertemplate="Peer median %{x:.0f}%<extra></extra>",
        ),
        go.Scatter(
            x=[m.value for m in mine], y=[rows[m.id] for m in mine], mode="markers+text", name="This school",
            text=[f"{m.value:.0f}%" for m in mine], textposition="top center",
            marker={"symbol": "diamond", "size": 15, "color": SCHOOL, "line": {"color": "white", "width": 1}},
            textfont={"color": SCHOOL_TEXT, "size": 12}, hovertemplate="This school %{x:.1f}%<extra></extra>",
        ),
    ]  # fmt: skip
    fig = go.Figure([t for t in traces if t.x])
    fig.update_layout(
        boxmode="overlay",
        xaxis={"range": [-2, 104], "title": "Percent of the top level", "ticksuffix": "%"},
        yaxis={
            "automargin": True,
            "autorange": "reversed",
            "categoryorder": "array",
            "categoryarray": list(rows.values()),
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        height=110 + 52 * max(len(measures), 1),
    )
    return fig


def _row_label(m: Measure) -> str:
    """The row's title, wrapped, with a word when the peers are not shown: the chart must not rely on absence."""
    words, lines, line = m.title.split(), [], ""
    for word in words:
        if line and len(line) + len(word) > 28:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if m.peers.level == "hidden":
        lines.append("(too few peers to compare)")
    return "<br>".join(lines)


def measure_table(measures: Sequence[Measure], value_label: str) -> pd.DataFrame:
    """The chart as a table: the school's value, the peers' median and range, and where the school stands."""
    return pd.DataFrame(
        {
            "Measure" if value_label != "Percent" else "Domain": [m.title for m in measures],
            value_label: [m.show(m.value) for m in measures],
            "Band": [m.band or "" for m in measures] if any(m.band for m in measures) else None,
            "Peer median": [m.show(m.peers.median) if m.peers.median is not None else "–" for m in measures],
            "Peer range": [
                f"{m.show(m.peers.low)} to {m.show(m.peers.high)}" if m.peers.low is not None else "–" for m in measures
            ],
            "At or above (share of peers)": [
                f"{m.peers.percentile:.0f}%" if m.peers.percentile is not None else "–" for m in measures
            ],
            "Peers with a result": [m.peers.n for m in measures],
            "Shown": [LEVEL_WORDS[m.peers.level] for m in measures],
        }
    ).dropna(axis="columns", how="all")


def trend_chart(rows: Sequence[TrendRow]) -> go.Figure:
    """This school (solid line, circles) and the peer median (dashed line, squares) per cycle."""
    cycles = [t.cycle for t in rows]
    fig = go.Figure(
        [
            go.Scatter(
                x=cycles, y=[t.value for t in rows], name="This school", mode="lines+markers+text",
                text=[_pct(t.value) for t in rows], textposition="top center", line={"color": SCHOOL, "width": 3},
                textfont={"color": SCHOOL_TEXT, "size": 12},
                marker={"symbol": "circle", "size": 10},
            ),
            go.Scatter(
                x=cycles, y=[t.peer_median for t in rows], name="Peer median", mode="lines+markers",
                line={"color": PEERS, "width": 2, "dash": "dash"}, marker={"symbol": "square", "size": 9},
            ),
        ]
    )  # fmt: skip
    fig.update_layout(
        yaxis={"range": [0, 105], "title": "Percent of the top level", "ticksuffix": "%"},
        xaxis={"type": "category", "title": "Review cycle"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        height=320,
    )
    return fig


def trend_sentence(rows: Sequence[TrendRow]) -> str:
    """The trend chart in words, cycle by cycle."""
    if not rows:
        return "No results yet."
    parts = [
        f"{t.cycle}: this school {_pct(t.value) or 'no result'}, peer median {_pct(t.peer_median) or 'not shown'}"
        for t in rows
    ]
    return f"{rows[0].title}. " + "; ".join(parts) + "."


def trend_table(rows: Sequence[TrendRow]) -> pd.DataFrame:
    """One row per domain, one column per cycle: "70% (peer median 63%, 30 peers)"."""
    cells: dict[str, dict[str, str]] = {}
    for t in rows:
        median = f"peer median {_pct(t.peer_median)}" if t.peer_median is not None else "peers not shown"
        cells.setdefault(t.title, {})[t.cycle] = f"{_pct(t.value) or 'no result'} ({median}, {t.peer_count} peers)"
    cycles = sorted({t.cycle for t in rows})
    return pd.DataFrame([{"Domain": title, **{c: by.get(c, "") for c in cycles}} for title, by in cells.items()])


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"
