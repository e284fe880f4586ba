"""The README's worked example is the engine's answer, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

import cli
from framework.library import builtin_framework
from framework.models import ReviewContext
from scoring import score_review

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _domain(answers: dict[str, str], domain_id: str):  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"criterion_id": list(answers), "response": list(answers.values())})
    score = score_review(builtin_framework("senco-role-audit"), frame, ReviewContext.of("primary"))
    return next(d for d in score.domains if d.domain_id == domain_id)


def test_worked_example_matches_the_scoring_engine():
    leadership = _domain(
        {
            "lead-slt-member": "yes",
            "lead-strategic-voice": "Established",
            "lead-improvement-plan": "Developing",
            "lead-policy-reviewed": "yes",
            "lead-sen-governor": "no",
            "lead-governor-meetings": "Usually",
            "lead-resources": "N/A",
        },
        "leadership",
    )
    assert (round(leadership.percent, 1), leadership.band, leadership.answered, leadership.applicable) == (
        61.9,
        "Established",
        6,
        9,
    )
    assert "**61.9%**" in README and "**Established**" in README


def test_statutory_example_is_capped_as_the_readme_says():
    records = _domain(
        {
            "rec-register": "Established",
            "rec-provision-record": "yes",
            "rec-provision-map": "Established",
            "rec-ehc-reviews-all-on-time": "no",
            "rec-review-reports-pct": "70",
            "rec-census-check": "yes",
            "rec-review-advice-two-weeks": "yes",
            "rec-review-report-two-weeks": "yes",
            "rec-secure-storage": "yes",
            "rec-analysis": "Developing",
            "rec-retention": "Developing",
            "rec-register-leavers": "no",
        },
        "records",
    )
    assert (round(records.percent, 1), records.band, records.limited) == (61.1, "Emerging", True)
    assert "say 61.1%" in README


def test_every_cli_command_in_the_readme_exists():
    documented = set(re.findall(r"`python cli\.py (?:--as \S+ )?([a-z][a-z-]*)", README))
    assert documented, "the README lists no commands"
    assert documented <= set(cli.COMMANDS), documented - set(cli.COMMANDS)
