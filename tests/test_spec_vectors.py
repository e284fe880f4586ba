"""The scoring test vectors (tests/vectors, docs/scoring.md), run as a user would: `cli.py score` in its own process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import REPO_ROOT
from tests.support import VECTORS as EXAMPLES

pytestmark = pytest.mark.slow  # each vector runs cli.py in its own process (test_scoring_rules: in-process)

VECTORS = sorted(int(p.stem.split("-")[1]) for p in EXAMPLES.glob("expected-*.json"))


def test_all_six_vectors_are_present() -> None:
    assert VECTORS == [1, 2, 3, 4, 5, 6]


def assert_percent(actual: float | None, expected: float | None, where: str) -> None:
    if expected is None:
        assert actual is None, where
    else:
        assert actual is not None and abs(actual - expected) <= 0.05, f"{where}: {actual} != {expected}"


@pytest.mark.parametrize("n", VECTORS)
def test_score_matches_the_expected_result(n: int) -> None:
    argv = [sys.executable, "cli.py", "score", str(EXAMPLES / f"responses-{n}.xlsx")]
    done = subprocess.run(
        [*argv, "--framework", str(EXAMPLES / "framework.xlsx")], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    actual, expected = json.loads(done.stdout), json.loads((EXAMPLES / f"expected-{n}.json").read_text())

    assert_percent(actual["overall"].pop("percent"), expected["overall"].pop("percent"), "overall")
    for got, want in zip(actual["domains"], expected["domains"], strict=True):
        assert_percent(got.pop("percent"), want.pop("percent"), want["domain_id"])
    assert actual == expected  # bands, limited, completion, compliance and the rest exactly
