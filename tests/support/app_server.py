"""The app started the way a user starts it (`streamlit run app.py`), for browser tests and restart tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from tests.support import REPO_ROOT, TEST_OUTPUT, free_port

STARTUP_TIMEOUT_S = 60.0


class AppServer:
    """One `streamlit run` process on 127.0.0.1; restartable on the same port and database.

    Output goes to `log_path` (appended across restarts) so a failing CI run can be read afterwards.
    """

    def __init__(
        self,
        database_url: str,
        *,
        script: Path | str = REPO_ROOT / "app.py",
        env: Mapping[str, str] | None = None,
        port: int | None = None,
        log_path: Path | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.database_url = database_url
        self.script = Path(script)
        self.extra_env = dict(env or {})
        self.port = port or free_port()
        self.log_path = log_path or TEST_OUTPUT / "logs" / f"app-server-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # Nothing edits files during a test; the watcher would only cost CPU and add rerun noise.
        env.setdefault("STREAMLIT_SERVER_FILE_WATCHER_TYPE", "none")
        env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.extra_env)
        env["DATABASE_URL"] = self.database_url
        return env

    def start(self) -> AppServer:
        """Start and block until /_stcore/health answers ok; raises with the log's tail if it doesn't."""
        if self.process is not None:
            raise RuntimeError("app server already running")
        if not self.script.exists():
            raise FileNotFoundError(f"app script not found: {self.script}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._log.write(f"\n=== start {self.script} on port {self.port} ===\n".encode())
        self._log.flush()
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script)]
        cmd += ["--server.address", "127.0.0.1", "--server.port", str(self.port), "--server.headless", "true"]
        self.process = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() also ends anything it spawned
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200 and response.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            # A short bounded poll interval, not a sleep: returns at once if the process dies.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.1)
        raise TimeoutError(f"streamlit not healthy after {self.startup_timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group (Streamlit shuts down cleanly), SIGKILL if it lingers. Idempotent."""
        process, self.process = self.process, None
        if process is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> AppServer:
        """Same port, same database: proves that nothing lived only in the server's memory."""
        self.stop()
        return self.start()

    def log_tail(self, chars: int = 4000) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
