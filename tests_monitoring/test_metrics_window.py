"""Runbook 'Monitoring Dashboard' (Grafana: response time < 200 ms avg, error rate < 1 %,
queue depth < 100; alert SlowResponseTime: p95 > 1 s), read from /metrics itself: two scrapes
a short window apart (anonymous, as the real app allows, or with the environment's
credentials for a proxy in front), parsed with prometheus-client. The default names are the
fixed app's (`fakturino_http_requests_total`, `fakturino_http_request_duration_ms`,
`fakturino_invoiceshelf_queue_jobs_pending`); d5d901d7 answers every scrape with 500."""

from __future__ import annotations

import pytest

from facturino_verify.checks import monitoring
from facturino_verify.checks.metrics import SKIP_NO_REQUEST_COUNTER
from facturino_verify.config import Environment
from facturino_verify.runs.monitoring import MetricsWindow

pytestmark = [pytest.mark.monitoring, pytest.mark.metrics_auth]
WHERE = "/metrics window"


def test_metrics_error_rate_below_threshold(
    metrics_window: MetricsWindow, environment: Environment
) -> None:
    c = environment.monitoring
    if not c.requests_metric:
        pytest.skip(SKIP_NO_REQUEST_COUNTER)
    rate, errors, total = monitoring.error_rate(
        metrics_window.window(), c.requests_metric, c.status_label
    )
    detail = f"{errors:g} of {total:g} requests answered 5xx"
    monitoring.expect_error_rate_below(rate, c.error_rate_max, WHERE, detail)


def test_metrics_p95_latency_below_alert_line(
    metrics_window: MetricsWindow, environment: Environment
) -> None:
    c = environment.monitoring
    latency = monitoring.latency(metrics_window.window(), c.latency_metric, c.latency_unit)
    if latency.kind == "gauge":
        pytest.skip(f"{c.latency_metric} is a gauge (an average): it has no percentile")
    monitoring.expect_latency_below(latency.p95_ms, c.latency_p95_max_ms, "p95", WHERE)


def test_metrics_average_latency_below_budget(
    metrics_window: MetricsWindow, environment: Environment
) -> None:
    c = environment.monitoring
    latency = monitoring.latency(metrics_window.window(), c.latency_metric, c.latency_unit)
    monitoring.expect_latency_below(latency.avg_ms, c.latency_avg_max_ms, "average", WHERE)


def test_metrics_queue_depth_below_threshold(
    metrics_window: MetricsWindow, environment: Environment
) -> None:
    c = environment.monitoring
    depth = monitoring.queue_depth(metrics_window.window().after, c.queue_depth_metric)
    monitoring.expect_queue_depth_below(depth, c.queue_depth_max, WHERE)
