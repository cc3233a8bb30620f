"""/metrics, /metrics/health and /metrics/test (routes/web.php:160-173, PrometheusController).

`/metrics` and `/metrics/health` are in the web group behind `feature:monitoring` only: no
auth of any kind (FeatureMiddleware answers 403 "Feature not available" when the feature is
off, see guards.feature). `/metrics/test` always answers.

`MK_METRICS_CONTROLLER` (profiles.py) says which controller serves /metrics:

- `upstream` (d5d901d7): `metrics()` first calls `$prometheus->clear()` (line 42), a method
  arquivei/laravel-prometheus-exporter does not have (nor `setGauge()`, line 97). That is a PHP
  `Error`, which the controller's `catch (\\Exception)` does not catch: Laravel's handler answers
  500 (the "Server Error" page; `{"message": "Server Error"}` to a JSON client).
- `fixed`: the controller's four groups of gauges (business, system health, banking,
  performance), each registered once and set through the Gauge the exporter returns, rendered
  as text (`export()` returns MetricFamilySamples, not text). The exporter prefixes every name
  with its namespace (PrometheusServiceProvider: `config('prometheus-exporter.namespace',
  'fakturino')`, env PROMETHEUS_NAMESPACE): `fakturino_invoiceshelf_*`, and
  `fakturino_fakturino_signer_cert_*` for the gauges the controller already names `fakturino_*`.
  PrometheusMiddleware's request metrics follow (metrics_registry.py). Where d5d901d7 reads
  Telescope's tables (bank-sync errors, the average response time), which production never
  fills (Telescope is require-dev), the fixed app reads the failed banking jobs and its own
  request histogram; the queue gauge counts the jobs of the app's queue connection (the `jobs`
  table for `database`, as upstream; the Redis lists for `redis`, where that table stays empty).

Two `.env` knobs are faults (faults/): `METRICS_BANKING_SOURCE=telescope_entries` reads the
bank-sync errors as d5d901d7 does, from a table this database lacks: a QueryException, which
the controller does catch: 500 text/plain `# Error collecting metrics` (fault
`metrics_broken`); `METRICS_NUMBER_FORMAT=mk` prints numbers with a decimal comma, which no
Prometheus parser accepts (fault `metrics_malformed`).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from typing import Any

import psycopg
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from facturino_reference import mysqlconn
from facturino_reference.jobs import QUEUES
from facturino_reference.redisqueue import queue_key
from facturino_reference.tls import expires_in_days
from facturino_reference.web import healthchecks
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.health import iso_offset
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.metrics_registry import memory_usage_bytes

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Where PrometheusController lives in the image (its error body names it, as upstream does).
CONTROLLER_FILE = "/var/www/html/app/Http/Controllers/PrometheusController.php"
UNDEFINED_CLEAR = (
    "Call to undefined method Arquivei\\LaravelPrometheusExporter\\PrometheusExporter::clear()"
)
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024  # Dockerfile.mkaccounting: memory_limit = 512M
PHP_VERSION = "8.2"  # php:8.2-fpm-alpine (Dockerfile.mkaccounting:151); the patch level varies
SYNC_ERRORS = {
    # The fixed app: banking jobs that failed in the last 24 hours.
    "failed_jobs": (
        "SELECT count(*) FROM failed_jobs WHERE queue = 'banking' "
        "AND failed_at > (now() at time zone 'UTC') - interval '24 hours'"
    ),
    # d5d901d7: Telescope's log entries (fault `metrics_broken`: no such table here).
    "telescope_entries": (
        "SELECT count(*) FROM telescope_entries WHERE type = 'log' "
        "AND content LIKE '%%sync%%' AND created_at > now() - interval '24 hours'"
    ),
}
FIGURES = {
    "revenue": "SELECT coalesce(sum(amount), 0) FROM payments "
    "WHERE created_at >= now() - interval '30 days'",
    "customers": "SELECT count(*) FROM customers",
    "customers_active": "SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM invoices i "
    "WHERE i.customer_id = c.id AND i.created_at >= now() - interval '90 days')",
    "overdue": "SELECT count(*) FROM invoices WHERE status = 'SENT' AND due_date < now()",
    "companies": "SELECT count(*) FROM companies",
    "bank_24h": "SELECT count(*) FROM bank_transactions "
    "WHERE created_at >= now() - interval '1 day'",
    "matched": "SELECT count(*) FROM bank_transactions WHERE matched_invoice_id IS NOT NULL",
    "unmatched": "SELECT count(*) FROM bank_transactions WHERE matched_invoice_id IS NULL",
    "jobs": "SELECT count(*) FROM jobs",
    "failed": "SELECT count(*) FROM failed_jobs",
}


class Error(Exception):
    """PHP's `\\Error` (not an `\\Exception`): `catch (\\Exception)` lets it through."""


