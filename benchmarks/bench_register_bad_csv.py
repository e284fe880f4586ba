"""A large register CSV of bad rows: time and peak memory until the problems are reported.

Run: .venv/bin/python benchmarks/bench_register_bad_csv.py [MB]. Before issue #10 a 29 MB file of bad
rows took 46 s and 2.8 GB and printed 4 million problems; reading now stops after 1,000 problems and
the CLI prints the first 200 and a count of the rest. Prints plain numbers.
"""

from __future__ import annotations

import io
import resource
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cli  # noqa: E402

HEADER = (
    "URN,LA (name),EstablishmentName,PhaseOfEducation (code),TypeOfEstablishment (code),NumberOfPupils,PercentageFSM"
)


def bad_csv(megabytes: float) -> bytes:
    """Rows whose every value is wrong: URN, phase, type, pupils and FSM."""
    row = "URN{0},North,School {0},phase,type,many,lots\n"
    out, size, i = [HEADER + "\n"], 0, 0
    while size < megabytes * 1024 * 1024:
        line = row.format(i)
        out.append(line)
        size += len(line)
        i += 1
    return "".join(out).encode()


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 29.0
    data = bad_csv(megabytes)
    with TemporaryDirectory() as folder:
        path = Path(folder) / "bad.csv"
        path.write_bytes(data)
        err = io.StringIO()
        start = time.perf_counter()
        with redirect_stderr(err):
            status = cli.main(["import-register", str(path)])
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = err.getvalue().splitlines()
    print(f"file: {len(data) / 1024 / 1024:.1f} MB; exit status {status}")
    print(f"time: {seconds:.2f} s; peak memory of the process: {peak_mb:.0f} MB")
    print(f"problems printed: {len(lines)}; last line: {lines[-1]}")


if __name__ == "__main__":
    main()
