"""Static chart images for the report (matplotlib, Agg backend: no display, no network).

Every chart labels its values in text on the chart and comes with a sentence, so neither colour nor
the image carries meaning alone.
"""

from __future__ import annotations

import textwrap
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

DPI = 110
BAR = "#1F4E79"
PEER = "#9DB7D5"
LABEL_WIDTH = 34


def _png(fig: Figure) -> bytes:
    out = BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def _labels(titles: list[str]) -> list[str]:
    return ["\n".join(textwrap.wrap(t, LABEL_WIDTH, max_lines=2, placeholder="…")) or "–" for t in titles]


def bars_chart(titles: list[str], values: list[float | None], notes: list[str]) -> bytes:
    """Horizontal bars of percents, each labelled with its number and band; a missing value has no bar."""
    height = 0.5 + 0.45 * max(len(titles), 1)
    fig, ax = plt.subplots(figsize=(6.4, height))
    rows = list(range(len(titles)))[::-1]
    ax.barh(rows, [v or 0 for v in values], color=BAR, height=0.6)
    for y, value, note in zip(rows, values, notes, strict=True):
        text = note if value is None else f"{value:.1f}%  {note}"
        ax.text((value or 0) + 1, y, text, va="center", fontsize=8)
    _percent_axis(ax, titles, rows)
    return _png(fig)


def paired_chart(
    titles: list[str], first: list[float | None], second: list[float | None], names: tuple[str, str]
) -> bytes:
    """Two values per row (this school and its peers' median; self and agreed) as labelled markers."""
    height = 0.7 + 0.45 * max(len(titles), 1)
    fig, ax = plt.subplots(figsize=(6.4, height))
    rows = list(range(len(titles)))[::-1]
    for y, a, b in zip(rows, first, second, strict=True):
        if a is not None and b is not None:
            ax.plot([a, b], [y, y], color="#888888", linewidth=1)
    ax.scatter(
        [v for v in first if v is not None],
        [y for y, v in zip(rows, first, strict=False) if v is not None],
        marker="o",
        color=BAR,
        label=names[0],
        zorder=3,
    )
    ax.scatter(
        [v for v in second if v is not None],
        [y for y, v in zip(rows, second, strict=False) if v is not None],
        marker="D",
        color=PEER,
        edgecolor="#333333",
        label=names[1],
        zorder=3,
    )
    _percent_axis(ax, titles, rows)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return _png(fig)


def _percent_axis(ax, titles: list[str], rows: list[int]) -> None:  # type: ignore[no-untyped-def]
    ax.set_yticks(rows, _labels(titles), fontsize=8)
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("Percent", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
