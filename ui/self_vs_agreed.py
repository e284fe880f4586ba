"""Self versus agreed: each domain's self-review percent against the agreed judgement, as a chart, a
table and a sentence per domain: the calibration a SENCO learns most from."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data import moderation, visits
from scoring.agreement_words import self_versus_agreed
from ui.auth import require_actor
from ui.context import friendly_errors, get_db, query_int
from ui.visits import visit_table

SELF, AGREED = "#7a5195", "#1f4e79"


def render() -> None:
    actor = require_actor()
    with friendly_errors():
        db = get_db()
        visit_id = query_int("visit")
        if visit_id is None:
            st.title("Self versus agreed")
            st.caption("Choose a visit whose agreed review is submitted.")
            visit_table([v for v in visits.list_visits(db, actor) if v.closed])
            return
        found = moderation.moderation(db, actor, visit_id)
        st.title(f"Self versus agreed: {found.visit.school_name}")
        st.caption(f"{found.framework.title} · {found.visit.cycle}")
        own, agreed = found.score("self"), found.score("agreed")
        if own is None or agreed is None:
            st.info("This needs the school's submitted self-review and the agreed review of the visit.")
            return
        rows = self_versus_agreed(found.framework, own, agreed)
        for row in rows:
            st.markdown(f"- {row['sentence']}")
        st.plotly_chart(comparison_chart(rows), config={"displayModeBar": False})
        st.dataframe(
            pd.DataFrame(
                {
                    "Domain": [r["domain"] for r in rows],
                    "Self-review": [_cell(r["self_percent"], r["self_band"]) for r in rows],
                    "Agreed": [_cell(r["agreed_percent"], r["agreed_band"]) for r in rows],
                    "Bands apart (self minus agreed)": [r["band_gap"] for r in rows],
                }
            ),
            hide_index=True,
        )


def _cell(percent: float | None, band: str) -> str:
    return band if percent is None else f"{percent:.0f}% · {band}"


def comparison_chart(rows: list[dict]) -> go.Figure:
    """Paired horizontal bars per domain, each labelled with its percent and band in words."""
    figure = go.Figure()
    for name, key, band, colour, pattern in (
        ("Self-review", "self_percent", "self_band", SELF, "/"),
        ("Agreed", "agreed_percent", "agreed_band", AGREED, ""),
    ):
        figure.add_bar(
            name=name,
            y=[r["domain"] for r in rows],
            x=[r[key] for r in rows],
            orientation="h",
            text=[_cell(r[key], r[band]) + f" ({name.lower()})" for r in rows],
            textposition="auto",
            cliponaxis=False,
            marker={"color": colour, "pattern": {"shape": pattern}},
        )
    figure.update_layout(
        barmode="group",
        xaxis={
            "range": [0, 125],
            "tickvals": [0, 25, 50, 75, 100],
            "title": "Percent of the top level",
            "ticksuffix": "%",
        },
        yaxis={"automargin": True, "autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        height=100 + 70 * max(len(rows), 1),
        legend={"orientation": "h"},
    )
    return figure