async def _database_figures(c: AppContext) -> dict[str, Any]:
    """Every figure the controller reads from the database, on one connection."""
    async with c.db.connection() as conn:

        async def value(query: str) -> Any:
            row = await (await conn.execute(query)).fetchone()
            return None if row is None else next(iter(row.values()))

        statuses = await (
            await conn.execute("SELECT status, count(*) AS n FROM invoices GROUP BY status")
        ).fetchall()
        figures = {name: await value(query) for name, query in FIGURES.items()}
        source = c.config.get("METRICS_BANKING_SOURCE", "failed_jobs")
        figures["sync_errors"] = await value(SYNC_ERRORS[source])
        figures["invoices"] = {row["status"]: row["n"] for row in statuses}
        return figures


async def _redis_pending(c: AppContext) -> int:
    """Laravel's RedisQueue::size() over the app's queues: ready + delayed + reserved."""
    prefix, total = c.config.get("REDIS_PREFIX"), 0
    for queue in QUEUES:
        total += int(await c.queue.llen(queue_key(prefix, queue)))
        for part in ("delayed", "reserved"):
            total += int(await c.queue.zcard(queue_key(prefix, queue, part)))
    return total


async def _probe(check: Any, c: AppContext) -> bool:
    try:
        return bool(await asyncio.wait_for(check(c), timeout=3.0))
    except Exception:
        return False


class Families:
    """Gauges registered once each, in the exporter's namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace, self.registry = namespace, CollectorRegistry()

    def set(self, name: str, doc: str, value: float, labels: dict[str, str] | None = None) -> None:
        gauge = Gauge(
            name, doc, list(labels or {}), namespace=self.namespace, registry=self.registry
        )
        (gauge.labels(**labels) if labels else gauge).set(value)

    def by_label(self, name: str, doc: str, label: str, values: dict[str, Any]) -> None:
        gauge = Gauge(name, doc, [label], namespace=self.namespace, registry=self.registry)
        for key, value in values.items():
            gauge.labels(key).set(value)

    def php_info(self) -> None:
        """promphp's CollectorRegistry registers `php_info{version}` itself, outside the
        exporter's namespace (the app builds it with the default registerDefaultMetrics)."""
        info = Gauge(
            "php_info",
            "Information about the PHP environment.",
            ["version"],
            registry=self.registry,
        )
        info.labels(PHP_VERSION).set(1)

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))


def _business(f: Families, figures: dict[str, Any]) -> None:
    f.by_label(
        "invoiceshelf_invoices_total",
        "Total number of invoices by status",
        "status",
        figures["invoices"],
    )
    f.set("invoiceshelf_revenue_30_days_total", "Total revenue in last 30 days", figures["revenue"])
    f.set("invoiceshelf_customers_total", "Total number of customers", figures["customers"])
    f.set(
        "invoiceshelf_customers_active",
        "Number of active customers (with invoices in last 90 days)",
        figures["customers_active"],
    )
    f.set("invoiceshelf_invoices_overdue", "Number of overdue invoices", figures["overdue"])
    f.set("invoiceshelf_companies_total", "Total number of companies", figures["companies"])


async def _system_health(f: Families, c: AppContext) -> None:
    f.set(
        "invoiceshelf_database_healthy",
        "1 if database is healthy, 0 otherwise",
        int(await _probe(healthchecks.database, c)),
    )
    f.set(
        "invoiceshelf_cache_healthy",
        "1 if cache is healthy, 0 otherwise",
        int(await _probe(healthchecks.redis, c)),
    )
    usage = shutil.disk_usage(c.layout.storage)
    f.set(
        "invoiceshelf_disk_usage_percent",
        "Disk usage percentage for storage",
        100 * usage.used / usage.total if usage.total else 0,
    )
    memory = memory_usage_bytes()
    f.set("invoiceshelf_memory_usage_bytes", "Current memory usage in bytes", memory)
    f.set(
        "invoiceshelf_memory_usage_percent",
        "Memory usage percentage",
        100 * memory / MEMORY_LIMIT_BYTES,
    )
    _signer_certificate(f, c)


