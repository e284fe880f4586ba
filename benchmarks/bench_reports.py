"""How long the written report takes, and how much memory, for the largest built-in framework with every chart.

An agreed review of the built-in framework with the most questions, every question answered with an
evidence note (a few with emoji, right-to-left text and very long words, one of 10,000 characters),
a comparison with 12 similar schools,
self-review against agreed, and 20 actions with notes: everything the report can draw. Each format runs
in a fresh process (imports included, as a first download after a restart would): wall time and the
process's peak resident memory. Targets: under 5 s and under 300 MB each.
Run: ``.venv/bin/python benchmarks/bench_reports.py``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SECONDS = 5.0
TARGET_MB = 300
PLAIN = "Minutes of the governors' meeting, autumn term; the SEN register summary in the SENCO's file. "
AWKWARD = "Kept in the SEN office 🗂️; ملاحظات المعلم; " + "Supercalifragilisticexpialidocious" * 3


@dataclass(frozen=True)
class _Note:
    noted_on: date
    text: str
    by: str = "SENCO"


@dataclass(frozen=True)
class _Action:
    what: str
    domain_id: str
    lead: str
    due_on: date | None
    success: str
    status: str
    cycle: str = "2025/26"
    criteria: tuple[str, ...] = ()
    notes: tuple[_Note, ...] = field(default=())


def _source():  # type: ignore[no-untyped-def]
    import pandas as pd

    from data.comparison import Measure
    from framework.library import builtin_frameworks
    from framework.models import ReviewContext, applicable_criteria
    from scoring import criterion_contributions, score_review
    from scoring.peers import compare

    fw = max(builtin_frameworks(), key=lambda f: sum(1 for _ in f.criteria))
    context = ReviewContext.of("secondary", resourced_provision=True)
    rows = []
    for i, c in enumerate(applicable_criteria(fw, context)):
        if c.kind == "rating":
            value = fw.scale_of(c).levels[i % len(fw.scale_of(c).levels)].label
        elif c.kind == "yes_no":
            value = "yes" if i % 5 else "no"
        elif c.kind == "number":
            value = str(5 + i % 20)
        else:
            value = AWKWARD
        note = PLAIN if i % 30 else AWKWARD + ("; " + PLAIN * 60 if i == 0 else "")  # one 10,000-character note
        rows.append({"criterion_id": c.id, "response": value, "evidence": note})
    answers = pd.DataFrame(rows)
    score = score_review(fw, answers, context)
    peers = [40.0 + 3 * k for k in range(12)]
    measures = [Measure(d.domain_id, d.title, d.percent, d.band, compare(d.percent, peers)) for d in score.domains]
    overall = Measure(
        "overall", "Overall", score.overall.percent, score.overall.band, compare(score.overall.percent, peers)
    )
    comparison = SimpleNamespace(
        summary=lambda: "Compared with 12 of 12 similar schools.",
        noun="similar schools",
        overall=overall,
        domains=measures,
    )
    today = date(2026, 3, 1)
    actions = [
        _Action(
            f"Action {k}: {AWKWARD}",
            score.domains[k % len(score.domains)].domain_id,
            "SENCO" if k % 3 else "",
            today + timedelta(days=30 * (k - 5)),
            "Checked termly",
            ["not_started", "on_track", "at_risk", "done"][k % 4],
            notes=(_Note(today, AWKWARD),),
        )
        for k in range(20)
    ]
    return SimpleNamespace(
        about={"School": "Benchmark Academy", "URN": "999999", "Review cycle": "2025/26"},
        school_name="Benchmark Academy",
        reviewer="Peer reviewer",
        reviewed_on=today,
        role="agreed",
        demo=True,
        framework=fw,
        answers=answers,
        score=score,
        contributions=criterion_contributions(fw, answers, context),
        context=context,
        include_evidence=True,
        actions=actions,
        carried=[],
        comparison=comparison,
        comparison_note="",
        self_score=score,
        lines_of_enquiry=["How is SENCO time protected?"] * 5,
        today=today,
    )


def one(fmt: str) -> None:
    started = time.perf_counter()
    from exports.report import write_report

    source = _source()
    imported = time.perf_counter()
    data = write_report(source, fmt)
    seconds = time.perf_counter() - started
    print(f"(imports and scoring {imported - started:.2f} s, report {seconds - imported + started:.2f} s)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{fmt}\t{seconds:.2f}\t{peak_mb:.0f}\t{len(data)}")


def main() -> int:
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine is shared)")
    for fmt in ("docx", "pdf"):
        out = subprocess.run([sys.executable, __file__, "--one", fmt], capture_output=True, text=True, check=True)
        name, seconds, peak, size = out.stdout.strip().splitlines()[-1].split("\t")
        ok = float(seconds) < TARGET_SECONDS and float(peak) < TARGET_MB
        print(
            f"{name:5} {float(seconds):5.2f} s {out.stdout.splitlines()[0]}  "
            f"peak {peak:>4} MB  {int(size) // 1024} KB  "
            f"{'ok' if ok else 'OVER TARGET'} (targets {TARGET_SECONDS:.0f} s, {TARGET_MB} MB)"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        one(sys.argv[2])
    else:
        sys.exit(main())
