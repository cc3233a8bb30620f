"""Wall time of the smoke, feature and perf runs against the healthy reference deployment, each
as a whole process (median of N), and of the bare smoke script (smoke_time.py: the same
requests, no framework): the harness overhead is smoke / bare. Writes reports/bench-suites.json.
Not a test: nothing is asserted; `make test` does not run it.

Usage: .venv/bin/python benchmarks/suite_time.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from facturino_reference import free_port_base

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SMOKE_TIME = Path(__file__).resolve().parent / "smoke_time.py"
SUITES = ("smoke", "features", "perf")


def timed_suite(marker: str, env_file: Path, env: dict[str, str]) -> tuple[float, int]:
    command = [
        str(BIN / "pytest"),
        "-m",
        marker,
        f"--env-file={env_file}",
        "-q",
        "--no-reports",
        f"--reports-dir={env_file.parent / 'bench-reports'}",
        "-p",
        "no:cacheprovider",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="facturino-bench-suites-"))
    base = free_port_base()
    # Several runs log in several times: lift the auth limiter (5/min) for the benchmark only.
    env = {**os.environ, "FACTURINO_REFERENCE_AUTH_RATE_LIMIT": "1000"}
    reference = [str(BIN / "facturino-reference")]
    up = [*reference, "up", "--home", str(home), "--port-base", str(base)]
    subprocess.run(up, env=env, check=True, capture_output=True)
    times: dict[str, list[float]] = {suite: [] for suite in SUITES}
    codes: dict[str, list[int]] = {suite: [] for suite in SUITES}
    bare: list[float] = []
    try:
        for _ in range(args.runs):
            for suite in SUITES:
                seconds, code = timed_suite(suite, home / "environment.toml", env)
                times[suite].append(seconds)
                codes[suite].append(code)
            start = time.perf_counter()
            bare_command = [sys.executable, str(SMOKE_TIME), "--port-base", str(base)]
            subprocess.run([*bare_command, "--bare-once", str(home)], check=True)
            bare.append(time.perf_counter() - start)
    finally:
        subprocess.run([*reference, "down", "--home", str(home)], check=False, capture_output=True)
    result: dict[str, object] = {"runs": args.runs}
    for suite in SUITES:
        result[f"{suite}_median_s"] = round(statistics.median(times[suite]), 3)
        result[f"{suite}_runs_s"] = [round(t, 3) for t in times[suite]]
        result[f"{suite}_exit_codes"] = codes[suite]
    result["bare_smoke_median_s"] = round(statistics.median(bare), 3)
    result["bare_smoke_runs_s"] = [round(t, 3) for t in bare]
    result["harness_overhead_ratio"] = round(
        statistics.median(times["smoke"]) / statistics.median(bare), 1
    )
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-suites.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
