"""What `App\\Http\\Middleware\\PrometheusMiddleware` records about the requests the app served.

At d5d901d7 the middleware exists but is registered nowhere (bootstrap/app.php), so the real app
counts no request at all. The fixed app (`MK_METRICS_CONTROLLER=fixed`) appends it to the
global middleware, after PerformanceMonitoringMiddleware (so a maintenance-mode 503, answered
earlier in the stack, is not counted), and keeps its figures where every PHP worker shares
them: the Redis storage `config/prometheus.php` already describes (DB 2, prefix
`PROMETHEUS_`). The reference is one process, so one in-memory registry is that shared store.

Names and labels are the middleware's, in the exporter's namespace (PROMETHEUS_NAMESPACE,
default `fakturino`): `fakturino_http_requests_total{method,route,status_class}`,
`fakturino_http_request_duration_ms{method,route,status_class}` (milliseconds, its buckets),
`fakturino_http_response_size_bytes{method,route}` and `fakturino_php_memory_usage_bytes`.
Routes and methods of `config('prometheus.ignore_routes')` / `ignore_request_methods` are not
recorded (the scrape of /metrics does not count itself).
"""

from __future__ import annotations

import fnmatch
import os
import resource

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# The `*_created` series double the exposition and the PHP client has none.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream

DURATION_BUCKETS_MS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
SIZE_BUCKETS_BYTES = (100, 1000, 10000, 100000, 1000000, 10000000)
IGNORED_ROUTES = ("metrics", "health", "telescope*", "_debugbar*")  # config/prometheus.php
IGNORED_METHODS = frozenset({"OPTIONS", "HEAD"})


def status_class(status: int) -> str:
    """PrometheusMiddleware::getStatusClass: `2xx` ... `5xx`."""
    return f"{status // 100}xx" if 200 <= status < 600 else "1xx"


def ignored(method: str, route_name: str | None, route_uri: str | None) -> bool:
    """PrometheusMiddleware::shouldIgnoreRoute (fnmatch on the route's name and uri)."""
    if method in IGNORED_METHODS:
        return True
    return any(
        (route_name and fnmatch.fnmatchcase(route_name, pattern))
        or (route_uri and fnmatch.fnmatchcase(route_uri, pattern))
        for pattern in IGNORED_ROUTES
    )


def memory_usage_bytes() -> int:
    """What the process holds now (PHP's memory_get_usage(true) is the worker's allocation)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class HttpMetrics:
    """The middleware's collectors, in one registry named by the exporter's namespace."""

    def __init__(self, namespace: str = "fakturino") -> None:
        self.namespace = namespace
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status_class"]
        self.duration = Histogram(
            "http_request_duration_ms",
            "HTTP request duration in milliseconds",
            labels,
            namespace=namespace,
            registry=self.registry,
            buckets=DURATION_BUCKETS_MS,
        )
        self.requests = Counter(
            "http_requests_total",
            "Total number of HTTP requests",
            labels,
            namespace=namespace,
            registry=self.registry,
        )
        self.sizes = Histogram(
            "http_response_size_bytes",
            "HTTP response size in bytes",
            ["method", "route"],
            namespace=namespace,
            registry=self.registry,
            buckets=SIZE_BUCKETS_BYTES,
        )
        self.memory = Gauge(
            "php_memory_usage_bytes",
            "Current PHP memory usage in bytes",
            namespace=namespace,
            registry=self.registry,
        )
        self._served, self._milliseconds = 0, 0.0

    def observe(
        self, method: str, route: str, status: int, seconds: float, size: int | None
    ) -> None:
        milliseconds = seconds * 1000
        kind = status_class(status)
        self.duration.labels(method, route, kind).observe(milliseconds)
        self.requests.labels(method, route, kind).inc()
        if size is not None:
            self.sizes.labels(method, route).observe(size)
        self.memory.set(memory_usage_bytes())
        self._served += 1
        self._milliseconds += milliseconds

    def average_ms(self) -> float:
        """Mean duration of the recorded requests since start (0 before the first one)."""
        return self._milliseconds / self._served if self._served else 0.0

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))
