"""Figures from two /metrics scrapes (error rate, p95 and average latency, queue depth), their
thresholds, and the PromQL that reads the same from Prometheus."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from facturino_verify.checks import CheckFailed, metrics, monitoring

Respond = Callable[..., httpx.Response]
REQUESTS = "fakturino_http_requests_total"  # the fixed app's names (config defaults)
DURATION = "fakturino_http_request_duration_ms"
QUEUE = "fakturino_invoiceshelf_queue_jobs_pending"


def exposition(ok: int, errors: int, buckets: dict[str, int], seconds: float, depth: int) -> str:
    """What the fixed app exports: the middleware's counter (status_class) and millisecond
    histogram, the controller's gauges; plus a seconds histogram and a summary."""
    lines = [
        f"# TYPE {REQUESTS} counter",
        f'{REQUESTS}{{route="ping",status_class="2xx"}} {ok}',
        f'{REQUESTS}{{route="unknown",status_class="4xx"}} 7',
        f'{REQUESTS}{{route="api/v1/app/version",status_class="5xx"}} {errors}',
        f"# TYPE {DURATION} histogram",
        *(
            f'{DURATION}_bucket{{le="{float(le) * 1000 if le != "+Inf" else le}"}} {n}'
            for le, n in buckets.items()
        ),
        f"{DURATION}_sum {seconds * 1000}",
        f"{DURATION}_count {buckets['+Inf']}",
        "# TYPE api_duration_seconds histogram",
        *(f'api_duration_seconds_bucket{{le="{le}"}} {n}' for le, n in buckets.items()),
        f"api_duration_seconds_sum {seconds}",
        f"api_duration_seconds_count {buckets['+Inf']}",
        f"# TYPE {QUEUE} gauge",
        f"{QUEUE} {depth}",
        "# TYPE queue_jobs_pending gauge",
        f'queue_jobs_pending{{queue="default"}} {depth}',
        f'queue_jobs_pending{{queue="banking"}} {depth // 2}',
        "# TYPE fakturino_invoiceshelf_avg_response_time_ms gauge",
        "fakturino_invoiceshelf_avg_response_time_ms 87.5",
        "# TYPE api_seconds summary",
        'api_seconds{quantile="0.95"} 1.5',
        "api_seconds_sum 30",
        "api_seconds_count 100",
        "",
    ]
    return "\n".join(lines)


@pytest.fixture
def window(respond: Respond) -> monitoring.Window:
    def parse(text: str) -> dict[str, Any]:
        return metrics.metric_families(respond(200, text=text))

    before = parse(exposition(100, 0, {"0.1": 90, "0.5": 100, "1": 100, "+Inf": 100}, 5.0, 10))
    after = parse(exposition(190, 10, {"0.1": 170, "0.5": 190, "1": 200, "+Inf": 200}, 25.0, 40))
    return monitoring.Window(before, after, 3.0)


def test_error_rate_counts_the_window_only(window: monitoring.Window) -> None:
    rate, errors, total = monitoring.error_rate(window, REQUESTS, "status_class")
    assert (errors, total) == (10, 100) and rate == pytest.approx(0.10)


def test_a_counter_that_went_down_restarted(respond: Respond) -> None:
    def parse(ok: int, errors: int) -> dict[str, Any]:
        text = exposition(ok, errors, {"+Inf": 1}, 0.1, 0)
        return metrics.metric_families(respond(200, text=text))

    _, errors, total = monitoring.error_rate(
        monitoring.Window(parse(1000, 0), parse(20, 5), 3.0), REQUESTS, "status_class"
    )
    assert (errors, total) == (5, 25)  # per series: 20 and 5 restarted, the 4xx did not move


def test_a_missing_request_counter_says_the_app_counts_none(window: monitoring.Window) -> None:
    with pytest.raises(CheckFailed, match="registers it nowhere"):
        monitoring.error_rate(window, "http_requests_total", "status")
    with pytest.raises(CheckFailed, match="times no request"):
        monitoring.latency(window, "http_request_duration_seconds", "seconds")


def test_histogram_p95_and_average_over_the_window(window: monitoring.Window) -> None:
    # window: 80 in (0, 100], 10 in (100, 500], 10 in (500, 1000] ms; rank 95 -> 500 + 500 * 5/10
    for metric, unit in ((DURATION, "milliseconds"), ("api_duration_seconds", "seconds")):
        latency = monitoring.latency(window, metric, unit)
        assert latency.kind == "histogram" and latency.observations == 100
        assert latency.p95_ms == pytest.approx(750.0)
        assert latency.avg_ms == pytest.approx(200.0)  # 20 s over 100 requests


