"""The verdict end to end: the smoke gate against the reference deployment, healthy and broken,
judged by exit code, terminal block, summary.json and the HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from facturino_verify.verdict import EXIT_CODES

from .reference_runs import SuiteRun, reference, run_suite

pytestmark = pytest.mark.fault_matrix
# One base per test: xdist runs them side by side (two on one base collided: port in use).
PORT_BASES = {"healthy": 27000, "summary": 27250, "debug_mode": 27500, "no_hsts": 27750}


def gate(fault: str | None, base: int) -> tuple[SuiteRun, Any, str]:
    with reference(base, [fault] if fault else []) as home:
        reports = home / "reports"
        run = run_suite(home, "smoke", reports_dir=reports)
        summary = json.loads((reports / "summary.json").read_text())
        return run, summary, (reports / "report.html").read_text()


def test_healthy_deployment_is_go() -> None:
    run, summary, report = gate(None, PORT_BASES["healthy"])
    assert (run.exit_code, summary["verdict"]) == (0, "GO")
    assert run.output.rstrip().splitlines()[-2].startswith("VERDICT: GO")
    assert summary["counts"]["critical"]["ran"] > 0
    assert "Release verdict: GO" in report


def test_debug_mode_is_rollback_with_scenario_1() -> None:
    run, summary, report = gate("debug_mode", PORT_BASES["debug_mode"])
    assert (run.exit_code, summary["verdict"]) == (EXIT_CODES["ROLLBACK"], "ROLLBACK")
    assert summary["scenario"]["name"] == "bad_deployment"
    assert any("railway rollback" in step for step in summary["scenario"]["steps"])
    assert "railway rollback" in run.output.splitlines()[-1]
    assert "Release verdict: ROLLBACK" in report


def test_warning_only_failure_is_degraded() -> None:
    # The environment downgrades HSTS to a warning, and no_hsts breaks only that check.
    overrides = {"FACTURINO_VERIFY__SEVERITY__TEST_HSTS_MATCHES_APP_ENV": "warning"}
    with reference(PORT_BASES["no_hsts"], ["no_hsts"]) as home:
        run = run_suite(home, "smoke", overrides=overrides)
    assert run.named("failed") == {"test_hsts_matches_app_env"}
    assert run.exit_code == EXIT_CODES["DEGRADED"]


def test_summary_lists_every_check_with_severity(tmp_path: Path) -> None:
    _, summary, _ = gate(None, PORT_BASES["summary"])
    severities = {check["severity"] for check in summary["checks"]}
    assert severities <= {"critical", "major", "warning"}
    assert all(check["outcome"] == "passed" for check in summary["checks"])
