"""Wall time of `pytest -m smoke` against the healthy reference deployment, against a bare script
that does the same work with no framework (the same requests, the same two signed-in accounts,
the login page rendered in Chromium), and the start-up cost of the suite's plugin. Prints the
medians and the ratio (the harness cost) and writes them to reports/bench-smoke.json. Not a
test: nothing here asserts a time.

The app's login rate limit stays ON (5 sign-ins a minute, as production): the suite resumes the
sessions an earlier run saved, and the bare script resumes sessions signed in once before the
timing, so neither signs in during the timed runs. Runs are paired (suite, bare, suite, bare…)
so a machine busy with something else weighs on both sides alike. Every suite run must be GO.

Usage: .venv/bin/python benchmarks/smoke_time.py [--runs 7] [--port-base 23000]
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
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
ACCOUNTS = {
    "admin@facturino.test": "reference-admin-secret",
    "partner@facturino.test": "reference-partner-secret",
}
LOGIN_FORM = "form#loginForm input[name=email][type=email]"


def timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_suite(env_file: Path, cache: Path) -> None:
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
    env = {**os.environ, "FACTURINO_VERIFY_CACHE_DIR": str(cache)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-2000:]
        sys.exit(f"smoke run not GO on the healthy deployment:\n{output}")


def bare_requests(base: int, home: Path, sessions: dict[str, dict[str, str]]) -> None:
    """The smoke gate's work, concurrently, with plain drivers and no assertions."""
    url = f"https://localhost:{base + 443}"
    context = ssl.create_default_context(cafile=str(home / "tls" / "ca.pem"))
    with httpx.Client(base_url=url, verify=context, timeout=8) as client:
        jobs: list[Callable[[], object]] = [
            lambda p=p: client.get(p, follow_redirects=p == "/admin/login")  # type: ignore[misc]
            for p in PATHS
        ]
        jobs.append(lambda: httpx.get(f"http://localhost:{base + 80}/login", timeout=8))
        jobs.append(lambda: ssl.get_server_certificate(("localhost", base + 443)))
        jobs.append(lambda: _database(base))
        jobs.append(lambda: _redis(base))
        jobs.append(lambda: _render_login(url))
        for cookies in sessions.values():
            jobs.append(lambda c=cookies: _resumed(url, context, c))  # type: ignore[misc]
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


def _render_login(url: str) -> None:
    """The login form exists only once the SPA ran: Chromium loads /login and waits for it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            page = browser.new_context(ignore_https_errors=True).new_page()
            page.goto(url + "/login", wait_until="domcontentloaded", timeout=8000)
            page.wait_for_selector(LOGIN_FORM, timeout=8000)
        finally:
            browser.close()


def _sign_in(url: str, context: ssl.SSLContext, email: str, password: str) -> dict[str, str]:
    """Once, before the timing: the session both accounts then resume in every bare run."""
    with httpx.Client(base_url=url, verify=context, timeout=8) as session:
        session.get("/sanctum/csrf-cookie")
        token = unquote(session.cookies["XSRF-TOKEN"])
        headers = {"X-XSRF-TOKEN": token, "Referer": url + "/", "Accept": "application/json"}
        answer = session.post(
            "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
        )
        answer.raise_for_status()
        return dict(session.cookies.items())


def _resumed(url: str, context: ssl.SSLContext, cookies: dict[str, str]) -> None:
    with httpx.Client(base_url=url, verify=context, timeout=8, cookies=cookies) as session:
        token = unquote(session.cookies["XSRF-TOKEN"])
        headers = {"X-XSRF-TOKEN": token, "Referer": url + "/", "Accept": "application/json"}
        session.get("/api/v1/me", headers=headers).raise_for_status()
        session.get("/api/v1/bootstrap", headers=headers).raise_for_status()


def plugin_import_seconds() -> float:
    """A fresh interpreter importing the plugin and every module it registers with pytest."""
    code = (
        "import time; t = time.perf_counter(); import facturino_verify.plugin as p, importlib; "
        "[importlib.import_module(m) for m in p.pytest_plugins]; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port-base", type=int, default=23000)
    parser.add_argument("--bare-once", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_once:  # the bare script, run as its own process like the suite
        home = Path(args.bare_once)
        sessions = json.loads(Path(args.sessions).read_text()) if args.sessions else {}
        if not sessions:  # signing in is then part of the timed work
            url, ca = f"https://localhost:{args.port_base + 443}", str(home / "tls" / "ca.pem")
            context = ssl.create_default_context(cafile=ca)
            sessions = {e: _sign_in(url, context, e, pw) for e, pw in ACCOUNTS.items()}
        bare_requests(args.port_base, home, sessions)
        return
    result = measure(args.runs, args.port_base)
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-smoke.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def measure(runs: int, base: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="facturino-bench-") as folder:
        home = Path(folder)
        home.chmod(0o755)  # the reference's PostgreSQL runs as postgres and must reach it
        # The rate limit stays as the app has it: nothing lifts it here.
        env = {k: v for k, v in os.environ.items() if k != "FACTURINO_REFERENCE_AUTH_RATE_LIMIT"}
        reference = [str(BIN / "facturino-reference")]
        up = [*reference, "up", "--home", str(home), "--port-base", str(base)]
        subprocess.run(up, env=env, check=True, capture_output=True)
        try:
            return _paired_runs(runs, base, home)
        finally:
            down = [*reference, "down", "--home", str(home)]
            subprocess.run(down, check=False, capture_output=True)


def _paired_runs(runs: int, base: int, home: Path) -> dict[str, Any]:
    env_file, cache = home / "environment.toml", home / "verify-cache"
    url = f"https://localhost:{base + 443}"
    context = ssl.create_default_context(cafile=str(home / "tls" / "ca.pem"))
    sessions_file = home / "bare-sessions.json"
    sessions = {e: _sign_in(url, context, e, pw) for e, pw in ACCOUNTS.items()}
    sessions_file.write_text(json.dumps(sessions))
    run_suite(env_file, cache)  # not timed: signs in and saves the sessions later runs resume
    bare_command = [
        sys.executable,
        __file__,
        "--port-base",
        str(base),
        "--bare-once",
        str(home),
        "--sessions",
        str(sessions_file),
    ]
    suite: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        suite.append(timed(lambda: run_suite(env_file, cache)))
        bare.append(timed(lambda: subprocess.run(bare_command, check=True)))
    imports = [plugin_import_seconds() for _ in range(runs)]
    return {
        "runs": runs,
        "rate_limit": "5/min (the app's own; sessions resumed)",
        "smoke_median_s": round(statistics.median(suite), 3),
        "smoke_runs_s": [round(t, 3) for t in suite],
        "bare_median_s": round(statistics.median(bare), 3),
        "bare_runs_s": [round(t, 3) for t in bare],
        "ratio": round(statistics.median(suite) / statistics.median(bare), 2),
        "plugin_import_median_s": round(statistics.median(imports), 3),
    }


if __name__ == "__main__":
    main()
