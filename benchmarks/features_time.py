"""Wall time of `pytest -m features` (browser flows included) against the healthy reference
deployment, and the time of each flow. Not a test: nothing here asserts a time.

Each run gets a fresh deployment (the app allows 5 auth calls per minute per IP and a features
run spends all 5, so two runs against one deployment within a minute would see 429s). Reported:
the whole process (interpreter start included), pytest's own session time, and per flow the sum
of its tests' JUnit times (setup + call + teardown, so a shared fixture counts where it is first
used). Writes reports/bench-features.json.

Usage: .venv/bin/python benchmarks/features_time.py [--runs 3] [--port-base BASE]
(default: a free base from `free_port_base()`, outside the test matrices' port ranges)
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
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from facturino_reference import free_port_base

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Test module → runbook feature row.
FLOWS = {
    "test_login_api": "login (API)",
    "test_login_browser": "login (browser)",
    "test_invoice": "invoice + PDF",
    "test_invoice_browser": "invoice (browser)",
    "test_efaktura": "e-Faktura",
    "test_banking": "banking",
    "test_payment": "payment",
    "test_partner": "partner (API)",
    "test_partner_browser": "partner (browser)",
}


def one_run(port_base: int) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="facturino-bench-features-"))
    reference = str(BIN / "facturino-reference")
    subprocess.run(
        [reference, "up", "--home", str(home), "--port-base", str(port_base)],
        check=True,
        capture_output=True,
    )
    try:
        junit = home / "junit.xml"
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTURINO_VERIFY__")}
        command = [
            str(BIN / "pytest"),
            "tests_features",
            "-m",
            "features",
            f"--env-file={home / 'environment.toml'}",
            "--no-reports",
            f"--junitxml={junit}",
            f"--output={home / 'artifacts'}",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"the features run failed:\n{done.stdout[-3000:]}{done.stderr}")
        return {"wall": wall, **_junit_times(junit)}
    finally:
        subprocess.run([reference, "down", "--home", str(home)], capture_output=True)


def _junit_times(path: Path) -> dict[str, object]:
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    flows: dict[str, float] = defaultdict(float)
    for case in suite.iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        flows[FLOWS.get(module, module)] += float(case.get("time", 0))
    return {"session": float(suite.get("time", 0)), "flows": dict(flows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port-base", type=int, default=None)
    args = parser.parse_args()
    base = args.port_base if args.port_base is not None else free_port_base()
    runs = [one_run(base) for _ in range(args.runs)]
    walls = [float(r["wall"]) for r in runs]  # type: ignore[arg-type]
    sessions = [float(r["session"]) for r in runs]  # type: ignore[arg-type]
    names = sorted({n for r in runs for n in r["flows"]})  # type: ignore[attr-defined]
    flows = {
        n: statistics.median(float(r["flows"].get(n, 0.0)) for r in runs)  # type: ignore[attr-defined]
        for n in names
    }
    result = {
        "runs": args.runs,
        "wall_median_s": round(statistics.median(walls), 2),
        "wall_s": [round(w, 2) for w in walls],
        "pytest_session_median_s": round(statistics.median(sessions), 2),
        "flows_median_s": {n: round(t, 2) for n, t in sorted(flows.items(), key=lambda x: -x[1])},
    }
    out = ROOT / "reports" / "bench-features.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
