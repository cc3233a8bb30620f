"""Wall time of `pytest -m smoke` against the healthy reference deployment, against a bare script
that makes the same requests with no framework. Prints the medians and the ratio (harness cost)
and writes them to reports/bench-smoke.json. Not a test: nothing here asserts a time.

Usage: .venv/bin/python benchmarks/smoke_time.py [--runs 5] [--port-base 23000]
Both sides are timed as whole processes (interpreter start included).
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PATHS = [
    "/up",
    "/health",
    "/ping",
    "/api/ping",
    "/admin/login",
    "/installation",
    "/api/v1/installation/requirements",
    "/metrics",
    "/_ignition/health-check",
    "/_debugbar/open",
    "/telescope",
    "/api/v1/facturino-verify-not-found-probe",
]


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def run_suite(env_file: Path) -> None:
    command = [
        str(BIN / "pytest"),
        "-m",
        "smoke",
        f"--env-file={env_file}",
        "-q",
        "--no-reports",
        "-p",
        "no:cacheprovider",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-2000:]
        sys.exit(f"smoke run failed on the healthy deployment:\n{output}")


def bare_requests(base: int, home: Path) -> None:
    """The smoke gate's requests, concurrently, with plain drivers and no assertions."""
    url = f"https://localhost:{base + 443}"
    context = ssl.create_default_context(cafile=str(home / "tls" / "ca.pem"))
    with httpx.Client(base_url=url, verify=context, timeout=8) as client:
        jobs = [lambda p=p: client.get(p, follow_redirects=p == "/admin/login") for p in PATHS]
        jobs.append(lambda: httpx.get(f"http://localhost:{base + 80}/login", timeout=8))
        jobs.append(lambda: ssl.get_server_certificate(("localhost", base + 443)))
        jobs.append(lambda: _database(base))
        jobs.append(lambda: _redis(base))
        jobs.append(lambda: _login(url, context, "admin@facturino.test", "reference-admin-secret"))
        jobs.append(
            lambda: _login(url, context, "partner@facturino.test", "reference-partner-secret")
        )
        with ThreadPoolExecutor(16) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()


def _database(base: int) -> None:
    with psycopg.connect(
        host="127.0.0.1",
        port=base + 432,
        dbname="facturino",
        user="facturino",
        password="reference-db-secret",
    ) as conn:
        conn.execute("SELECT 1").fetchall()
        conn.execute("SELECT migration FROM migrations").fetchall()
        conn.execute("SELECT count(*) FROM jobs").fetchall()
        conn.execute("SELECT count(*) FROM failed_jobs").fetchall()


def _redis(base: int) -> None:
    r = redis.Redis(port=base + 379, password="reference-redis-secret", db=1)
    r.set("facturino_mkaccounting_cachebench", b"x", ex=10)
    r.get("facturino_mkaccounting_cachebench")
    r.delete("facturino_mkaccounting_cachebench")


def _login(url: str, context: ssl.SSLContext, email: str, password: str) -> None:
    with httpx.Client(base_url=url, verify=context, timeout=8) as session:
        session.get("/sanctum/csrf-cookie")
        token = unquote(session.cookies["XSRF-TOKEN"])
        headers = {"X-XSRF-TOKEN": token, "Referer": url + "/", "Accept": "application/json"}
        session.post(
            "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
        )
        session.get("/api/v1/bootstrap", headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port-base", type=int, default=23000)
    parser.add_argument("--bare-once", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_once:  # the bare script, run as its own process like the suite
        bare_requests(args.port_base, Path(args.bare_once))
        return
    home = Path(tempfile.mkdtemp(prefix="facturino-bench-"))
    env = {**os.environ, "FACTURINO_REFERENCE_AUTH_RATE_LIMIT": "1000"}
    reference = [str(BIN / "facturino-reference")]
    subprocess.run(
        [*reference, "up", "--home", str(home), "--port-base", str(args.port_base)],
        env=env,
        check=True,
        capture_output=True,
    )
    try:
        env_file = home / "environment.toml"
        suite = [timed(lambda: run_suite(env_file)) for _ in range(args.runs)]
        bare_command = [
            sys.executable,
            __file__,
            "--port-base",
            str(args.port_base),
            "--bare-once",
            str(home),
        ]
        bare = [timed(lambda: subprocess.run(bare_command, check=True)) for _ in range(args.runs)]
    finally:
        subprocess.run([*reference, "down", "--home", str(home)], check=False, capture_output=True)
    result = {
        "runs": args.runs,
        "smoke_median_s": round(statistics.median(suite), 3),
        "smoke_runs_s": [round(t, 3) for t in suite],
        "bare_median_s": round(statistics.median(bare), 3),
        "bare_runs_s": [round(t, 3) for t in bare],
        "ratio": round(statistics.median(suite) / statistics.median(bare), 1),
    }
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-smoke.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
