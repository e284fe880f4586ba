"""Peer sets for every state-funded school, and the comparison page's server time on demo registers.

Run: .venv/bin/python benchmarks/bench_comparison.py. Prints plain numbers. Targets (issue 5): peer sets
for 21,600 schools under 5 s; the compare page under 300 ms for one school with 150 and with 1,000
schools in the register. Page times are measured inside the script thread (bench_pages' TIMED_APP),
so AppTest's own waiting is left out. "First view" is the first request after the register or the
reviews changed (register copy, similar sets and review scores worked out); "again" is every later one.
"""

from __future__ import annotations

import builtins
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import streamlit as st  # noqa: E402
from bench_pages import TIMED_APP, percentile, timed_runs  # noqa: E402
from bench_peers import synthetic_register  # noqa: E402

import data.demo_load as demo_load  # noqa: E402
from data import comparison, review_scores, reviews, users  # noqa: E402
from data.demo import demo_schools  # noqa: E402
from data.setup import open_database  # noqa: E402
from framework.library import builtin_framework  # noqa: E402
from scoring.peers import peer_sets  # noqa: E402

FRAMEWORK = "senco-role-audit"
CYCLE = "2025/26"
PAGE_TARGET_MS = 300
PEERS_TARGET_S = 5.0


def bench_peer_sets(repeats: int = 3) -> None:
    register = synthetic_register()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sets = peer_sets(register, k=30)
        times.append(time.perf_counter() - start)
    ok = "ok" if min(times) < PEERS_TARGET_S else "SLOW"
    print(f"peer sets, {len(register)} schools: best {min(times):.2f} s, worst {max(times):.2f} s ({ok}, target < 5 s)")
    print(f"  peers per school: at least {min(len(v) for v in sets.values())}")


def demo_site(n: int, workdir: str):  # type: ignore[no-untyped-def]
    """A demo register of n schools with one framework's self-reviews for one cycle (15% still drafts).

    data.demo_load writes the fictional LA through the data layer; it is pointed at n schools, one
    framework and one cycle here rather than its usual 120 schools, three frameworks and three cycles.
    """
    url = f"sqlite:///{workdir}/bench-{n}.db"
    demo_load.demo_schools = lambda seed: demo_schools(seed=seed, n=n)
    demo_load.builtin_frameworks = lambda: (builtin_framework(FRAMEWORK),)
    demo_load.CYCLES = (CYCLE,)
    db = open_database(url)
    summary = demo_load.load_demo(db)
    admin = users.create_first_admin(db, "bench@example.org", "Bench", "a long benchmark password")
    return url, db, admin, summary


def bench_page(n: int, workdir: str, runs: int = 15) -> None:
    import tests.support.pages as pages
    from tests.support.pages import app_as, open_page

    url, db, admin, summary = demo_site(n, workdir)
    os.environ.update(DATABASE_URL=url, SEND_REVIEW_DEMO="0")
    st.cache_resource.clear()
    wrapper = Path(workdir) / "timed_app.py"
    wrapper.write_text(TIMED_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
    pages.APP = str(wrapper)
    urn = next(r.school_urn for r in reviews.list_reviews(db, admin, status="submitted") if r.phase == "primary")
    print(f"register of {n} schools: {summary.reviews} reviews, {summary.answers} answers")
    for peers in ("similar", "la"):
        start = time.perf_counter()
        comparison.compare_school(db, admin, urn, FRAMEWORK, CYCLE, peers)
        cold = (time.perf_counter() - start) * 1000
        data_ms = []
        for _ in range(runs):
            start = time.perf_counter()
            result = comparison.compare_school(db, admin, urn, FRAMEWORK, CYCLE, peers)
            data_ms.append((time.perf_counter() - start) * 1000)
        print(
            f"  compare_school, peers={peers} ({len(result.peers)} peers): first {cold:.0f} ms, "
            f"again median {statistics.median(data_ms):.0f} ms"
        )
    for peers in ("similar", "la"):
        review_scores._KEPT.clear()  # the first page view after reviews change pays for scoring them
        builtins.__dict__["_bench_script_ms"] = []
        at = open_page(app_as(db, admin), "compare", urn=urn, framework=FRAMEWORK, cycle=CYCLE, peers=peers)
        assert not at.exception, at.exception
        first = builtins.__dict__["_bench_script_ms"][-1]
        times = timed_runs(at, runs)
        ok = "ok" if statistics.median(times) < PAGE_TARGET_MS else "SLOW"
        print(
            f"  compare page, peers={peers}: first view {first:.0f} ms; "
            f"again median {statistics.median(times):.0f} ms, "
            f"p95 {percentile(times, 95):.0f} ms ({ok}, target < {PAGE_TARGET_MS})"
        )
    db.dispose()


def main() -> None:
    bench_peer_sets()
    workdir = tempfile.mkdtemp(prefix="send-review-bench-compare-")
    for n in (150, 1000):
        bench_page(n, workdir)


if __name__ == "__main__":
    main()
