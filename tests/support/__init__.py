"""Test harness shared by the suites: throwaway PostgreSQL, the app as a real process, headless Chromium."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Git-ignored; screenshots and server logs stay here after the run so CI failures can be inspected.
TEST_OUTPUT = REPO_ROOT / "test-output"
# The public scoring test vectors (docs/scoring.md), kept in the repository so a clone tests on its own.
VECTORS = REPO_ROOT / "tests" / "vectors"


def in_ci() -> bool:
    """CI sets CI=true; there a missing tool must fail the run instead of skipping tests silently."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> NoReturn:
    """Skip on a developer machine that lacks a tool, but fail in CI, where every test must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it, so parallel runs don't collide)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