def test_histogram_quantile_follows_promql() -> None:
    cumulative = {0.1: 50.0, 0.5: 90.0, 1.0: 100.0, math.inf: 100.0}
    assert monitoring.histogram_quantile(0.95, cumulative) == pytest.approx(0.75)
    assert monitoring.histogram_quantile(0.5, cumulative) == pytest.approx(0.1)
    # everything above the last finite bucket: PromQL answers that bucket's bound
    assert monitoring.histogram_quantile(0.95, {1.0: 0.0, math.inf: 10.0}) == 1.0
    assert monitoring.histogram_quantile(0.95, {math.inf: 0.0}) is None


def test_summary_and_gauge_latency(window: monitoring.Window) -> None:
    summary = monitoring.latency(window, "api_seconds", "seconds")
    assert summary.kind == "summary" and summary.p95_ms == pytest.approx(1500.0)
    gauge = monitoring.latency(
        window, "fakturino_invoiceshelf_avg_response_time_ms", "milliseconds"
    )
    assert gauge.kind == "gauge" and gauge.avg_ms == 87.5 and gauge.p95_ms is None


def test_queue_depth_sums_the_queues(window: monitoring.Window) -> None:
    assert monitoring.queue_depth(window.after, QUEUE) == 40
    assert monitoring.queue_depth(window.after, "queue_jobs_pending") == 60


def test_a_missing_family_names_the_setting(window: monitoring.Window) -> None:
    with pytest.raises(CheckFailed, match=r"\[monitoring\] queue_depth_metric"):
        monitoring.queue_depth(window.after, "nope_pending")


def test_thresholds_fail_with_the_figures() -> None:
    monitoring.expect_error_rate_below(0.005, 0.01, "w")
    with pytest.raises(CheckFailed, match=r"10\.00% \(10 of 100\)"):
        monitoring.expect_error_rate_below(0.10, 0.01, "w", "10 of 100")
    monitoring.expect_latency_below(None, 200, "average", "w")  # nothing observed
    with pytest.raises(CheckFailed, match="p95 response time"):
        monitoring.expect_latency_below(1200.0, 1000, "p95", "w")
    with pytest.raises(CheckFailed, match="1500 jobs"):
        monitoring.expect_queue_depth_below(1500, 100, "w")


def test_promql_of_the_same_figures() -> None:
    sel = 'instance="localhost:1"'
    assert monitoring.series("up", sel) == 'up{instance="localhost:1"}'
    assert monitoring.series("up", "") == "up"
    rate = monitoring.promql_error_rate(REQUESTS, "status_class", sel, "5m")
    assert rate == (
        f'(sum(rate({REQUESTS}{{instance="localhost:1", status_class=~"5.."}}[5m])) '
        f'or vector(0)) / sum(rate({REQUESTS}{{instance="localhost:1"}}[5m]))'
    )
    average, p95 = monitoring.promql_latency("lat", "histogram", sel, "5m")
    assert p95 is not None and p95.startswith("histogram_quantile(0.95, sum by (le)")
    assert average.startswith("sum(rate(lat_sum{")
    assert monitoring.promql_latency("lat", "summary", "", "5m")[1] == 'max(lat{quantile="0.95"})'
    assert monitoring.promql_latency("g", "gauge", "", "5m") == ("avg(g)", None)


def test_prometheus_answers_are_checked() -> None:
    monitoring.expect_scraped([1.0], "x")
    for up in ([], [0.0]):
        with pytest.raises(CheckFailed, match="scrapes the target"):
            monitoring.expect_scraped(up, "x")
    assert monitoring.expect_data([math.nan], "q") == 0.0  # 0/0: no requests in the range
    with pytest.raises(CheckFailed, match="empty result"):
        monitoring.expect_data([], "q")
    monitoring.expect_no_firing_alerts([], "x")
    with pytest.raises(CheckFailed, match="firing: HighErrorRate, QueueBacklog"):
        monitoring.expect_no_firing_alerts(
            [{"alertname": "QueueBacklog"}, {"alertname": "HighErrorRate"}], "x"
        )
