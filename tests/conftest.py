"""Shared fixtures: empty databases on SQLite and PostgreSQL, the app as a real server, headless Chromium."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

# The repo root on sys.path, however pytest was started: tests import the app's packages and tests.support.
_REPO_ROOT = str(Path(__file__).resolve().parents[1])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.support import REPO_ROOT, TEST_OUTPUT, skip_or_fail  # noqa: E402
from tests.support.app_server import AppServer  # noqa: E402
from tests.support.browser import browser, page  # noqa: E402
from tests.support.postgres import PostgresServer, missing_reason  # noqa: E402
from tests.support.templates import DatabaseTemplates  # noqa: E402

__all__ = [
    "app_server",
    "app_server_factory",
    "browser",
    "database_url",
    "demo_database_url",
    "empty_database_url",
    "page",
    "postgres_instance",
    "postgres_server",
]

AppServerFactory = Callable[..., AppServer]


def pytest_configure(config: pytest.Config) -> None:
    """Passwords are hashed with argon2id's cheapest parameters in this process, as Django's test settings
    swap in a fast hasher: the production parameters cost ~0.3 s a hash by design, and page tests hash
    several passwords each. Stored hashes carry their parameters, so sign-in works the same; app servers
    started for browser tests are other processes and keep the real parameters."""
    from argon2 import PasswordHasher

    from data import users

    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users._DUMMY_HASH = users._hasher.hash("not a password")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item (item.rep_call) so fixtures can react to a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def postgres_instance() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL 15 for the whole session. Skips without the binaries locally, fails in CI."""
    reason = missing_reason()
    if reason is not None:
        skip_or_fail(reason)
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server(postgres_instance: PostgresServer) -> str:
    """Admin URL of the session's server: postgresql+psycopg://test@127.0.0.1:PORT/postgres."""
    return postgres_instance.url()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, EMPTY database per test (no tables), once on SQLite and once on PostgreSQL; for the tests
    of migrations and of start-up itself."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/send-review.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_instance")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    return DatabaseTemplates(tmp_path_factory.mktemp("templates"))


def _fresh_database(request: pytest.FixtureRequest, tmp_path: Path, *, demo: bool) -> Iterator[str]:
    templates: DatabaseTemplates = request.getfixturevalue("_templates")
    if request.param == "sqlite":
        yield templates.sqlite_copy(tmp_path / "send-review.db", demo=demo)
        return
    server: PostgresServer = request.getfixturevalue("postgres_instance")
    name = templates.postgres_copy(server, demo=demo)
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test, once on SQLite and once on PostgreSQL, as the app leaves a new one:
    migrated to the head revision with the built-in frameworks stored, and nothing else."""
    yield from _fresh_database(request, tmp_path, demo=False)


@pytest.fixture(params=BACKENDS)
def demo_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """As ``database_url``, holding the demo LA as a first start with SEND_REVIEW_DEMO=1 loads it."""
    yield from _fresh_database(request, tmp_path, demo=True)


@pytest.fixture
def app_server_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppServerFactory]:
    """Start app servers with a chosen database, env (e.g. SEND_REVIEW_DEMO=1) or script; all stopped at teardown."""
    servers: list[AppServer] = []
    log_stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")

    def start(
        database_url: str | None = None, *, env: Mapping[str, str] | None = None, script: Path | None = None
    ) -> AppServer:
        log_path = TEST_OUTPUT / "logs" / f"{log_stem}-{len(servers)}.log"
        log_path.unlink(missing_ok=True)
        server = AppServer(
            database_url or f"sqlite:///{tmp_path}/send-review.db",
            env=env,
            log_path=log_path,
            script=script or REPO_ROOT / "app.py",
        )
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def app_server(app_server_factory: AppServerFactory) -> AppServer:
    """app.py running on a free port against a fresh SQLite file under tmp_path."""
    return app_server_factory()
