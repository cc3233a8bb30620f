"""Performance and monitoring faults that live in stored state: queue rows, the queue pause
flag in the cache, and the build's `version.md`. Real state, read by the app and the worker
exactly as they read it without a fault."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
import redis

from facturino_reference.faults import fault_value
from facturino_reference.jobs import backfill_tax_returns_payload
from facturino_reference.queuepause import PHP_TRUE, paused_key
from facturino_reference.redisqueue import queue_key, redis_payload

Conn = psycopg.Connection[Any]
VERSION = "2.1.1"
RETRY_AFTER_SECONDS_REDIS_CONNECTION = 90  # config/queue.php: the `redis` connection


def write_version_file(root: Path, active: Mapping[str, str | None]) -> None:
    """The build ships `version.md` (AppVersionController reads it); `error_burst` lacks it."""
    if "error_burst" not in active:
        (root / "version.md").write_text(VERSION + "\n", encoding="utf-8")


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
        jobs.append((int(fault_value("queue_backlog", active)), 900))
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
