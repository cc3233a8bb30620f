"""Bounded time whatever the target does: against hostile servers on loopback the smoke gate
ends within its budget (+2 s) with a verdict and a written report, and Ctrl-C ends a hanging
run within 2 s, reports included. (A bound on hanging, not a performance figure: before, a
trickling target held a run for 850 s.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from . import hostile_server as hs

ROOT = Path(__file__).resolve().parent.parent
PYTEST = str(Path(sys.executable).parent / "pytest")
BUDGET = 8.0


def env_file(tmp: Path, target: hs.Hostile) -> Path:
    ca = f'ca_file = "{target.ca_file}"\n' if target.ca_file else ""
    path = tmp / "hostile.toml"
    path.write_text(
        f'[target]\nurl = "{target.url}"\nhttp_url = "{target.url.replace("https", "http")}"\n'
        f"{ca}connect_timeout = 1.0\nread_timeout = 3.0\n"
        f"[run]\nbudget_seconds = {BUDGET}\n[allow]\nbrowser = false\n"
    )
    return path


def start_gate(tmp: Path, target: hs.Hostile) -> subprocess.Popen[str]:
    command = [
        PYTEST,
        "-m",
        "smoke",
        f"--env-file={env_file(tmp, target)}",
        f"--reports-dir={tmp / 'reports'}",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def finished(tmp: Path, process: subprocess.Popen[str]) -> tuple[int, dict[str, Any], str]:
    output, _ = process.communicate(timeout=BUDGET + 60)  # the test's own safety net
    summary = json.loads((tmp / "reports" / "summary.json").read_text())
    assert (tmp / "reports" / "report.html").stat().st_size > 0
    assert (tmp / "reports" / "junit.xml").stat().st_size > 0
    return process.returncode, summary, output


@pytest.mark.parametrize(
    ("behaviour", "tls"),
    [
        (hs.trickle, False),
        (hs.hang, True),
        (hs.endless, False),
        (hs.redirect_loop, False),
        (hs.huge_health, False),
    ],
    ids=["trickling-body", "hang-after-tls", "endless-body", "redirect-loop", "50MB-health"],
)
def test_the_gate_ends_within_its_budget_with_a_verdict_and_a_report(
    tmp_path: Path, behaviour: hs.Behaviour, tls: bool
) -> None:
    with hs.hostile(behaviour, tmp_path, tls=tls) as target:
        code, summary, output = finished(tmp_path, start_gate(tmp_path, target))
    assert summary["duration_s"] <= BUDGET + 2, output[-2000:]
    assert summary["verdict"] in ("ROLLBACK", "BLOCKED", "INCONCLUSIVE"), output[-2000:]
    assert code == summary["exit_code"]


def test_a_50mb_health_answer_fails_its_checks_clearly(tmp_path: Path) -> None:
    with hs.hostile(hs.huge_health, tmp_path) as target:
        _, summary, output = finished(tmp_path, start_gate(tmp_path, target))
    health = next(c for c in summary["checks"] if c["name"] == "test_health_returns_200")
    assert health["outcome"] == "failed"
    assert "GET http://127.0.0.1:" in output and "/health: answer too large" in output


def test_ctrl_c_ends_a_hanging_run_within_two_seconds_with_a_report(tmp_path: Path) -> None:
    with hs.hostile(hs.hang, tmp_path, tls=True) as target:
        process = start_gate(tmp_path, target)
        target.wait_for_requests(5)  # well into the run: the probes are waiting on the target
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        code, summary, output = finished(tmp_path, process)
        took = time.monotonic() - sent
    assert took <= 2.0, output[-2000:]
    assert summary["verdict"] == "INCONCLUSIVE" and "interrupted" in summary["reason"]
    assert code == summary["exit_code"] == 13
