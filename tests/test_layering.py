"""The layering, written down: which of our packages may import which, and where SQL and Streamlit live.

- ``framework/`` imports nothing of ours: what a framework is stands alone.
- ``scoring/`` imports only ``framework/``: pure calculations, no storage, no pages.
- SQLAlchemy, Alembic, the PostgreSQL driver and SQL text live only in ``data/``; ``commands/`` and
  pages reach storage through ``data/``.
- Streamlit only in ``app.py`` and ``ui/``; Plotly (charts) only there too.
- ``exports/`` never imports ``data/``: pages and commands fetch the data and pass it in.
- Nothing below the pages imports ``ui/``, ``commands/``, ``cli`` or ``app``.

Imports are read with ``ast`` (including those inside functions), so a lazy import counts too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

OURS = frozenset({"framework", "scoring", "data", "exports", "ui", "commands", "cli", "app"})
# package -> the packages of ours it may import (besides itself)
MAY_IMPORT: dict[str, frozenset[str]] = {
    "framework": frozenset(),
    "scoring": frozenset({"framework"}),
    "data": frozenset({"framework", "scoring"}),
    "exports": frozenset({"framework", "scoring"}),
    "commands": frozenset({"framework", "scoring", "data", "exports"}),
    "cli": frozenset({"commands", "framework", "data"}),
    "ui": frozenset({"framework", "scoring", "data", "exports"}),
    "app": frozenset({"ui", "data", "framework"}),
}
# third-party module -> the packages of ours that may import it
CONFINED: dict[str, frozenset[str]] = {
    "sqlalchemy": frozenset({"data"}),
    "alembic": frozenset({"data"}),
    "psycopg": frozenset({"data"}),
    "streamlit": frozenset({"app", "ui"}),
    "plotly": frozenset({"app", "ui"}),
}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|ALTER TABLE|DROP TABLE)\b")


def package_of(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).parts
    return parts[0] if len(parts) > 1 else path.stem


def production_files() -> list[Path]:
    found = [REPO_ROOT / "app.py", REPO_ROOT / "cli.py"]
    for package in sorted(OURS - {"app", "cli"}):
        found += sorted((REPO_ROOT / package).rglob("*.py"))
    return [p for p in found if "migrations" not in p.relative_to(REPO_ROOT).parts]


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, top-level module name) of every absolute import in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(REPO_ROOT)}:{line}"


FILES = production_files()


def test_the_production_files_are_found() -> None:
    assert {package_of(p) for p in FILES} == set(OURS)
    assert len(FILES) > 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    package = package_of(path)
    allowed = MAY_IMPORT[package] | {package}
    wrong = []
    for line, module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
        if module in OURS and module not in allowed:
            wrong.append(f"{where(path, line)}: {package} must not import {module}")
        if module in CONFINED and package not in CONFINED[module]:
            wrong.append(f"{where(path, line)}: {module} belongs in {', '.join(sorted(CONFINED[module]))} only")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "path", [p for p in FILES if package_of(p) != "data"], ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_sql_is_written_only_in_data(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sql = [
        where(path, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value)
    ]
    assert not sql, f"SQL outside data/: {', '.join(sql)}"


def test_the_rules_catch_a_wrong_import() -> None:
    tree = ast.parse("import streamlit as st\nfrom data.db import Database\n\ndef f():\n    import sqlalchemy\n")
    assert sorted(imported_modules(tree)) == [(1, "streamlit"), (2, "data"), (5, "sqlalchemy")]
    assert SQL_TEXT.match("SELECT 1") and not SQL_TEXT.match("Select a school")
