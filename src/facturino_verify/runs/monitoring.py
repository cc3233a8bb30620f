"""/metrics scraped over a window, and the Prometheus server's view of the target.

The window is the measurement itself (like the range of PromQL's ``rate()``): /metrics is
scraped at its start and then until it has lasted ``[monitoring] window_seconds``; the first
and the last scrape are compared. Each scrape failure fails the checks that need the window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..checks import metrics as metrics_checks
from ..checks import monitoring as m
from ..checks import remedies
from ..checks.base import CheckFailed, answered
from ..clients.poll import poll
from ..clients.prometheus import PrometheusClient, Sample
from ..config import Environment
from .deployment import Deployment
from .probes import metrics_headers

T = TypeVar("T")


SCRAPES_PER_WINDOW = 4


class MetricsWindow:
    """Two (or more) authenticated scrapes of /metrics, parsed; computed once per run."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self._window: m.Window | None = None
        self._failure: CheckFailed | None = None

    def _scrape(self) -> dict[str, Any]:
        __tracebackhide__ = True
        d = self.deployment
        response = answered(
            lambda: d.http.get(d.env.metrics.path, headers=metrics_headers(d)),
            "/metrics answers",
            remedies.METRICS,
        )
        return metrics_checks.metric_families(response)

    def _measure(self) -> m.Window:
        seconds = self.deployment.env.monitoring.window_seconds
        started = time.monotonic()
        first = self._scrape()
        last = poll(
            self._scrape,
            lambda _: time.monotonic() - started >= seconds,
            seconds,
            interval_seconds=seconds / SCRAPES_PER_WINDOW,
        )
        return m.Window(first, last.value, time.monotonic() - started)

    def window(self) -> m.Window:
        """The window; the same failure for every check if /metrics could not be read."""
        __tracebackhide__ = True
        if self._window is None and self._failure is None:
            try:
                self._window = self._measure()
            except CheckFailed as failure:
                self._failure = failure
        if self._failure is not None:
            raise self._failure
        assert self._window is not None
        return self._window


class PrometheusView:
    """The monitoring figures of the target as a Prometheus server has them (PromQL)."""

    def __init__(self, client: PrometheusClient, env: Environment) -> None:
        self.client, self.config = client, env.monitoring

    def _ask(self, promql: str, read: Callable[[], T]) -> T:
        __tracebackhide__ = True
        return answered(read, "Prometheus answers", remedies.PROMETHEUS, f"a result for {promql}")

    def query(self, promql: str) -> list[Sample]:
        __tracebackhide__ = True
        return self._ask(promql, lambda: self.client.query(promql))

    def value(self, promql: str) -> float:
        __tracebackhide__ = True
        return m.expect_data([s.value for s in self.query(promql)], promql)

    def up(self) -> list[float]:
        return [s.value for s in self.query(m.series("up", self.config.prometheus_selector))]

    def error_rate(self) -> float:
        c = self.config
        return self.value(
            m.promql_error_rate(
                c.requests_metric, c.status_label, c.prometheus_selector, c.prometheus_range
            )
        )

    def latency_ms(self) -> tuple[float, float | None]:
        """(average, p95) in ms over ``prometheus_range``; p95 None for a gauge."""
        c = self.config
        kind = self._ask(c.latency_metric, lambda: self.client.metric_type(c.latency_metric))
        average, p95 = m.promql_latency(
            c.latency_metric, kind, c.prometheus_selector, c.prometheus_range
        )
        scale = 1000.0 if c.latency_unit == "seconds" else 1.0
        return self.value(average) * scale, None if p95 is None else self.value(p95) * scale

    def queue_depth(self) -> float:
        c = self.config
        return self.value(f"sum({m.series(c.queue_depth_metric, c.prometheus_selector)})")

    def firing_alerts(self) -> list[dict[str, str]]:
        selector = m.series("ALERTS", self.config.prometheus_selector, 'alertstate="firing"')
        return [s.labels for s in self.query(selector)]
