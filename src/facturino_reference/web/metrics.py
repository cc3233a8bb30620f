"""/metrics (Prometheus exposition of real values), /metrics/health, /metrics/test.

Upstream /metrics is public when FEATURE_MONITORING is on; the runbook asks for admin auth,
so this deployment requires `Authorization: Bearer <METRICS_TOKEN>` unless the token is
empty (the `metrics_public` fault).

Two `.env` knobs reproduce the release defects the contract describes (section 10):
`METRICS_BANKING_SOURCE=telescope_entries` queries a table production does not have, so the
controller answers 500 `# Error collecting metrics` (fault `metrics_broken`), and
`METRICS_NUMBER_FORMAT=mk` formats the gauges with a decimal comma, which no Prometheus parser
accepts (fault `metrics_malformed`).
"""

from __future__ import annotations

import asyncio
import hmac
import shutil
import time
from typing import Any

import psycopg
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from facturino_reference.jobs import QUEUES
from facturino_reference.tls import expires_in_days
from facturino_reference.web import healthchecks
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.health import iso_offset
from facturino_reference.web.jsonutil import json_response

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Where PrometheusController lives in the image (its error body names it, as upstream does).
CONTROLLER_FILE = "/var/www/html/app/Http/Controllers/PrometheusController.php"
BANKING_QUERIES = {
    # The reference's own table.
    "bank_transactions": (
        "SELECT count(*) FILTER (WHERE created_at > now() - interval '24 hours') AS day, "
        "count(*) FILTER (WHERE matched_invoice_id IS NOT NULL) AS matched, "
        "count(*) FILTER (WHERE matched_invoice_id IS NULL) AS unmatched FROM bank_transactions"
    ),
    # The release's controller: Telescope is require-dev, so the table is absent in production.
    "telescope_entries": (
        "SELECT count(*) AS day, 0 AS matched, 0 AS unmatched FROM telescope_entries "
        "WHERE type = 'request' AND content::text LIKE '%%banking%%'"
    ),
}


def _authorized(request: Request, c: AppContext) -> bool:
    token = c.config.get("METRICS_TOKEN")
    if not token:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def _database_figures(c: AppContext) -> dict[str, Any]:
    async with c.db.connection() as conn:

        async def value(query: str) -> Any:
            row = await (await conn.execute(query)).fetchone()
            return None if row is None else next(iter(row.values()))

        statuses = await (
            await conn.execute("SELECT status, count(*) AS n FROM invoices GROUP BY status")
        ).fetchall()
        pending = await (
            await conn.execute(
                "SELECT queue, count(*) AS n FROM jobs WHERE reserved_at IS NULL GROUP BY queue"
            )
        ).fetchall()
        source = c.config.get("METRICS_BANKING_SOURCE", "bank_transactions")
        banking = await (await conn.execute(BANKING_QUERIES[source])).fetchone()
        return {
            "banking": dict(banking or {}),
            "jobs": await value("SELECT count(*) FROM jobs"),
            "failed": await value("SELECT count(*) FROM failed_jobs"),
            "customers": await value("SELECT count(*) FROM customers"),
            "companies": await value("SELECT count(*) FROM companies"),
            "invoices": {row["status"]: row["n"] for row in statuses},
            "pending": {row["queue"]: row["n"] for row in pending},
        }


async def _probe(check: Any, c: AppContext) -> bool:
    try:
        return bool(await asyncio.wait_for(check(c), timeout=3.0))
    except Exception:
        return False


def _gauges(c: AppContext, db_ok: bool, cache_ok: bool, figures: dict[str, Any] | None) -> bytes:
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, value: float, labels: dict[str, str] | None = None) -> None:
        metric = Gauge(name, doc, list(labels or {}), registry=registry)
        (metric.labels(**labels) if labels else metric).set(value)

    gauge("invoiceshelf_database_healthy", "Database reachable (1) or not (0).", int(db_ok))
    gauge("invoiceshelf_cache_healthy", "Cache store round-trip works.", int(cache_ok))
    usage = shutil.disk_usage(c.layout.storage)
    gauge(
        "invoiceshelf_disk_usage_percent",
        "Disk usage of storage/.",
        round(100 * usage.used / usage.total, 2),
    )
    gauge(
        "invoiceshelf_uptime_seconds",
        "Seconds since the app started.",
        round(time.time() - c.started_at, 3),
    )
    _file_gauges(c, gauge)
    if figures is not None:
        _business_gauges(registry, figures)
    return bytes(generate_latest(registry))


