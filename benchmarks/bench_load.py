"""Many people saving answers at once: latency, throughput and exactly-once storage, on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_load.py [--users 30] [--seconds 60] [--processes 3] [--backend both]

Each backend gets a fresh database. Several app processes are simulated (each with its own engine, as
each Streamlit server has), with one thread per user; every user answers the questions of their own
review through ``data.reviews.save_answer``, exactly as the questionnaire page saves, with no pause
between saves (``--think-ms`` adds one). Users own distinct (review, criterion) keys and remember the
last value they saved; afterwards every stored answer must hold that value, with a version equal to
the number of saves made to it (nothing lost, nothing applied twice), and there must be no errors.
PostgreSQL is a throwaway server started like the tests' one, but with durable commits (fsync on).
Prints plain lines; exits 1 on any error or mismatch.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import reviews, users  # noqa: E402
from data.access import OPERATOR  # noqa: E402
from data.db import Database  # noqa: E402
from data.schools import upsert_schools  # noqa: E402
from data.setup import open_database  # noqa: E402
from framework.library import builtin_framework  # noqa: E402
from tests.support import postgres  # noqa: E402

FRAMEWORK = "send-review"  # the largest built-in framework: 78 questions
LA = "Benchmark LA"

Key = tuple[int, str]  # (review id, criterion id)


@dataclass(frozen=True)
class SimulatedUser:
    email: str
    review_id: int
    criteria: tuple[str, ...]
    seed: int


@dataclass
class Outcome:
    """What one process saw: save latencies (seconds), errors by kind, and per key its last saved value."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    last: dict[Key, tuple[str, str, int]] = field(default_factory=dict)  # response, evidence, saves made


def main() -> int:
    options = _arguments()
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    failed = False
    for backend in backends:
        failed |= _run_backend(backend, options)
    return 1 if failed else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=30, help="simulated people saving at once (default 30)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they keep saving (default 60)")
    parser.add_argument("--processes", type=int, default=3, help="app processes the users are spread over")
    parser.add_argument("--think-ms", type=float, default=0, help="pause between one user's saves (default 0)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    return parser.parse_args()


def _run_backend(backend: str, options: argparse.Namespace) -> bool:
    """One full run; True when it failed."""
    folder = Path(tempfile.mkdtemp(prefix="send-review-bench-"))
    server = None
    try:
        if backend == "sqlite":
            url, setting = f"sqlite:///{folder}/bench.db", "file, WAL, synchronous=NORMAL"
        else:
            reason = postgres.missing_reason()
            if reason is not None:
                print(f"postgresql: skipped ({reason})")
                return False
            postgres._FAST_SETTINGS = ""  # measure durable commits, as in production, not the tests' fsync=off
            server = postgres.PostgresServer().start()
            url = server.url(server.create_database())
            setting = _postgres_setting(url)
        people = _prepare(url, options.users)
        print(
            f"{backend}: {options.users} users in {options.processes} processes for {options.seconds:g} s "
            f"({setting}; think time {options.think_ms:g} ms)"
        )
        outcome, elapsed = _simulate(url, people, options)
        return _report(backend, url, outcome, elapsed, people)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _postgres_setting(url: str) -> str:
    db = Database(url)
    with db.read() as conn:
        fsync = conn.exec_driver_sql("SHOW fsync").scalar_one()
        commit = conn.exec_driver_sql("SHOW synchronous_commit").scalar_one()
    db.dispose()
    return f"throwaway server, fsync={fsync}, synchronous_commit={commit}"


def _prepare(url: str, count: int) -> list[SimulatedUser]:
    """A school, a SENCO account and a draft self-review per simulated user, made through the app's own code."""
    db = open_database(url)
    framework = builtin_framework(FRAMEWORK)
    urns = [str(800_000 + i) for i in range(count)]
    register = pd.DataFrame(
        {
            "urn": urns,
            "name": [f"Benchmark School {i}" for i in range(count)],
            "la": LA,
            "phase": "primary",
            "type": "",
            "pupils": 200,
            "fsm_pct": 20.0,
            "sen_support_pct": 13.0,
            "ehcp_pct": 2.5,
            "resourced_provision": False,
        }
    )
    upsert_schools(db, OPERATOR, register)
    criteria = tuple(c.id for c in framework.criteria)
    people = []
    for i, urn in enumerate(urns):
        email = f"senco{i}@bench.example"
        users.invite_user(db, OPERATOR, email, f"SENCO {i}", "school", school_urn=urn)
        actor = users.actor_by_email(db, email)
        assert actor is not None
        review_id = reviews.start_review(
            db,
            actor,
            school_urn=urn,
            framework=framework,
            cycle="2025/26",
            phase="primary",
            resourced_provision=False,
        )
        people.append(SimulatedUser(email, review_id, criteria, seed=i))
    db.dispose()
    return people


def _simulate(url: str, people: list[SimulatedUser], options: argparse.Namespace) -> tuple[Outcome, float]:
    """Start the processes, let them all begin together, and merge what they report; also the seconds taken."""
    context = mp.get_context("spawn")  # a clean interpreter per process, as separate app servers are
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    shares = [people[i :: options.processes] for i in range(options.processes)]
    workers = [
        context.Process(
            target=_app_process, args=(url, share, options.seconds, options.think_ms / 1000, ready, go, results)
        )
        for share in shares
        if share
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=120)
    go.set()
    started = time.perf_counter()
    merged = Outcome()
    for _ in workers:
        latencies, errors, last = results.get(timeout=options.seconds + 300)
        merged.latencies += latencies
        merged.errors += Counter(errors)
        merged.last |= last
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return merged, elapsed


def _app_process(url, people, seconds, think, ready, go, results) -> None:  # type: ignore[no-untyped-def]
    """One app server: its own engine, one thread per user."""
    db = Database(url)
    actors = {p.email: users.actor_by_email(db, p.email) for p in people}
    outcome = Outcome()
    lock = threading.Lock()
    ready.put(True)
    go.wait()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_user, args=(db, actors[p.email], p, deadline, think, outcome, lock)) for p in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.dispose()
    results.put((outcome.latencies, dict(outcome.errors), outcome.last))  # plain data crosses processes


