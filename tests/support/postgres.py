"""A throwaway PostgreSQL server for one test session, so the same tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.support import free_port

ADMIN_USER = "test"
# Durability is pointless for a server that is deleted at the end of the run; these make it fast.
_FAST_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_pg_bin(name: str) -> str | None:
    """The PATH first (CI puts PostgreSQL 15 there), then Debian's versioned folders, newest first."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return candidates[-1] if candidates else None


def missing_reason() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    for tool in ("initdb", "pg_ctl"):
        if find_pg_bin(tool) is None:
            return f"PostgreSQL binary {tool!r} not found (install postgresql-15)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root needs 'runuser' to start PostgreSQL as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root needs an OS user 'postgres' (initdb refuses to run as root)"
    return None


class PostgresServer:
    """initdb + pg_ctl in a temp folder on a free port; `stop()` removes everything, and runs at exit too."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="send-review-pg-"))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = 0
        self._as_root = os.geteuid() == 0
        self._admin: Engine | None = None
        atexit.register(self.stop)

    def _run(self, *args: str) -> None:
        """Run a PostgreSQL tool, as the postgres user when we are root (initdb refuses root)."""
        cmd = ["runuser", "-u", "postgres", "--", *args] if self._as_root else list(args)
        result = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}{log}")

    def start(self, attempts: int = 3) -> PostgresServer:
        """Create the cluster and start it; retry on another port if a free port was taken meanwhile."""
        if self._as_root:
            shutil.chown(self.root, user="postgres", group="postgres")
        initdb, pg_ctl = find_pg_bin("initdb"), find_pg_bin("pg_ctl")
        assert initdb and pg_ctl, missing_reason()
        self._run(initdb, "-D", str(self.datadir), "-A", "trust", "-U", ADMIN_USER, "-E", "UTF8", "--no-locale", "-N")
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 {_FAST_SETTINGS}"
            try:
                self._run(pg_ctl, "-D", str(self.datadir), "-l", str(self.logfile), "-o", opts, "-w", "start")
                return self
            except RuntimeError:
                if attempt == attempts:
                    raise
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{ADMIN_USER}@127.0.0.1:{self.port}/{database}"

    @property
    def admin(self) -> Engine:
        """Autocommit engine on the maintenance database: CREATE/DROP DATABASE cannot run in a transaction."""
        if self._admin is None:
            self._admin = create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        return self._admin

    def create_database(self, template: str | None = None) -> str:
        """A new database with a unique name, empty or a copy of ``template``; returns its name."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return name

    def drop_database(self, name: str) -> None:
        """Drop even if a test (or an app server) still holds connections to it."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        """Idempotent: fast shutdown (disconnects clients), then delete the folder."""
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        pg_ctl = find_pg_bin("pg_ctl")
        if pg_ctl and (self.datadir / "postmaster.pid").exists():  # also after a start that timed out
            with contextlib.suppress(RuntimeError):
                self._run(pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)
