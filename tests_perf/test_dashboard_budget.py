"""Runbook 'Performance Checks': the dashboard answers in < 200 ms on average.

Timed as the SPA loads it (the page, bootstrap, the dashboard data) over the admin's kept-alive
session, with warm-up rounds first; the SlowResponseTime alert line (p95 > 1 s) holds too.
"""

from __future__ import annotations

from typing import Any

import pytest

from facturino_verify.checks import perf
from facturino_verify.config import Environment
from facturino_verify.runs.perf import EndpointTimer, PerfRun

pytestmark = [pytest.mark.perf, pytest.mark.admin_account]


def test_dashboard_response_time_within_budget(
    perf_timer: EndpointTimer, benchmark: Any, endpoint: str, environment: Environment
) -> None:
    measurement = perf_timer.budget(benchmark, endpoint)
    perf.expect_within_budget(measurement, environment.perf.budget_ms, environment.perf.p95_max_ms)


@pytest.mark.perf_baseline
def test_dashboard_no_regression_against_baseline(
    perf_run: PerfRun, endpoint: str, environment: Environment
) -> None:
    mean, source = perf_run.baseline_mean(endpoint)
    p = environment.perf
    perf.expect_no_regression(
        perf_run.measurement(endpoint), mean, p.regression_percent, p.regression_min_ms, source
    )