def _user(db, actor, person: SimulatedUser, deadline: float, think: float, outcome: Outcome, lock) -> None:  # type: ignore[no-untyped-def]
    """Answer questions one after another until the deadline, as fast as the app allows."""
    rng = random.Random(person.seed)
    versions: dict[str, int] = {}
    saves: dict[str, int] = {}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    last: dict[Key, tuple[str, str, int]] = {}
    n = 0
    while time.monotonic() < deadline:
        criterion = rng.choice(person.criteria)
        n += 1
        response, evidence = str(rng.randint(1, 4)), f"note {n} from {person.email} — ü"
        start = time.perf_counter()
        try:
            result = reviews.save_answer(
                db,
                actor,
                person.review_id,
                criterion,
                seen_version=versions.get(criterion, 0),
                response=response,
                evidence=evidence,
            )
        except Exception as exc:  # counted and reported, never hidden
            kind = "database is locked" if "database is locked" in str(exc) else type(exc).__name__
            errors[kind] += 1
            continue
        latencies.append(time.perf_counter() - start)
        if not result.saved:  # a conflict: nobody else writes this user's answers, so this is a bug
            errors["conflict"] += 1
            versions[criterion] = result.answer.version
            continue
        versions[criterion] = result.answer.version
        saves[criterion] = saves.get(criterion, 0) + 1
        last[(person.review_id, criterion)] = (response, evidence, saves[criterion])
        if think:
            time.sleep(think)
    with lock:
        outcome.latencies += latencies
        outcome.errors += errors
        outcome.last |= last


def _report(backend: str, url: str, outcome: Outcome, elapsed: float, people: list[SimulatedUser]) -> bool:
    """Print the numbers and check every stored answer; True when anything is wrong."""
    latencies = sorted(outcome.latencies)
    saves = len(latencies)
    if saves:
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[min(saves - 1, int(0.95 * saves))] * 1000
        print(f"{backend}_saves {saves}")
        print(f"{backend}_saves_per_second {saves / elapsed:.1f}")
        print(f"{backend}_save_ms_p50 {p50:.1f}")
        print(f"{backend}_save_ms_p95 {p95:.1f}")
        print(f"{backend}_save_ms_max {latencies[-1] * 1000:.1f}")
    locked = outcome.errors.get("database is locked", 0)
    other = sum(outcome.errors.values()) - locked
    print(f"{backend}_errors_database_is_locked {locked}")
    print(f"{backend}_errors_other {other}" + (f" {dict(outcome.errors)}" if other else ""))
    mismatches, stored = _verify(url, outcome, people)
    print(f"{backend}_answers_written {len(outcome.last)}")
    print(f"{backend}_answers_stored {stored}")
    print(f"{backend}_answers_exactly_once_with_last_value {len(outcome.last) - mismatches}")
    print(f"{backend}_mismatches {mismatches}")
    failed = bool(locked or other or mismatches or not saves)
    print(f"{backend}_result {'FAILED' if failed else 'ok'}")
    return failed


def _verify(url: str, outcome: Outcome, people: list[SimulatedUser]) -> tuple[int, int]:
    """(answers not stored exactly as last saved, answers stored in all): versions count the saves."""
    db = Database(url)
    stored: dict[Key, tuple[str, str, int]] = {}
    for person in people:
        for criterion, answer in reviews.load_answers(db, OPERATOR, person.review_id).items():
            stored[(person.review_id, criterion)] = (answer.response or "", answer.evidence, answer.version)
    db.dispose()
    mismatches = sum(1 for key, value in outcome.last.items() if stored.get(key) != value)
    mismatches += len(set(stored) - set(outcome.last))  # a row nobody saved successfully
    return mismatches, len(stored)


if __name__ == "__main__":
    sys.exit(main())
