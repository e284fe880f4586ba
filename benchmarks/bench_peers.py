"""How long peer sets take for every state-funded school in England (about 21,600) in one call.

Run: .venv/bin/python benchmarks/bench_peers.py. Prints plain numbers; the target is under 5 s.
Synthetic schools follow the national phase mix and school sizes of DfE "Schools, pupils and their
characteristics" (January 2024).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.peers import peer_sets

N_SCHOOLS = 21_600
TARGET_SECONDS = 5.0
# phase, type, share of schools, median pupils, sigma, clip (figures.md sections 2 and 6)
MIX = [
    ("primary", "mainstream", 0.776, 230, 0.65, (20, 800)),
    ("secondary", "mainstream", 0.160, 1000, 0.35, (350, 2200)),
    ("special", "special", 0.049, 120, 0.5, (30, 350)),
    ("secondary", "alternative_provision", 0.015, 45, 0.5, (10, 150)),
]


def synthetic_register(n: int = N_SCHOOLS, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for phase, school_type, share, median, sigma, (low, high) in MIX:
        m = round(n * share)
        pupils = np.clip(np.round(median * np.exp(sigma * rng.standard_normal(m))), low, high)
        frames.append(
            pd.DataFrame(
                {
                    "phase": phase,
                    "type": school_type,
                    "pupils": pupils,
                    "fsm_pct": 100 * rng.beta(2.5, 7.5, m),
                    "sen_support_pct": np.clip(rng.normal(13.5, 4.5, m), 2, 35),
                    "ehcp_pct": 100 * rng.beta(3, 97, m),
                }
            )
        )
    register = pd.concat(frames, ignore_index=True)
    register.loc[rng.random(len(register)) < 0.02, "fsm_pct"] = np.nan  # some missing values, as in GIAS
    register.insert(0, "urn", [str(100000 + i) for i in rng.permutation(len(register))])
    return register


def main(repeats: int = 3) -> None:
    register = synthetic_register()
    wall, cpu = [], []
    for _ in range(repeats):  # best of a few: the machine may be busy with other work
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        sets = peer_sets(register, k=30)
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    peer_sets(register, k=30)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"schools {len(register)}")
    print(f"peer_sets_seconds_best {min(wall):.2f}")
    print(f"peer_sets_seconds_worst {max(wall):.2f}")
    print(f"cpu_seconds_best {min(cpu):.2f}")
    print(f"peak_memory_mb {peak / 1e6:.0f}")
    print(f"peers_per_school {min(len(v) for v in sets.values())}")
    print(f"target_seconds {TARGET_SECONDS:.1f} {'ok' if min(wall) < TARGET_SECONDS else 'SLOW'}")


if __name__ == "__main__":
    main()
