"""Re-runs against one healthy reference deployment with the app's login rate limit ON (5 auth
calls per minute per IP, as production): N back-to-back smoke runs, then M features→smoke pairs,
then R redeploy cycles (`facturino-reference up` again on the same home: a new APP_KEY, the
sessions the runs saved forgotten by the app; then smoke and features). Every verdict must be GO;
anything else is printed with its reason. Writes reports/bench-reruns.json. Not a test (it takes
minutes), the measurement behind issue 11.

Usage: .venv/bin/python benchmarks/reruns.py [--smoke 20] [--pairs 5] [--redeploys 0]
                                             [--port-base 23500]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(marker: str, env_file: Path, cache: Path) -> tuple[str, float, str]:
    """One whole-process run: (verdict, seconds, reason)."""
    with tempfile.TemporaryDirectory(prefix="bench-reruns-") as folder:
        return _run_in(marker, env_file, cache, Path(folder))


def _run_in(marker: str, env_file: Path, cache: Path, reports: Path) -> tuple[str, float, str]:
    command = [
        str(BIN / "pytest"),
        "-m",
        marker,
        f"--env-file={env_file}",
        f"--reports-dir={reports}",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    # The rate limit stays as the app has it: nothing lifts it here.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTURINO_VERIFY__")}
    env["FACTURINO_VERIFY_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    summary = json.loads((reports / "summary.json").read_text())
    shutil.rmtree(reports, ignore_errors=True)
    return summary["verdict"], seconds, summary["reason"]


def record(
    runs: list[dict[str, object]], kind: str, n: int, marker: str, env_file: Path, cache: Path
) -> None:
    verdict, seconds, reason = run(marker, env_file, cache)
    runs.append({"kind": kind, "n": n, "verdict": verdict, "s": round(seconds, 2)})
    print(f"{kind} {n}: {verdict} {seconds:.1f}s" + ("" if verdict == "GO" else f" {reason}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--redeploys", type=int, default=0)
    parser.add_argument("--port-base", type=int, default=23500)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-reruns-home-", dir="/tmp"))
    # Outside the home: `up` replaces the home, and the runs' saved sessions must outlive it.
    cache = Path(tempfile.mkdtemp(prefix="bench-reruns-cache-", dir="/tmp"))
    reference = str(BIN / "facturino-reference")
    env = {k: v for k, v in os.environ.items() if k != "FACTURINO_REFERENCE_AUTH_RATE_LIMIT"}
    up = [reference, "up", "--home", str(home), "--port-base", str(args.port_base)]
    subprocess.run(up, check=True, capture_output=True, env=env)
    runs: list[dict[str, object]] = []
    try:
        env_file = home / "environment.toml"
        for i in range(args.smoke):
            verdict, seconds, reason = run("smoke", env_file, cache)
            runs.append({"kind": "smoke", "n": i + 1, "verdict": verdict, "s": round(seconds, 2)})
            print(
                f"smoke {i + 1:2}: {verdict} {seconds:.1f}s"
                + ("" if verdict == "GO" else f" {reason}")
            )
        for i in range(args.pairs):
            for marker in ("features", "smoke"):
                verdict, seconds, reason = run(marker, env_file, cache)
                runs.append(
                    {
                        "kind": f"pair {marker}",
                        "n": i + 1,
                        "verdict": verdict,
                        "s": round(seconds, 2),
                    }
                )
                print(
                    f"pair {i + 1} {marker:8}: {verdict} {seconds:.1f}s"
                    + ("" if verdict == "GO" else f" {reason}")
                )
        for i in range(args.redeploys):
            subprocess.run(up, check=True, capture_output=True, env=env)
            for marker in ("smoke", "features"):
                record(runs, f"redeploy {marker}", i + 1, marker, env_file, cache)
    finally:
        subprocess.run([reference, "down", "--home", str(home)], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)  # the ledger and the saved sessions
    verdicts = collections.Counter(str(r["verdict"]) for r in runs)
    result = {"runs": runs, "verdicts": dict(verdicts), "rate_limit": "5/min (the app's own)"}
    out = ROOT / "reports" / "bench-reruns.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"verdicts: {dict(verdicts)} → {out}")
    return 0 if set(verdicts) == {"GO"} else 1


if __name__ == "__main__":
    sys.exit(main())
