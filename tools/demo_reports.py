"""The reports a stakeholder reads, for a good and a bad run of each suite, with their tops as PNG.

Each case is its own reference deployment (its own ports and auth ledger), the suite run against
it as an operator would, the deployment removed, and the top of its report rendered by Chromium:

    reports/demo/<suite>-<good|bad>/report.html     the report (junit.xml, summary.json beside it)
    reports/report-top-<suite>-<good|bad>.png        what is seen first

Usage: .venv/bin/python tools/demo_reports.py [--only smoke,daily]   (part of `make demo`)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPORTS = ROOT / "reports"
# The default deployment's base (tests/README.md): one case at a time, each removed before the
# next, each with its own auth ledger.
PORT_BASE = 18000


@dataclass(frozen=True)
class Case:
    suite: str
    label: str  # good / bad
    marker: str
    faults: tuple[str, ...] = ()
    up: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()


# Short deadlines for the perf queue probe: the reference's worker answers in well under them.
PERF = (
    ("FACTURINO_VERIFY__PERF__QUEUE_DRAIN_DEADLINE_SECONDS", "4"),
    ("FACTURINO_VERIFY__PERF__QUEUE_PROBE_DEADLINE_SECONDS", "4"),
)
CASES = (
    Case("smoke", "good", "smoke"),
    Case("smoke", "bad", "smoke", ("debug_mode",)),
    Case("features", "good", "features", paths=("tests_features",)),
    Case("features", "bad", "features", ("partner_mocked_data",), paths=("tests_features",)),
    Case("perf", "good", "perf", paths=("tests_perf",), settings=PERF),
    Case("perf", "bad", "perf", ("slow_dashboard",), paths=("tests_perf",), settings=PERF),
    Case("daily", "good", "daily", up=("--with-bucket",), paths=("tests_ops",)),
    Case("daily", "bad", "daily", ("backup_stale",), ("--with-bucket",), ("tests_ops",)),
)


def reference(command: str, home: Path, *extra: str) -> None:
    done = subprocess.run(
        [str(BIN / "facturino-reference"), command, "--home", str(home), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if command == "up" and done.returncode != 0:
        sys.exit(f"demo: facturino-reference up failed: {done.stdout}{done.stderr}")


def run_case(case: Case, base: int) -> str:
    """The case's verdict (from its summary.json), with its report and screenshot written."""
    out = REPORTS / "demo" / f"{case.suite}-{case.label}"
    home = Path(tempfile.mkdtemp(prefix="facturino-demo-", dir="/tmp"))
    faults = [arg for fault in case.faults for arg in ("--fault", fault)]
    try:
        reference("up", home, "--port-base", str(base), *faults, *case.up)
        env = {**os.environ, "FACTURINO_VERIFY_CACHE_DIR": str(home / "verify-cache")}
        env.update(dict(case.settings))
        target = [f"--env-file={home / 'environment.toml'}", f"--reports-dir={out}"]
        subprocess.run(
            [str(BIN / "pytest"), "-m", case.marker, *case.paths, "-q", *target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=False,
        )
    finally:
        reference("down", home)
    png = REPORTS / f"report-top-{case.suite}-{case.label}.png"
    shot = [sys.executable, str(ROOT / "tools" / "report_screenshot.py"), str(out / "report.html")]
    subprocess.run([*shot, str(png)], capture_output=True, check=False)
    summary = json.loads((out / "summary.json").read_text())
    return f"{summary['verdict']}: {summary['reason']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated suites (default: all)")
    only = {s for s in parser.parse_args().only.split(",") if s}
    for case in (c for c in CASES if not only or c.suite in only):
        verdict = run_case(case, PORT_BASE)
        print(f"{case.suite:<9} {case.label:<4} {verdict[:150]}")


if __name__ == "__main__":
    main()
