"""The HTTP metrics the app records about the requests it actually served."""

from __future__ import annotations

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

# The `*_created` series double the exposition and nothing here uses them.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream


class HttpMetrics:
    """`http_requests_total{method,route,status}` and `http_request_duration_seconds`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests served, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time to produce a response, by method and route.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self._served, self._seconds = 0, 0.0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)
        self._served += 1
        self._seconds += seconds

    def average_seconds(self) -> float:
        """Mean time per served request since start (0 before the first one)."""
        return self._seconds / self._served if self._served else 0.0

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))
