"""The repository stands on its own: no tracked file points outside it, and every relative link lands inside it.

A clone in any folder of a fresh machine must test and read the same. A path of one build machine
(a home or work folder, a temporary file) or a folder beside the clone (a reference folder that only
the authors had) breaks that silently, so any such mention fails here with its file and line.
Deployment examples in the README (``/srv/...``, ``/var/backups/...``) are the reader's own paths
and are allowed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

THIS_FILE = Path(__file__).resolve().relative_to(REPO_ROOT).as_posix()
BINARY = (".xlsx", ".png", ".jpg", ".zip", ".db")
# Each pattern names a kind of path that only exists on some machine, or beside some clone.
OUTSIDE = {
    "a folder beside the clone": re.compile(r"\.\./+shared\b|(?<![\w.-])shared/(specs|reference|examples)\b"),
    "a machine's work folder": re.compile(r"(?<![\w.])/work/"),
    "a home folder": re.compile(r"(?<![\w.])(/home/|/Users/|/root/)|~/[\w.-]"),
    "a temporary file": re.compile(r"(?<![\w.])/tmp/"),
    "a Windows drive": re.compile(r"\b[A-Z]:\\\\?[A-Za-z]"),
}
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def tracked_files() -> list[str]:
    """Every file git tracks (plus new files not yet added), as the clone will have them."""
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout (an unpacked archive has nothing to compare)")
    return sorted({f for f in done.stdout.splitlines() if (REPO_ROOT / f).is_file()})


def text_files() -> list[tuple[str, str]]:
    return [
        (name, (REPO_ROOT / name).read_text(encoding="utf-8", errors="replace"))
        for name in tracked_files()
        if name != THIS_FILE and not name.endswith(BINARY)
    ]


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    found = [
        f"{name}:{number}: {kind}: {line.strip()[:100]}"
        for name, text in text_files()
        for number, line in enumerate(text.splitlines(), start=1)
        for kind, pattern in OUTSIDE.items()
        if pattern.search(line)
    ]
    assert not found, "\n".join(found)


def test_every_relative_link_in_the_documents_lands_inside_the_repository() -> None:
    broken = []
    for name, text in text_files():
        if not name.endswith(".md"):
            continue
        for target in MARKDOWN_LINK.findall(text):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            resolved = ((REPO_ROOT / name).parent / target).resolve()
            if not resolved.is_relative_to(REPO_ROOT) or not resolved.exists():
                broken.append(f"{name}: ({target})")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    "line",
    ["see ../shared/specs/scoring.md", "EXAMPLES = Path('/work/x/specs')", "open('/home/me/a')", "/tmp/out.xlsx"],
)
def test_the_patterns_catch_what_they_are_for(line: str) -> None:
    assert any(p.search(line) for p in OUTSIDE.values())


@pytest.mark.parametrize("line", ["the shared PostgreSQL database", "tmp_path / 'x'", "cd /srv/send-review"])
def test_the_patterns_leave_ordinary_text_alone(line: str) -> None:
    assert not any(p.search(line) for p in OUTSIDE.values())
