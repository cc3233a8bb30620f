"""Daily: "Check error logs" as numbers (runbook; contract §14, §10): failed jobs in the last
24 h below the threshold and not growing, and the share of 5xx responses over the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from facturino_verify.checks import monitoring, trend
from facturino_verify.checks import ops as checks
from facturino_verify.checks.metrics import SKIP_NO_REQUEST_COUNTER, metric_families
from facturino_verify.config import Environment
from facturino_verify.runs import history
from facturino_verify.runs.ops import Ops

pytestmark = pytest.mark.daily


@pytest.mark.db
def test_failed_jobs_last_24h_below_threshold(
    ops: Ops, environment: Environment, record_figure: Callable[[str, float], None]
) -> None:
    windows = ops.failed_windows()
    record_figure("failed_jobs_24h", windows.last_24h)
    checks.expect_failed_below(
        windows.last_24h, environment.queue.failed_jobs_24h_max, windows.by_queue_24h
    )


@pytest.mark.db
def test_failed_jobs_are_not_growing(
    ops: Ops, environment: Environment, run_history: list[dict[str, Any]]
) -> None:
    windows = ops.failed_windows()
    earlier = history.previous(run_history, "failed_jobs_24h")
    if earlier is not None:
        value, at = earlier
        baseline = checks.Baseline(int(value), f"the run of {at:%Y-%m-%d %H:%M} UTC")
    else:
        baseline = checks.Baseline(windows.previous_24h, "the 24 h before, no earlier run recorded")
    checks.expect_not_growing(windows.last_24h, baseline, environment.queue.failed_jobs_growth_max)


SOURCES = [
    pytest.param("metrics", marks=pytest.mark.metrics_auth, id="metrics"),
    pytest.param("prometheus", marks=pytest.mark.prometheus, id="prometheus"),
]


@pytest.mark.parametrize("source", SOURCES)
def test_5xx_share_of_requests_below_threshold(
    source: str,
    request: pytest.FixtureRequest,
    ops: Ops,
    environment: Environment,
    run_history: list[dict[str, Any]],
    record_figure: Callable[[str, float], None],
    record_state: Callable[[str, Any], None],
) -> None:
    c, maximum = environment.monitoring, environment.thresholds.error_rate_5xx_max
    if not c.requests_metric:
        pytest.skip(SKIP_NO_REQUEST_COUNTER)
    if source == "prometheus":
        # The last 24 h as Prometheus kept them (the same PromQL as the monitoring suite's).
        view = request.getfixturevalue("prometheus")
        promql = monitoring.promql_error_rate(
            c.requests_metric, c.status_label, c.prometheus_selector, "24h"
        )
        ratio = view.value(promql)
        record_figure("http_5xx_ratio_percent (prometheus, 24 h)", 100 * ratio)
        checks.expect_ratio_below(ratio, maximum, "over 24 h in Prometheus")
        return
    families = metric_families(ops.metrics_response())
    counters = trend.http_counters(
        families, c.requests_metric, c.status_label, c.latency_metric, c.latency_unit
    )
    checks.expect_http_counters(counters, c.requests_metric)
    assert counters is not None
    record_state("http_counters", counters)
    earlier = history.previous(run_history, "http_counters", section="state")
    previous, at = (earlier[0], f"{earlier[1]:%Y-%m-%d %H:%M} UTC") if earlier else (None, None)
    delta, window = trend.window(counters, previous, at)
    p95 = trend.p95_ms(delta["buckets_ms"])
    if p95 is not None:
        record_figure("http_p95_ms", p95)
    ratio = checks.expect_error_ratio(delta["errors"], delta["requests"], maximum, window)
    record_figure("http_5xx_ratio_percent", 100 * ratio)
