"""What a stakeholder reads in the HTML report: the right heading, no false red, the right row."""

from __future__ import annotations

from facturino_verify.report.html import budget_chart, latency_chart, verdict_heading
from facturino_verify.verdict import CheckResult
from facturino_verify.verdict.table import fill


def ran(nodeid: str, outcome: str = "passed") -> CheckResult:
    return CheckResult(nodeid, nodeid.rsplit("::", 1)[-1], "major", "bad_deployment", outcome)


def test_daily_and_weekly_runs_are_headed_as_operations_not_a_release() -> None:
    ops = [ran("tests_ops/test_backups_ran.py::test_newest_backup_is_recent[folder]")]
    smoke = [ran("tests_smoke/test_availability.py::test_up_returns_200_application_up")]
    assert verdict_heading(ops) == "Operations verdict"
    assert verdict_heading(smoke) == "Release verdict"
    assert verdict_heading([*ops, *smoke]) == "Release verdict"


def test_concurrent_smoke_probe_times_are_never_drawn_red_against_the_budget() -> None:
    chart = latency_chart({"login_page": 450.0, "up": 20.0}, 200.0)
    assert "#cf222e" not in chart and "not the 200 ms page budget" in chart


def test_the_perf_chart_marks_an_endpoint_over_its_budget() -> None:
    chart = budget_chart(
        "Response time per endpoint", "means", {"dashboard": 250.0, "up": 10.0}, 200.0
    )
    assert chart.count('fill="#cf222e"/>') == 1 and "budget 200 ms" in chart


def test_a_features_run_signing_in_fills_login_not_performance() -> None:
    name = (
        "tests_features/test_login_browser.py::test_admin_signs_in_reaches_dashboard_and_signs_out"
    )
    rows = {row.row.feature: row.result for row in fill([ran(name)])}
    assert rows["Login"] == "PASS" and rows["Performance"] == "NOT RUN"