def _signer_certificate(f: Families, c: AppContext) -> None:
    """checkCertificateExpiry(): -1 when the certificate is missing or unreadable."""
    try:
        days: float | None = expires_in_days(c.config.path("MK_XML_CERTIFICATE_PATH"))
    except (OSError, ValueError):
        days = None
    doc = "Days until signer certificate expires"
    if days is None:
        f.set("fakturino_signer_cert_expiry_days", doc, -1)
        return
    f.set("fakturino_signer_cert_expiry_days", doc, round(days, 2))
    f.set(
        "fakturino_signer_cert_healthy",
        "1 if certificate is healthy (more than 7 days until expiry), 0 otherwise",
        int(days > 7),
    )


def _banking(f: Families, figures: dict[str, Any]) -> None:
    matched, unmatched = figures["matched"], figures["unmatched"]
    total = matched + unmatched
    f.set(
        "invoiceshelf_bank_transactions_24h",
        "Number of bank transactions synced in last 24 hours",
        figures["bank_24h"],
    )
    f.set("invoiceshelf_bank_transactions_matched", "Number of matched bank transactions", matched)
    f.set(
        "invoiceshelf_bank_transactions_unmatched",
        "Number of unmatched bank transactions",
        unmatched,
    )
    f.set(
        "invoiceshelf_bank_match_rate_percent",
        "Percentage of bank transactions successfully matched",
        100 * matched / total if total else 0,
    )
    f.set(
        "invoiceshelf_bank_sync_errors_24h",
        "Number of bank sync errors in last 24 hours",
        figures["sync_errors"],
    )


async def _performance(f: Families, c: AppContext, figures: dict[str, Any]) -> None:
    f.set(
        "invoiceshelf_avg_response_time_ms",
        "Average response time in milliseconds",
        round(c.metrics.average_ms(), 3),
    )
    redis = c.config.get("QUEUE_CONNECTION", "database") == "redis"
    pending = await _redis_pending(c) if redis else figures["jobs"]
    f.set("invoiceshelf_queue_jobs_pending", "Number of pending queue jobs", pending)
    f.set("invoiceshelf_queue_jobs_failed", "Number of failed queue jobs", figures["failed"])
    f.set(
        "invoiceshelf_uptime_seconds",
        "Application uptime in seconds",
        round(time.time() - c.started_at, 3),
    )


async def collect(c: AppContext) -> bytes:
    """The fixed controller's exposition, in its order: a failing query stops it."""
    families = Families(c.config.get("PROMETHEUS_NAMESPACE", "fakturino"))
    families.php_info()
    figures = await _database_figures(c)
    _business(families, figures)
    await _system_health(families, c)
    _banking(families, figures)
    await _performance(families, c, figures)
    return families.exposition() + c.metrics.exposition()


async def metrics(request: Request) -> Response:
    c = ctx(request)
    if c.config.get("MK_METRICS_CONTROLLER") == "upstream":
        raise Error(UNDEFINED_CLEAR)  # line 42, before anything is collected
    try:
        body = await collect(c)
    except (psycopg.Error, mysqlconn.Error) as exc:  # Laravel's QueryException: caught
        return collection_error(exc)
    if c.config.get("METRICS_NUMBER_FORMAT") == "mk":
        body = decimal_comma(body)
    return Response(body, 200, media_type=CONTENT_TYPE)


def collection_error(exc: Exception) -> Response:
    """PrometheusController's catch block: 500 text/plain that leaks the file and class."""
    message = " ".join(str(exc).split())
    sqlstate = getattr(exc, "sqlstate", None) or "HY000"
    body = (
        "# Error collecting metrics\n"
        f"# Message: SQLSTATE[{sqlstate}]: {message}\n"
        f"# File: {CONTROLLER_FILE}\n"
        "# Class: Illuminate\\Database\\QueryException\n"
    )
    return Response(body, 500, media_type="text/plain; charset=utf-8")


def decimal_comma(exposition: bytes) -> bytes:
    """number_format() under the mk locale: `43.21` becomes `43,21` in every sample line."""
    lines = []
    for line in exposition.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            line = f"{name} {value.replace('.', ',')}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


async def metrics_health(request: Request) -> Response:
    """PrometheusController::health: only exceptions flip `status`."""
    c = ctx(request)
    db_ok = await _probe(healthchecks.database, c)
    cache_ok = await _probe(healthchecks.redis, c)
    checks = {
        "database": "healthy" if db_ok else "unhealthy",
        "cache": "healthy" if cache_ok else "unhealthy",
    }
    status = "healthy" if db_ok else "unhealthy"
    return json_response(
        {"status": status, "timestamp": iso_offset(), "checks": checks}, 200 if db_ok else 503
    )


async def metrics_test(request: Request) -> Response:
    return PlainTextResponse("# Test metrics endpoint working")
