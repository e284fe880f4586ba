"""Agreement statistics for 1,000 peer review visits in one call (target under 2 s).

Run: .venv/bin/python benchmarks/bench_agreement.py. Each visit: a self-review, two reviewers and
an agreed review of the largest built-in framework, about 90% answered, ratings scattered around a
school's true level so the statistics have something to measure.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framework.library import builtin_framework
from scoring.agreement import agreement_for_visits

N_VISITS = 1_000
TARGET_SECONDS = 2.0
RATERS = (("self", "self"), ("r1", "peer"), ("r2", "la"), ("agreed", "agreed"))


def synthetic_visits(
    framework_id: str = "send-review", n: int = N_VISITS, seed: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    framework = builtin_framework(framework_id)
    rng = np.random.default_rng(seed)
    criteria = [c for c in framework.criteria if c.kind == "rating" and not c.scale]
    labels = [lv.label for lv in framework.default_scale.levels]
    raters = pd.DataFrame(
        [
            {"visit_id": v, "rater": key, "role": role, "phase": "secondary", "resourced_provision": True}
            for v in range(n)
            for key, role in RATERS
        ]
    )
    truth = rng.integers(0, len(labels), size=(n, len(criteria)))
    parts = []
    for key, _ in RATERS:
        shift = 0.4 if key == "self" else 0.0
        level = np.clip(np.rint(truth + shift + rng.normal(0, 0.6, truth.shape)), 0, len(labels) - 1).astype(int)
        keep = rng.random(truth.shape) < 0.9
        v, c = np.nonzero(keep)
        parts.append(
            pd.DataFrame(
                {
                    "visit_id": v,
                    "rater": key,
                    "criterion_id": np.array([x.id for x in criteria], dtype=object)[c],
                    "response": np.array(labels, dtype=object)[level[v, c]],
                }
            )
        )
    return pd.concat(parts, ignore_index=True), raters


def main() -> int:
    framework = builtin_framework("send-review")
    responses, raters = synthetic_visits()
    times, cpu = [], []
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = agreement_for_visits(framework, responses, raters)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(times)
    print(
        f"agreement for {len(result)} visits ({len(responses):,} answers, 4 raters each): median {median:.2f} s "
        f"of {[round(t, 2) for t in times]} (target < {TARGET_SECONDS} s); CPU median {statistics.median(cpu):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
