"""The same thresholds as the Prometheus server sees them (PromQL over its HTTP API), and no
alert firing for the target after the deploy (`ALERTS{alertstate="firing"}`), where the
environment names a Prometheus server."""

from __future__ import annotations

import pytest

from facturino_verify.checks import monitoring
from facturino_verify.checks.metrics import SKIP_NO_REQUEST_COUNTER
from facturino_verify.config import Environment
from facturino_verify.runs.monitoring import PrometheusView

pytestmark = [pytest.mark.monitoring, pytest.mark.prometheus]
WHERE = "Prometheus"


def test_prometheus_scrapes_the_target(
    prometheus: PrometheusView, environment: Environment
) -> None:
    monitoring.expect_scraped(prometheus.up(), environment.monitoring.prometheus_selector)


def test_prometheus_error_rate_below_threshold(
    prometheus: PrometheusView, environment: Environment
) -> None:
    c = environment.monitoring
    if not c.requests_metric:
        pytest.skip(SKIP_NO_REQUEST_COUNTER)
    rate = prometheus.error_rate()
    monitoring.expect_error_rate_below(rate, c.error_rate_max, f"{WHERE}, {c.prometheus_range}")


def test_prometheus_p95_latency_below_alert_line(
    prometheus: PrometheusView, environment: Environment
) -> None:
    c = environment.monitoring
    _, p95 = prometheus.latency_ms()
    if p95 is None:
        pytest.skip(f"{c.latency_metric} is a gauge (an average): it has no percentile")
    monitoring.expect_latency_below(p95, c.latency_p95_max_ms, "p95", WHERE)


def test_prometheus_average_latency_below_budget(
    prometheus: PrometheusView, environment: Environment
) -> None:
    average, _ = prometheus.latency_ms()
    monitoring.expect_latency_below(
        average, environment.monitoring.latency_avg_max_ms, "average", WHERE
    )


def test_prometheus_queue_depth_below_threshold(
    prometheus: PrometheusView, environment: Environment
) -> None:
    monitoring.expect_queue_depth_below(
        prometheus.queue_depth(), environment.monitoring.queue_depth_max, WHERE
    )


def test_no_alert_firing_for_the_target(
    prometheus: PrometheusView, environment: Environment
) -> None:
    monitoring.expect_no_firing_alerts(
        prometheus.firing_alerts(), environment.monitoring.prometheus_selector
    )
