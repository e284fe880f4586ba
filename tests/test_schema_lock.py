"""Several app processes starting at once on one empty database migrate it, store the built-in frameworks
and load the demo once, and all of them start."""

from __future__ import annotations

import multiprocessing
import sys
import types
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from data import schema
from data.db import Database
from data.setup import open_database
from data.tables import frameworks, metadata, reviews
from framework.library import builtin_frameworks

pytestmark = pytest.mark.slow  # builds the schema by migration and by tables.py and compares them

PROCESSES = 4


def _start_app_process(url: str, ready: Barrier, outcomes: Queue) -> None:
    """What each replica does at start-up (``make run``: demo data on a new database), all at the same moment."""
    try:
        Database(url).engine.connect().close()  # connected before the barrier, so the start-ups overlap
        ready.wait(timeout=60)
        open_database(url, demo_on_empty=True).dispose()
        outcomes.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        outcomes.put(f"{type(exc).__name__}: {exc}")


def test_app_processes_starting_at_once_set_the_database_up_once(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Processes, not threads: replicas are processes, and Alembic keeps its migration context in a module global.
    # A spawned child runs the parent's __main__ file again; after an AppTest.from_function in this process that
    # is Streamlit's temporary script, which fails outside Streamlit, so the children get an empty __main__.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    spawn = multiprocessing.get_context("spawn")
    ready, outcomes = spawn.Barrier(PROCESSES), spawn.Queue()
    workers = [
        spawn.Process(target=_start_app_process, args=(empty_database_url, ready, outcomes)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    results = [outcomes.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert results == ["ok"] * PROCESSES
    db = Database(empty_database_url)
    with db.read() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        tables = set(sa.inspect(conn).get_table_names())
        stored = conn.execute(sa.select(sa.func.count()).select_from(frameworks)).scalar()
        demo_reviews = conn.execute(
            sa.select(sa.func.count()).select_from(reviews).where(reviews.c.role == "self")
        ).scalar()
    db.dispose()
    assert versions == [ScriptDirectory.from_config(schema.alembic_config()).get_current_head()]
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert stored == len(builtin_frameworks())
    assert demo_reviews == 1080  # the demo LA's 120 schools x 3 frameworks x 3 cycles of self-reviews, loaded once
