"""The README's worked example is the engine's answer, and its commands exist."""

from __future__ import annotations

import re
import subprocess
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
    # the duties are checked, not scored (compliance_gate): the percent comes from the quality questions
    assert (round(records.percent, 1), records.band, records.limited) == (54.2, "Emerging", True)
    assert "say 54.2%" in README


def test_every_cli_command_in_the_readme_exists():
    documented = set(re.findall(r"`python cli\.py (?:--as \S+ )?([a-z][a-z-]*)", README))
    assert documented, "the README lists no commands"
    assert documented <= set(cli.COMMANDS), documented - set(cli.COMMANDS)


# --- every section names only what exists -------------------------------------------------------

SECTIONS = {"(introduction)": README.split("\n## ", 1)[0]} | dict(
    re.findall(r"^## (.+)\n((?:(?!^## ).*\n?)*)", README, flags=re.MULTILINE)
)
REPO = Path(__file__).resolve().parents[1]
# A repository path in backticks: a known top-level folder or file, then anything without spaces.
REPO_PATH = re.compile(
    r"`((?:app\.py|cli\.py|Makefile|LICENSE|\.streamlit|framework|scoring|data|exports|ui|commands"
    r"|tests|benchmarks|docs|scripts)(?:/[\w./-]*)?)`"
)
# Named in the README, made only when the app runs (the database) or by the operator (secrets).
MADE_LATER = {"data/send-review.db", ".streamlit/secrets.toml"}
PAGE_NAMED = re.compile(r"(?:[Oo]n\s+(?:the\s+)?\*\*([^*]+)\*\*)|(?:\*\*([^*]+)\*\*\s+(?:page|\(`/))")
ENV_VAR = re.compile(r"\b(SEND_REVIEW_[A-Z_]+|DATABASE_URL)\b")
MAKE_TARGET = re.compile(r"`make (\w+)")


def page_titles() -> dict[str, str]:
    """Every page title a user can reach -> the source of its module (nav's pages and the account pages)."""
    from ui import nav

    pages = {spec.title: (REPO / (spec.module.replace(".", "/") + ".py")).read_text() for spec in nav.PAGES.values()}
    auth = (REPO / "ui" / "auth.py").read_text()
    pages |= {title: auth for title in re.findall(r'st\.Page\([^)]*title="([^"]+)"', auth)}
    return pages


def code_text() -> str:
    return "\n".join(
        p.read_text()
        for d in ("app.py", "cli.py", "data", "ui", "commands")
        for p in ([REPO / d] if d.endswith(".py") else sorted((REPO / d).rglob("*.py")))
    )


def test_the_readme_has_its_sections():
    assert {"Set up", "How scores are worked out", "The command line", "Where things are", "Licence"} <= set(SECTIONS)


def test_every_file_and_folder_the_readme_names_exists():
    for made in MADE_LATER:  # made by the app or by the operator: git must keep them out of the repository
        done = subprocess.run(["git", "check-ignore", "-q", made], cwd=REPO, capture_output=True)
        assert done.returncode in (0, 128), f"{made} is not git-ignored"  # 128: not a git checkout
    missing = [
        f"{title}: {path}"
        for title, text in SECTIONS.items()
        for path in REPO_PATH.findall(text)
        if path not in MADE_LATER and not (REPO / path.rstrip("/")).exists()
    ]
    assert not missing, missing


def test_every_page_the_readme_names_exists():
    pages = page_titles()
    named = [(title, a or b) for title, text in SECTIONS.items() for a, b in PAGE_NAMED.findall(text)]
    assert named, "the README names no page"
    wrong = []
    for section, name in named:
        page, _, tab = name.partition(" → ")
        if page not in pages:
            wrong.append(f"{section}: no page called {page!r}")
        elif tab and f'"{tab}"' not in pages[page]:
            wrong.append(f"{section}: the {page} page has no {tab!r}")
    assert not wrong, wrong


def test_every_address_setting_and_make_target_the_readme_names_exists():
    from ui import nav

    for path in re.findall(r"`/(\w+)\?", README):
        assert path in nav.PAGES, f"/{path}"
    code = code_text()
    for name in set(ENV_VAR.findall(README)):
        assert name in code, f"{name} is in the README but no code reads it"
    makefile = (REPO / "Makefile").read_text()
    for target in set(MAKE_TARGET.findall(README)):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"make {target}"


def test_every_cli_command_the_readme_names_anywhere_exists():
    named = set(re.findall(r"`(?:\.venv/bin/)?(?:python )?cli\.py (?:--as [^\s`]+ )?([a-z][a-z-]*)", README))
    assert named <= set(cli.COMMANDS), named - set(cli.COMMANDS)


def test_each_section_names_something_that_exists():
    """A section with no path, page, command, setting or number checked here is a section nobody keeps true."""
    checked = (REPO_PATH, PAGE_NAMED, ENV_VAR, MAKE_TARGET, re.compile(r"cli\.py \w"), re.compile(r"\]\((\w[^)]*)\)"))
    bare = [title for title, text in SECTIONS.items() if not any(p.search(text) for p in checked)]
    assert not bare, f"sections that name nothing checked: {bare}"
