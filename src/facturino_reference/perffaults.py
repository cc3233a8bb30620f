"""Performance and monitoring faults that live in stored state: queue rows, the queue pause
flag in the cache, and the build's `version.md`. Real state, read by the app and the worker
exactly as they read it without a fault."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
import redis

from facturino_reference.faults import fault_value
from facturino_reference.jobs import make_payload
from facturino_reference.queuepause import PHP_TRUE, paused_key

Conn = psycopg.Connection[Any]
VERSION = "2.1.1"


def write_version_file(root: Path, active: Mapping[str, str | None]) -> None:
    """The build ships `version.md` (AppVersionController reads it); `error_burst` lacks it."""
    if "error_burst" not in active:
        (root / "version.md").write_text(VERSION + "\n", encoding="utf-8")


def _insert_jobs(conn: Conn, count: int, age_seconds: int) -> None:
    stamp = int(time.time()) - age_seconds
    rows = [("default", make_payload("probe"), stamp, stamp) for _ in range(count)]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
            "VALUES (%s, %s, 0, NULL, %s, %s)",
            rows,
        )


def apply_db(conn: Conn, active: Mapping[str, str | None]) -> None:
    """Rows: a 15-minute-old backlog, or jobs dispatched after the worker died."""
    if "queue_backlog" in active:
        _insert_jobs(conn, int(fault_value("queue_backlog", active)), age_seconds=900)
    if "queue_worker_dead" in active:
        _insert_jobs(conn, 5, age_seconds=0)


def apply_cache(env: Mapping[str, str], active: Mapping[str, str | None]) -> None:
    """`queue:pause database:default`, left on (the `queue_backlog` fault)."""
    if "queue_backlog" not in active:
        return
    client = redis.Redis(
        host=env["REDIS_HOST"],
        port=int(env["REDIS_PORT"]),
        password=env.get("REDIS_PASSWORD") or None,
        db=int(env["REDIS_CACHE_DB"]),
        socket_timeout=2.0,
    )
    with client:
        client.set(paused_key(env["REDIS_PREFIX"] + env["CACHE_PREFIX"], "default"), PHP_TRUE)
