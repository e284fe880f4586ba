"""The LA overview page's server time, and its workbook export, on demo registers of 150 and 1,000 schools.

Run: .venv/bin/python benchmarks/bench_overview.py. Prints plain numbers. Each register is the fictional
demo LA (data.demo_load) with three cycles of all three built-in frameworks, seen by an LA advisor of
that LA. Targets (issue 14), at 1,000 schools: warm median under 500 ms, cold under 2 s, export under
3 s. "Cold" is the first view after the reviews changed (every review read and scored, similar-school
sets worked out); "warm" is every later view. Page times are measured inside the script thread
(bench_pages' TIMED_APP), so AppTest's own waiting is left out.
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

import data.demo_load as demo_load  # noqa: E402
from data import groups, overview, overview_scores, review_scores, users  # noqa: E402
from data.demo import DEMO_LA, demo_schools  # noqa: E402
from data.setup import open_database  # noqa: E402
from exports.overview_workbook import overview_workbook  # noqa: E402
from tests.support.accounts import actor_for  # noqa: E402

FRAMEWORK = "senco-role-audit"
WARM_MS, COLD_MS, EXPORT_MS = 500, 2000, 3000
PASSWORD = "a long benchmark password"


def forget() -> None:
    """What a changed database makes the next view do again: read and score every review, find peer sets."""
    overview._KEPT.clear()
    overview_scores._KEPT.clear()
    review_scores._KEPT.clear()
    groups._REGISTERS.clear()


def site(n: int, workdir: str):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{workdir}/bench-overview-{n}.db"
    demo_load.demo_schools = lambda seed: demo_schools(seed=seed, n=n)
    db = open_database(url)
    start = time.perf_counter()
    summary = demo_load.load_demo(db)
    print(f"register of {n} schools: {summary.reviews} reviews, {summary.answers} answers "
          f"(loaded in {time.perf_counter() - start:.0f} s)")  # fmt: skip
    admin = users.create_first_admin(db, "bench@example.org", "Bench", PASSWORD)
    users.invite_user(db, admin, "advisor@example.org", "Advisor", "la", la=DEMO_LA)
    advisor_id = next(u.id for u in users.list_users(db, admin) if u.email == "advisor@example.org")
    users.set_password(db, actor_for(db, advisor_id), advisor_id, PASSWORD)
    return url, db, users.authenticate(db, "advisor@example.org", PASSWORD)


def bench(n: int, workdir: str, runs: int = 15) -> None:
    import tests.support.pages as pages
    from tests.support.pages import app_as, open_page

    url, db, advisor = site(n, workdir)
    os.environ.update(DATABASE_URL=url, SEND_REVIEW_DEMO="0")
    st.cache_resource.clear()
    wrapper = Path(workdir) / "timed_app.py"
    wrapper.write_text(TIMED_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
    pages.APP = str(wrapper)

    forget()
    start, cpu_start = time.perf_counter(), time.process_time()
    found = overview.la_overview(db, advisor, FRAMEWORK)
    data_cold = (time.perf_counter() - start) * 1000
    data_cold_cpu = (time.process_time() - cpu_start) * 1000
    start = time.perf_counter()
    overview.la_overview(db, advisor, FRAMEWORK)
    data_warm = (time.perf_counter() - start) * 1000
    print(f"  la_overview ({len(found.schools)} named of {found.completion['schools']}, cycle {found.cycle}): "
          f"cold {data_cold:.0f} ms (CPU {data_cold_cpu:.0f} ms), warm {data_warm:.0f} ms")  # fmt: skip

    forget()
    builtins.__dict__["_bench_script_ms"] = []
    builtins.__dict__["_bench_script_cpu_ms"] = []
    at = open_page(app_as(db, advisor), "overview", framework=FRAMEWORK)
    assert not at.exception, at.exception
    cold = builtins.__dict__["_bench_script_ms"][-1]
    cold_cpu = builtins.__dict__["_bench_script_cpu_ms"][-1]
    warm = timed_runs(at, runs)
    cpu = statistics.median(timed_runs.cpu)  # type: ignore[attr-defined]
    ok = "ok" if statistics.median(warm) < WARM_MS and cold < COLD_MS else "SLOW"
    print(f"  overview page: cold {cold:.0f} ms, CPU {cold_cpu:.0f} ms (target < {COLD_MS}); "
          f"warm median {statistics.median(warm):.0f} ms, p95 {percentile(warm, 95):.0f} ms "
          f"(target < {WARM_MS}) {ok}; warm CPU median {cpu:.0f} ms")  # fmt: skip

    times, cpu_times = [], []
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        book = overview_workbook(overview.la_overview(db, advisor, FRAMEWORK, action="export").document())
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu_start) * 1000)
    ok = "ok" if max(times) < EXPORT_MS else "SLOW"
    print(f"  export workbook ({len(book) // 1024} KB): worst of 3 {max(times):.0f} ms, CPU {max(cpu_times):.0f} ms "
          f"(target < {EXPORT_MS}) {ok}")  # fmt: skip
    db.dispose()


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="send-review-bench-overview-")
    print(f"load average when starting: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for n in (150, 1000):
        bench(n, workdir)


if __name__ == "__main__":
    main()