def _file_gauges(c: AppContext, gauge: Any) -> None:
    """From files: the signer certificate (PrometheusController's gauge) and the newest
    backup (not upstream; what the BackupsStale alert of monitoring/alerts.yml reads)."""
    try:
        days = expires_in_days(c.layout.signer_cert)
    except (OSError, ValueError):
        days = None
    if days is not None:
        gauge(
            "fakturino_signer_cert_expiry_days",
            "Days until the signer certificate expires.",
            round(days, 3),
        )
    try:
        newest = max(p.stat().st_mtime for p in c.layout.backup_dir(c.config.name).glob("*.zip"))
    except (OSError, ValueError):
        return  # no backup yet: no sample (the alert needs one to compare)
    gauge(
        "facturino_backup_newest_timestamp_seconds",
        "When the newest backup was written.",
        round(newest, 3),
    )


def _business_gauges(registry: CollectorRegistry, figures: dict[str, Any]) -> None:
    Gauge("invoiceshelf_queue_jobs_pending", "Rows in the jobs table.", registry=registry).set(
        figures["jobs"]
    )
    Gauge(
        "invoiceshelf_queue_jobs_failed", "Rows in the failed_jobs table.", registry=registry
    ).set(figures["failed"])
    Gauge("invoiceshelf_customers_total", "Customers.", registry=registry).set(figures["customers"])
    Gauge("invoiceshelf_companies_total", "Companies.", registry=registry).set(figures["companies"])
    invoices = Gauge(
        "invoiceshelf_invoices_total", "Invoices by status.", ["status"], registry=registry
    )
    for status in ("DRAFT", "SENT", "VIEWED", "COMPLETED"):
        invoices.labels(status).set(figures["invoices"].get(status, 0))
    for name, key, doc in (
        ("invoiceshelf_bank_transactions_24h", "day", "Bank transactions imported in 24 h."),
        ("invoiceshelf_bank_transactions_matched", "matched", "Transactions matched."),
        ("invoiceshelf_bank_transactions_unmatched", "unmatched", "Transactions unmatched."),
    ):
        Gauge(name, doc, registry=registry).set(figures["banking"].get(key, 0))
    pending = Gauge(
        "queue_jobs_pending", "Jobs waiting to be reserved, by queue.", ["queue"], registry=registry
    )
    for queue in QUEUES:
        pending.labels(queue).set(figures["pending"].get(queue, 0))


async def metrics(request: Request) -> Response:
    c = ctx(request)
    if not _authorized(request, c):
        return json_response(
            {"message": "Unauthenticated."}, 401, headers={"WWW-Authenticate": "Bearer"}
        )
    db_ok = await _probe(healthchecks.database, c)
    cache_ok = await _probe(healthchecks.redis, c)
    try:
        figures = await _database_figures(c) if db_ok else None
    except psycopg.Error as exc:
        return collection_error(exc)
    gauges = _gauges(c, db_ok, cache_ok, figures)
    if c.config.get("METRICS_NUMBER_FORMAT") == "mk":
        gauges = decimal_comma(gauges)
    body = gauges + avg_response_time(c) + c.metrics.exposition()
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
    return Response(body, 500, media_type=CONTENT_TYPE)


def decimal_comma(exposition: bytes) -> bytes:
    """number_format() under the mk locale: `43.21` becomes `43,21` in every sample line."""
    lines = []
    for line in exposition.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            line = f"{name} {value.replace('.', ',')}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def avg_response_time(c: AppContext) -> bytes:
    """`invoiceshelf_avg_response_time_ms`: the upstream gauge, from the served requests."""
    registry = CollectorRegistry()
    Gauge(
        "invoiceshelf_avg_response_time_ms",
        "Average response time of the requests served since start (ms).",
        registry=registry,
    ).set(round(c.metrics.average_seconds() * 1000, 3))
    return bytes(generate_latest(registry))


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
