"""Wall time of the scheduled runs against the healthy reference deployment (with its bucket):
`pytest -m daily` and `pytest -m weekly` as whole processes, and the restore drill's own wall
time as the weekly run records it. Prints the medians and writes reports/bench-ops.json.
Not a test: nothing here asserts a time.

Usage: .venv/bin/python benchmarks/ops_time.py [--runs 3] [--port-base 26500]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(env_file: Path, marker: str, history: Path) -> float:
    command = [
        str(BIN / "pytest"),
        "tests_ops",
        "-m",
        marker,
        f"--env-file={env_file}",
        f"--history-file={history}",
        "-q",
        "--no-reports",
        "-p",
        "no:cacheprovider",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{marker} run failed:\n{done.stdout[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port-base", type=int, default=26500)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="facturino-bench-ops-"))
    reference = str(BIN / "facturino-reference")
    up = [reference, "up", "--with-bucket", "--home", str(home), "--port-base", str(args.port_base)]
    subprocess.run(up, check=True, capture_output=True)
    try:
        env_file, history = home / "environment.toml", home / "history.jsonl"
        daily = [run(env_file, "daily", history) for _ in range(args.runs)]
        weekly = [run(env_file, "weekly", history) for _ in range(args.runs)]
        records = [json.loads(line) for line in history.read_text().splitlines()]
        drill = [
            r["figures"]["restore_drill_seconds"] for r in records if "weekly" in r["selection"]
        ]
    finally:
        subprocess.run([reference, "down", "--home", str(home)], capture_output=True, check=False)
    result = {
        "runs": args.runs,
        "daily_median_s": round(statistics.median(daily), 3),
        "weekly_median_s": round(statistics.median(weekly), 3),
        "restore_drill_median_s": round(statistics.median(drill), 3),
        "daily_s": [round(s, 3) for s in daily],
        "weekly_s": [round(s, 3) for s in weekly],
        "restore_drill_s": drill,
    }
    out = ROOT / "reports" / "bench-ops.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
