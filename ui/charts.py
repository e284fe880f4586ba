"""Chart builders: pure functions from scores to Plotly figures, so tests can inspect them.

Colour never carries meaning alone: each bar is labelled with its percent and band in words.
"""

from __future__ import annotations

import plotly.graph_objects as go

from scoring import ReviewScore

BAR = "#1f4e79"
LIMITED = "#b54708"


def domain_chart(score: ReviewScore) -> go.Figure:
    """Sorted horizontal bars of domain percents, each labelled '62% · Established'."""
    scored = [d for d in score.domains if d.percent is not None]
    scored.sort(key=lambda d: d.percent or 0)
    labels = [f"{d.percent:.0f}% · {d.band}" + (" (limited)" if d.limited else "") for d in scored]
    fig = go.Figure(
        go.Bar(
            x=[d.percent for d in scored],
            y=[d.title for d in scored],
            orientation="h",
            text=labels,
            textposition="outside",
            marker={
                "color": [LIMITED if d.limited else BAR for d in scored],
                "pattern": {"shape": ["/" if d.limited else "" for d in scored]},
            },
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"range": [0, 118], "title": "Percent of the top level", "ticksuffix": "%"},
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        height=80 + 42 * max(len(scored), 1),
        showlegend=False,
    )
    return fig


def domain_chart_summary(score: ReviewScore) -> str:
    """The chart in one sentence, for screen readers and for anyone who prefers words."""
    scored = [d for d in score.domains if d.percent is not None]
    if not scored:
        return "No domain has enough answers to be scored yet."
    best = max(scored, key=lambda d: d.percent or 0)
    worst = min(scored, key=lambda d: d.percent or 0)
    limited = [d.title for d in score.domains if d.limited]
    noun = "domain" if len(scored) == 1 else "domains"
    sentence = (
        f"{len(scored)} {noun} scored. Highest: {best.title} at {best.percent:.0f}% ({best.band}). "
        f"Lowest: {worst.title} at {worst.percent:.0f}% ({worst.band})."
    )
    if limited:
        sentence += " Limited by an unmet statutory duty: " + ", ".join(limited) + "."
    duties = [f"{d.title} ({d.duties_words})" for d in score.domains if d.duties_only]
    if duties:
        sentence += " Statutory duties only, with no level: " + ", ".join(duties) + "."
    return sentence
