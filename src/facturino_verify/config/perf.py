"""Environment keys of the performance budget (``[perf]``) and monitoring (``[monitoring]``).

Defaults are the runbook's numbers: average response time < 200 ms, the SlowResponseTime alert
line (p95 > 1 s), error rate < 1 %, queue depth < 100. Metric names default to what the fixed
app exports in the exporter's `fakturino` namespace: PrometheusMiddleware's request counter and
millisecond histogram (`fakturino_http_requests_total{status_class}`,
`fakturino_http_request_duration_ms`) and PrometheusController's queue gauge
(`fakturino_invoiceshelf_queue_jobs_pending`). The runbook's own names (`http_requests_total`,
`http_request_duration_seconds`, `queue_jobs_pending`) are exported by nothing in the app.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from .section import Section

# What the SPA loads for the dashboard (contract §4: bootstrap; InvoiceShelf's summary route).
DASHBOARD_ENDPOINTS = {
    "admin_dashboard": "/admin/dashboard",
    "bootstrap": "/api/v1/bootstrap",
    "dashboard_api": "/api/v1/dashboard",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Job classes of the real app (d5d901d7) that a queue probe may dispatch, with the constructor
# arguments that make them harmless. BackfillTaxReturnsJob(companyId, dryRun): in dry-run mode
# it only scans storage/app/tax/* and logs what it would file (app/Jobs/
# BackfillTaxReturnsJob.php:75-84, 295-307); it runs on `default`.
HARMLESS_PROBE_JOBS: dict[str, dict[str, bool | int | str | None]] = {
    "App\\Jobs\\BackfillTaxReturnsJob": {"companyId": None, "dryRun": True},
}


class Perf(Section):
    """The dashboard budget (pytest-benchmark), timing breakdown, baseline and queue processing."""

    budget_ms: float = Field(200.0, gt=0)  # runbook: average response time < 200 ms
    p95_max_ms: float = Field(1000.0, gt=0)  # runbook alert SlowResponseTime: p95 > 1 s
    warmup_rounds: int = Field(3, ge=0)
    """Untimed rounds before each endpoint is measured."""
    rounds: int = Field(20, ge=5)
    """Timed rounds per endpoint."""
    account: str = "admin"  # whose SPA session times the endpoints ([accounts.NAME])
    endpoints: dict[str, str] = Field(default_factory=lambda: dict(DASHBOARD_ENDPOINTS))
    """What is timed: name = path (the SPA's dashboard calls by default)."""
    # Fresh connections per endpoint for the DNS/connect/TLS/TTFB breakdown.
    breakdown_samples: int = Field(3, ge=1, le=20)
    # DNS + TCP connect + TLS handshake of one new connection (a far-away runner needs more).
    connection_setup_max_ms: float = Field(500.0, gt=0)
    results_file: str = "perf-results.json"  # written into --reports-dir
    baseline_file: Path | None = None  # an earlier results file; anchored at this file
    regression_percent: float = Field(25.0, gt=0)
    """A slowdown beyond this against the baseline fails."""
    regression_min_ms: float = Field(20.0, ge=0)  # below this, a difference is noise
    # Queue processing, read where the app queues (Environment.queue_connection).
    queue_oldest_pending_max_seconds: int = Field(300, ge=1)
    queue_drain_deadline_seconds: float = Field(15.0, gt=0)
    """Seconds the queue gets to drain."""
    # How a probe job may travel through the queue where writes are allowed: "none", or
    # "database" (a `jobs` row dispatching queue_probe_job, one of the app's own job classes
    # that is harmless with the arguments HARMLESS_PROBE_JOBS gives it; without one the probe
    # is skipped with the reason).
    queue_probe: Literal["none", "database"] = "none"
    queue_probe_queue: str = "default"
    """The queue the probe job goes on."""
    queue_probe_job: str | None = None
    """The probe's job class (one the suite knows to be harmless)."""
    queue_probe_deadline_seconds: float = Field(30.0, gt=0)
    """Seconds the probe job gets to be processed."""

    @field_validator("queue_probe_job")
    @classmethod
    def _harmless(cls, value: str | None) -> str | None:
        if value is not None and value not in HARMLESS_PROBE_JOBS:
            known = ", ".join(HARMLESS_PROBE_JOBS)
            raise ValueError(
                f"'{value}' is not a job the suite knows to be harmless; known: {known}"
            )
        return value

    @field_validator("endpoints")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            if not _NAME.fullmatch(name) or not path.startswith("/"):
                raise ValueError(f"{name} = {path!r}: names are identifiers, paths start with /")
        if not value:
            raise ValueError("name at least one endpoint")
        return value


class Monitoring(Section):
    """/metrics read twice over a window, and optionally the same figures from Prometheus."""

    window_seconds: float = Field(5.0, gt=0, le=300)
    """Seconds between the two reads of /metrics."""
    # A counter with a status label (a value starting with 5 is an error: `500`, `5xx`); ""
    # skips the error-rate checks, for an app that counts no request (d5d901d7 registers
    # PrometheusMiddleware nowhere).
    requests_metric: str = "fakturino_http_requests_total"
    status_label: str = "status_class"
    """The request counter's label holding the status (class)."""
    # A histogram, a summary (quantile label) or a gauge (an average, see latency_unit).
    latency_metric: str = "fakturino_http_request_duration_ms"
    latency_unit: Literal["seconds", "milliseconds"] = "milliseconds"
    """The unit of the latency metric."""
    # A gauge, summed over its series.
    queue_depth_metric: str = "fakturino_invoiceshelf_queue_jobs_pending"
    error_rate_max: float = Field(0.01, ge=0, le=1)  # Grafana: error rate < 1 %
    latency_avg_max_ms: float = Field(200.0, gt=0)  # Grafana: response time < 200 ms avg
    latency_p95_max_ms: float = Field(1000.0, gt=0)  # alert SlowResponseTime: p95 > 1 s
    queue_depth_max: int = Field(100, ge=1)  # Grafana: queue depth < 100 jobs
    prometheus_url: str | None = None  # with it, the same figures are read with PromQL
    # Label matchers that pick the target's series and alerts, e.g. 'job="facturino"'.
    prometheus_selector: str = ""
    prometheus_range: str = "5m"
    """The PromQL range of rates and quantiles."""
    prometheus_token: SecretStr | None = None
    """A bearer token for Prometheus's HTTP API."""
    prometheus_ca_file: Path | None = None
    """A CA bundle to trust for Prometheus."""
    prometheus_timeout: float = Field(10.0, gt=0)
    """Seconds for each Prometheus query."""

    @field_validator("requests_metric", "latency_metric", "queue_depth_metric", "status_label")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value and not _NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a Prometheus metric or label name")
        return value

    @field_validator("prometheus_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return None if value is None else value.rstrip("/")

    @field_validator("prometheus_selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        matcher = r'\s*[A-Za-z_]\w*\s*(=|!=|=~|!~)\s*"(\\.|[^"\\])*"\s*'
        if value.strip() and not re.fullmatch(f"{matcher}(,{matcher})*,?", value):
            raise ValueError(f'{value!r} is not a list of PromQL label matchers like job="x"')
        return value.strip()

    @field_validator("prometheus_range")
    @classmethod
    def _range(cls, value: str) -> str:
        if not re.fullmatch(r"\d+[smhd]", value):
            raise ValueError(f"{value!r} is not a PromQL duration like 5m")
        return value
