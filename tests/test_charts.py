"""Chart builders: AppTest cannot see inside a Plotly figure, so the figure and its words are tested here."""

from __future__ import annotations

from scoring import ReviewScore
from ui.charts import domain_chart, domain_chart_summary


def _score(domains: list[tuple[str, float | None, str, bool]]) -> ReviewScore:
    return ReviewScore.model_validate(
        {
            "framework_id": "f",
            "framework_version": "1",
            "school_urn": None,
            "phase": "primary",
            "overall": {"percent": 50.0, "band": "Developing", "limited": False},
            "completion": {"answered": 1, "applicable": 1},
            "domains": [
                {"domain_id": t.lower(), "title": t, "percent": p, "band": b, "limited": lim, "answered": 1,
                 "applicable": 1}
                for t, p, b, lim in domains
            ],
            "compliance": [],
        }
    )  # fmt: skip


SCORE = _score(
    [
        ("Leadership", 75.0, "Established", False),
        ("Records", 20.0, "Emerging", True),
        ("Transition", None, "Insufficient evidence", False),
    ]
)


def test_bars_are_sorted_and_labelled_in_words_not_only_colour():
    bar = domain_chart(SCORE).data[0]
    assert list(bar.y) == ["Records", "Leadership"]  # lowest first, unscored left out
    assert list(bar.text) == ["20% · Emerging (limited)", "75% · Established"]
    assert list(bar.marker.pattern.shape) == ["/", ""]


def test_summary_sentence_names_highest_lowest_and_limited_domains():
    assert domain_chart_summary(SCORE) == (
        "2 domains scored. Highest: Leadership at 75% (Established). Lowest: Records at 20% (Emerging). "
        "Limited by an unmet statutory duty: Records."
    )


def test_summary_when_nothing_is_scored():
    assert domain_chart_summary(_score([("Transition", None, "Insufficient evidence", False)])) == (
        "No domain has enough answers to be scored yet."
    )
