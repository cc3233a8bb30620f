"""The weekly restore drill's wall time on each engine's reference data: one healthy reference
deployment with its bucket per engine (`up --with-bucket --db postgresql|mysql`, the same seed),
then `pytest tests_ops -m weekly -k restore` several times against it. Measured per run: the
drill's own wall time as the run records it (`restore_drill_seconds`: newest backup listed and
downloaded from the bucket, unzipped, a throwaway server installed and started — PostgreSQL 15,
or MariaDB for the app's mysql-*.sql.gz —, the dump loaded, the tables, migrations and invoices
read back, the server and its folder removed) and the whole process. Prints the medians and
writes reports/bench-drill-engines.json. Not a test: nothing here asserts a time.

Usage: .venv/bin/python benchmarks/drill_engines.py [--runs 5] [--port-base 26500]
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

from facturino_reference.paths import HomeLayout

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REFERENCE = str(BIN / "facturino-reference")
ENGINES = ("postgresql", "mysql")


def weekly_drill(home: Path) -> float:
    """One whole-process drill run; its wall time (the drill's own is in the history file)."""
    command = [
        *(str(BIN / "pytest"), "tests_ops", "-m", "weekly", "-k", "restore"),
        *(f"--env-file={home / 'environment.toml'}", f"--history-file={home / 'history.jsonl'}"),
        *("-q", "--no-reports", "-p", "no:cacheprovider"),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"drill run failed:\n{done.stdout[-2000:]}")
    return seconds


def newest_backup_bytes(home: Path) -> int:
    """The size of the zip the drill restores (the folder's copy of the bucket's newest)."""
    zips = sorted(HomeLayout(home).backup_dir("Facturino").glob("*.zip"))
    return zips[-1].stat().st_size if zips else 0


def measure(engine: str, runs: int, port_base: int) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix=f"facturino-bench-drill-{engine}-", dir="/tmp"))
    home.chmod(0o755)  # the database server's user walks down to its data directory
    up = [REFERENCE, "up", "--with-bucket", "--db", engine, "--port-base", str(port_base)]
    subprocess.run([*up, "--home", str(home)], check=True, capture_output=True)
    try:
        process = [weekly_drill(home) for _ in range(runs)]
        records = (home / "history.jsonl").read_text().splitlines()
        drill = [json.loads(line)["figures"]["restore_drill_seconds"] for line in records]
        size = newest_backup_bytes(home)
    finally:
        subprocess.run([REFERENCE, "down", "--home", str(home)], capture_output=True, check=False)
    return {
        "backup_zip_bytes": size,
        "restore_drill_median_s": round(statistics.median(drill), 3),
        "weekly_process_median_s": round(statistics.median(process), 3),
        "restore_drill_s": [round(s, 3) for s in drill],
        "weekly_process_s": [round(s, 3) for s in process],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port-base", type=int, default=26500)
    args = parser.parse_args()
    result = {"runs": args.runs} | {e: measure(e, args.runs, args.port_base) for e in ENGINES}
    out = ROOT / "reports" / "bench-drill-engines.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
