"""Performance and monitoring faults (tests/test_fault_matrix_perf.py proves what they break in
the perf and monitoring suites; `trips` are still the smoke tests), and their effects in stored
state: queue rows, the queue pause flag in the cache, and the build's `version.md`. Real state,
read by the app and the worker exactly as they read it without a fault. Effects elsewhere:
deployment.py (the worker, simulated users).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
import redis

from facturino_reference.faults.model import Fault
from facturino_reference.jobs import backfill_tax_returns_payload
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.queuepause import PHP_TRUE, paused_key
from facturino_reference.redisqueue import queue_key, redis_payload

Conn = psycopg.Connection[Any] | MySQLConnection  # mysqlconn on `up --db mysql`
FAULTS: tuple[Fault, ...] = (
    Fault(
        "slow_dashboard",
        "the dashboard's statistics query takes VALUE ms longer (default 250; the planner lost "
        "the index it needs): /admin/dashboard and /api/v1/dashboard slow down by that much",
        (),
        {"DASHBOARD_STATS_DELAY_MS": "{value}"},
        default="250",
    ),
    Fault(
        "slow_tls",
        "the TLS terminator in front of the app answers each new connection's ClientHello "
        "VALUE ms late (default 800): every TLS handshake is slow, requests on an open "
        "connection are not",
        (),
        {"TLS_HANDSHAKE_DELAY_MS": "{value}"},
        default="800",
    ),
    Fault(
        "error_burst",
        "the build lacks version.md, so GET /api/v1/app/version answers 500; the simulated "
        "users (started with this fault) request it on every page view: well over 5 % of all "
        "requests answer 5xx (the release identity check sees the 500 too)",
        ("test_deployment_reports_the_expected_release",),
    ),
    Fault(
        "queue_backlog",
        "`queue:pause database:default` left on and VALUE jobs (default 1500) waiting on "
        "`default` since 15 minutes: the backlog is over every threshold and does not drain",
        ("test_pending_jobs_below_threshold[*]",),
        default="1500",
    ),
    Fault(
        "queue_worker_dead",
        "the queue worker process is not running and 5 jobs were dispatched after it died: "
        "nothing drains (the rows are young, nothing is reserved, /health stays healthy)",
        (),
    ),
    Fault(
        "metrics_broken",
        "the metrics controller reads bank-sync errors from telescope_entries, as d5d901d7 "
        "does, and this database has no such table: the QueryException is caught, so /metrics "
        "answers 500 text/plain '# Error collecting metrics' with # Message/# File/# Class "
        "lines (with MK_METRICS_CONTROLLER=upstream the earlier clear() Error wins: 500 page)",
        (
            "test_metrics_anonymous_access_matches_expectation",
            "test_metrics_exposition_has_expected_families",
        ),
        {"METRICS_BANKING_SOURCE": "telescope_entries"},
    ),
    Fault(
        "metrics_malformed",
        "/metrics formats numbers for the mk locale (decimal comma, e.g. 1234,50): the "
        "exposition no longer parses (prometheus-client and Prometheus reject it)",
        ("test_metrics_exposition_has_expected_families",),
        {"METRICS_NUMBER_FORMAT": "mk"},
    ),
)

_BY_NAME = {fault.name: fault for fault in FAULTS}

VERSION = "2.1.1"  # version.md at d5d901d7 (InvoiceShelf's release, never bumped by Facturino)
PREVIOUS_VERSION = "2.1.0"  # the release before it (InvoiceShelf's tag 2.1.0)
RETRY_AFTER_SECONDS_REDIS_CONNECTION = 90  # config/queue.php: the `redis` connection


def write_version_file(root: Path, active: Mapping[str, str | None]) -> None:
    """The build ships `version.md` (AppVersionController reads it); `error_burst` lacks it, and
    the old build that `stale_release` leaves serving holds the previous release."""
    if "error_burst" not in active:
        served = PREVIOUS_VERSION if "stale_release" in active else VERSION
        (root / "version.md").write_text(served + "\n", encoding="utf-8")


def _insert_jobs(conn: Conn, count: int, age_seconds: int) -> None:
    stamp = int(time.time()) - age_seconds
    rows = [("default", backfill_tax_returns_payload(), stamp, stamp) for _ in range(count)]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
            "VALUES (%s, %s, 0, NULL, %s, %s)",
            rows,
        )


def _backlog(active: Mapping[str, str | None]) -> list[tuple[int, int]]:
    """(count, age in seconds) of the jobs the queue faults leave waiting on `default`: a
    15-minute-old backlog, or jobs dispatched after the worker died."""
    jobs = []
    if "queue_backlog" in active:
        jobs.append((int(_BY_NAME["queue_backlog"].value_in(active)), 900))
    if "queue_worker_dead" in active:
        jobs.append((5, 0))
    return jobs


def apply_db(conn: Conn, active: Mapping[str, str | None], connection: str = "database") -> None:
    """The waiting jobs as `jobs` rows (the database queue connection)."""
    if connection == "database":
        for count, age in _backlog(active):
            _insert_jobs(conn, count, age_seconds=age)


def _client(env: Mapping[str, str], db_key: str) -> redis.Redis:
    return redis.Redis(
        host=env["REDIS_HOST"],
        port=int(env["REDIS_PORT"]),
        password=env.get("REDIS_PASSWORD") or None,
        db=int(env[db_key]),
        socket_timeout=2.0,
    )


def _stuck_reservation(client: redis.Redis, prefix: str) -> None:
    """`queue_stuck` on the redis connection: a job popped 15 minutes ago whose worker never
    finished or released it (RedisQueue keeps it in `:reserved`, scored by when the
    reservation expires: its start plus retry_after)."""
    started = int(time.time()) - 900
    payload = json.loads(redis_payload(backfill_tax_returns_payload(), started - 5))
    payload["attempts"] = 1
    expires = started + RETRY_AFTER_SECONDS_REDIS_CONNECTION
    client.zadd(queue_key(prefix, "default", "reserved"), {json.dumps(payload): expires})


def apply_cache(env: Mapping[str, str], active: Mapping[str, str | None]) -> None:
    """`queue:pause {connection}:default`, left on (the `queue_backlog` fault); on the redis
    connection the waiting jobs are pushed to `queues:default` (with Laravel's `createdAt`)."""
    connection = env.get("QUEUE_CONNECTION", "database")
    if connection == "redis":
        with _client(env, "REDIS_QUEUE_DB") as client:
            for count, age in _backlog(active):
                created = int(time.time()) - age
                payloads = [
                    redis_payload(backfill_tax_returns_payload(), created) for _ in range(count)
                ]
                client.rpush(queue_key(env["REDIS_PREFIX"], "default"), *payloads)
            if "queue_stuck" in active:
                _stuck_reservation(client, env["REDIS_PREFIX"])
    if "queue_backlog" not in active:
        return
    with _client(env, "REDIS_CACHE_DB") as client:
        prefix = env["REDIS_PREFIX"] + env["CACHE_PREFIX"]
        client.set(paused_key(prefix, "default", connection), PHP_TRUE)
