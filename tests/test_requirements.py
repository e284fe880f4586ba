"""The pinned packages are exactly the ones the code needs: nothing imported is missing, nothing pinned is idle.

``requirements.txt`` must cover every third-party import of the app and the CLI, and each package in it
must be imported, or be named below as needed at run time with the reason. ``requirements-dev.txt``
does the same for the tests, the benchmarks and the tools ``make test`` runs. A distribution's import
names come from its installed metadata (``PyYAML`` is imported as ``yaml``).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from functools import cache
from pathlib import Path

from tests.support import REPO_ROOT

# Needed at run time, though no module of ours imports them.
RUNTIME_ONLY = {
    "psycopg": "the PostgreSQL driver: SQLAlchemy loads it for a postgresql+psycopg URL (data/db.py)",
    "authlib": "Streamlit's st.login (single sign-on) needs it, and imports it itself",
    "uharfbuzz": "fpdf2 imports it to shape right-to-left and joined scripts once text shaping is turned on",
}
# Tools that make runs as commands, not imports: the text the Makefile runs them by, and why.
TOOLS = {
    "ruff": ("ruff", "make lint checks and formats the code"),
    "mypy": ("mypy", "make test and make check type-check framework/, scoring/ and data/"),
    "pytest-xdist": ("-n ", "make check spreads the fast tests over two processes"),
}
OURS = {"framework", "scoring", "data", "exports", "ui", "commands", "cli", "app", "tests", "benchmarks"}
RUNTIME_DIRS = ("framework", "scoring", "data", "exports", "ui", "commands")
DEV_DIRS = ("tests", "benchmarks")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(file: str) -> set[str]:
    """The distributions a requirements file pins (extras and versions dropped)."""
    names = set()
    for line in (REPO_ROOT / file).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line, f"{file}: {line} is not pinned with =="
            names.add(normalise(re.split(r"[\[=<>~ ]", line, maxsplit=1)[0]))
    return names


def python_files(*roots: str) -> list[Path]:
    files = [REPO_ROOT / r for r in roots if r.endswith(".py")]
    for root in (r for r in roots if not r.endswith(".py")):
        files += (REPO_ROOT / root).rglob("*.py")
    return files


def third_party_imports(files: list[Path]) -> set[str]:
    local = {p.stem for p in REPO_ROOT.rglob("*.py") if ".venv" not in p.parts}
    found = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in OURS and m not in local}


@cache
def distributions_of() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distributions(modules: set[str]) -> dict[str, set[str]]:
    """Each imported module -> the (normalised) distributions that provide it."""
    return {m: {normalise(d) for d in distributions_of().get(m, [m])} for m in modules}


@cache
def runtime_imports() -> frozenset[str]:
    return frozenset(third_party_imports(python_files(*RUNTIME_DIRS, "app.py", "cli.py")))


@cache
def dev_imports() -> frozenset[str]:
    """Read when a test asks, not while pytest collects: parsing every file takes seconds."""
    return frozenset(third_party_imports(python_files(*DEV_DIRS)) - runtime_imports())


def test_every_runtime_import_is_pinned_in_requirements_txt() -> None:
    pins = pinned("requirements.txt")
    missing = {m: d for m, d in distributions(set(runtime_imports())).items() if not d & pins}
    assert not missing, f"imported but not in requirements.txt: {missing}"


def test_every_package_in_requirements_txt_is_imported_or_needed_at_run_time() -> None:
    used = set().union(*distributions(set(runtime_imports())).values())
    idle = pinned("requirements.txt") - used - set(RUNTIME_ONLY)
    assert not idle, f"pinned in requirements.txt but imported nowhere: {sorted(idle)}"


def test_every_test_and_benchmark_import_is_pinned() -> None:
    pins = pinned("requirements.txt") | pinned("requirements-dev.txt")
    missing = {m: d for m, d in distributions(set(dev_imports())).items() if not d & pins}
    assert not missing, f"imported by tests or benchmarks but pinned nowhere: {missing}"


def test_every_dev_package_is_imported_or_a_tool_make_runs() -> None:
    used = set().union(*distributions(set(dev_imports() | runtime_imports())).values())
    idle = pinned("requirements-dev.txt") - used - set(TOOLS)
    assert not idle, f"pinned in requirements-dev.txt but imported nowhere: {sorted(idle)}"
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    for tool in set(TOOLS) & pinned("requirements-dev.txt"):
        assert TOOLS[tool][0] in makefile, f"{tool} is pinned for this, but make never runs it: {TOOLS[tool][1]}"


def test_no_package_is_pinned_twice() -> None:
    assert not pinned("requirements.txt") & pinned("requirements-dev.txt")
