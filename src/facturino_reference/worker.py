"""The queue worker: `php artisan queue:work database` semantics over the `jobs` table.

Pending = reserved_at IS NULL and available_at <= now; a job is reserved by stamping
reserved_at, deleted on success, released for another attempt on failure and moved to
`failed_jobs` once it used its tries. Laravel would also re-reserve a job whose reservation
is older than `retry_after`; this worker does not, so a stuck reservation stays visible
(as it does while the worker holding it hangs), which is what /health's queue check is for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
import redis

from facturino_reference import mysqlconn
from facturino_reference.appenv import AppConfig
from facturino_reference.banksync import sync_company
from facturino_reference.jobs import (
    MAX_TRIES,
    QUEUES,
    payload_backoff,
    payload_class,
    payload_data,
    payload_kind,
    payload_uuid,
    serialized_flag,
)
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.queuepause import PauseFlags
from facturino_reference.redisqueue import RedisQueue, queue_client

POLL_INTERVAL = 0.2
Conn = psycopg.Connection[Any] | MySQLConnection


class UnknownJobError(Exception):
    """The payload names a job class this release does not have (Laravel: class not found)."""


@dataclass
class Job:
    id: int | str  # the jobs row id, or the payload's `id` on the redis connection
    queue: str
    payload: str
    attempts: int


@dataclass
class JobContext:
    """What a job's handle() can use: the worker's connection and the app's configuration."""

    conn: Conn
    config: AppConfig | None


TAX_SCAN_PATHS = ("tax/ddv", "tax/vat", "tax/returns")  # BackfillTaxReturnsJob::$scanPaths


def _backfill_tax_returns(job: Job, context: JobContext) -> None:
    """BackfillTaxReturnsJob(companyId, dryRun): scans storage/app/tax/* for old DDV XML files
    and, unless dry-run, files a tax return for each. The reference's storage has none, so
    it only scans and logs, in either mode."""
    if context.config is None:
        raise RuntimeError("BackfillTaxReturnsJob needs the app configuration")
    dry_run = serialized_flag(payload_data(job.payload).get("command"), "dryRun") is True
    storage = context.config.layout.storage_app
    found = sum(len(list((storage / path).glob("*.xml"))) for path in TAX_SCAN_PATHS)
    mode = "[DRY RUN] " if dry_run else ""
    _log(f"{mode}tax returns backfill: {found} file(s) found, 0 return(s) created")


def _sync_bank_transactions(job: Job, context: JobContext) -> None:
    """SyncBankTransactions(company, days): calls the bank's PSD2 API (banksync.py)."""
    if context.config is None:
        raise RuntimeError("SyncBankTransactions needs the app configuration")
    data = payload_data(job.payload)
    result = sync_company(
        context.conn, context.config, int(data["company_id"]), int(data.get("days", 7))
    )
    _log(f"bank sync company {data['company_id']}: {result.imported} new transaction(s)")


HANDLERS: dict[str, Callable[[Job, JobContext], None]] = {
    "backfill_tax_returns": _backfill_tax_returns,
    "sync_bank_transactions": _sync_bank_transactions,
}


def _log(message: str) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} {message}", flush=True)


def reserve(conn: Conn, queues: tuple[str, ...] = QUEUES) -> Job | None:
    now = int(time.time())
    with conn.transaction():
        row = conn.execute(
            "SELECT id, queue, payload, attempts FROM jobs WHERE queue = ANY(%s) "
            "AND reserved_at IS NULL AND available_at <= %s ORDER BY id LIMIT 1 "
            "FOR UPDATE SKIP LOCKED",
            (list(queues), now),
        ).fetchone()
        if row is None:
            return None
        conn.execute(
            "UPDATE jobs SET reserved_at = %s, attempts = attempts + 1 WHERE id = %s",
            (now, row[0]),
        )
    return Job(row[0], row[1], row[2], row[3] + 1)


def run(job: Job, context: JobContext) -> None:
    handler = HANDLERS.get(payload_kind(job.payload))
    if handler is None:
        raise UnknownJobError(f'Class "{payload_class(job.payload) or "?"}" not found')
    handler(job, context)


def _max_tries(payload: str) -> int:
    try:
        tries = json.loads(payload).get("maxTries")
    except (ValueError, AttributeError):
        tries = None
    return tries if isinstance(tries, int) and tries > 0 else MAX_TRIES


def _describe(error: BaseException) -> str:
    """failed_jobs.exception: "Class: message" then the stack, as Laravel stores it."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}: {error}\nStack trace:\n{stack}"


def settle(conn: Conn, job: Job, error: BaseException | None) -> None:
    """Delete on success; release or fail (into failed_jobs) on error."""
    with conn.transaction():
        if error is None:
            conn.execute("DELETE FROM jobs WHERE id = %s", (job.id,))
        elif job.attempts >= _max_tries(job.payload):
            conn.execute(
                "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, "
                "failed_at) VALUES (%s, 'database', %s, %s, %s, now() at time zone 'UTC')",
                (payload_uuid(job.payload), job.queue, job.payload, _describe(error)),
            )
            conn.execute("DELETE FROM jobs WHERE id = %s", (job.id,))
        else:
            delay = payload_backoff(job.payload, job.attempts)  # the job's `backoff`
            conn.execute(
                "UPDATE jobs SET reserved_at = NULL, available_at = %s WHERE id = %s",
                (int(time.time()) + delay, job.id),
            )


def _process(job: Job, context: JobContext, finish: Callable[[BaseException | None], None]) -> None:
    """Run `job`, then settle it via `finish` (with the error, if it raised); logged as
    `queue:work` logs."""
    via = "" if isinstance(job.id, int) else " (redis)"
    _log(f"{job.queue} job {job.id} {payload_class(job.payload) or '?'} RUNNING{via}")
    try:
        run(job, context)
    except Exception as exc:  # a failing job must not stop the worker
        finish(exc)
        _log(f"{job.queue} job {job.id} FAIL ({exc})")
        return
    finish(None)
    _log(f"{job.queue} job {job.id} DONE")


def work_once_redis(
    rq: RedisQueue,
    conn: Conn,
    queues: tuple[str, ...],
    config: AppConfig | None,
    seen: Callable[[str, BaseException | None], None] = lambda _job, _error: None,
) -> bool:
    """`queue:work redis`: at most one job of `queues`; True if there was one. `seen` learns
    the job's class and its error, if it raised (what `queue:work` prints)."""
    job = _reserve_redis(rq, queues)
    if job is None:
        return False

    def finish(error: BaseException | None) -> None:
        _settle_redis(rq, conn, job, error)
        seen(payload_class(job.payload), error)

    _process(job, JobContext(conn, config), finish)
    return True


def _reserve_redis(rq: RedisQueue, queues: tuple[str, ...]) -> Job | None:
    """The first due job of `queues`, popped and reserved."""
    for queue in queues:
        popped = rq.pop(queue)
        if popped is not None:
            reserved, attempts = popped
            return Job(str(json.loads(reserved).get("id", "?")), queue, reserved, attempts)
    return None


def _settle_redis(rq: RedisQueue, conn: Conn, job: Job, error: BaseException | None) -> None:
    """Delete on success; release (with the job's backoff) or fail into failed_jobs on error."""
    if error is None:
        rq.delete(job.queue, job.payload)
    elif job.attempts < _max_tries(job.payload):
        rq.release(job.queue, job.payload, payload_backoff(job.payload, job.attempts))
    else:
        conn.execute(
            "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, failed_at) "
            "VALUES (%s, 'redis', %s, %s, %s, now() at time zone 'UTC')",
            (payload_uuid(job.payload), job.queue, job.payload, _describe(error)),
        )
        rq.delete(job.queue, job.payload)


def work_once(
    conn: Conn, queues: tuple[str, ...] = QUEUES, config: AppConfig | None = None
) -> bool:
    """Process at most one job of `queues`; True if there was one."""
    job = reserve(conn, queues)
    if job is None:
        return False
    _process(job, JobContext(conn, config), lambda e: settle(conn, job, e))
    return True


class Worker:
    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.conninfo = config.db_conninfo()
        self.pauses = PauseFlags(config)  # `queue:pause` flags: paused queues are skipped
        # QUEUE_CONNECTION=redis: jobs dispatched by the app come from Redis; the jobs table
        # is still worked (the suite's perf probe and the ops faults write there).
        self.redis = (
            RedisQueue(queue_client(config), config.get("REDIS_PREFIX"))
            if config.get("QUEUE_CONNECTION", "database") == "redis"
            else None
        )
        self.redis_down = False
        self.stopping = False

    def stop(self, _sig: int, _frame: FrameType | None) -> None:
        self.stopping = True  # finish the current job, then exit

    def loop(self) -> None:
        reported = False
        while not self.stopping:
            try:
                with self.config.connect() as conn:
                    _log("connected to the database; polling queues " + ",".join(QUEUES))
                    reported = False
                    self._poll(conn)
            except (psycopg.OperationalError, mysqlconn.OperationalError) as exc:
                if not reported:  # log an outage once, not every second
                    _log(f"database unavailable, retrying: {str(exc).strip()[:200]}")
                    reported = True
                time.sleep(1.0)

    def _poll(self, conn: Conn) -> None:
        while not self.stopping:
            active = self.pauses.active(QUEUES)
            if not (self._work_redis(conn) or work_once(conn, active, self.config)):
                time.sleep(POLL_INTERVAL)

    def _work_redis(self, conn: Conn) -> bool:
        if self.redis is None:
            return False
        try:
            queues = self.pauses.active(QUEUES, "redis")
            worked = work_once_redis(self.redis, conn, queues, self.config)
        except redis.RedisError as exc:  # Laravel's worker would log and sleep, too
            if not self.redis_down:  # an outage once, not every poll
                _log(f"redis queue unavailable: {str(exc)[:200]}")
            self.redis_down = True
            return False
        self.redis_down = False
        return worked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="facturino_reference.worker")
    parser.add_argument("--home", required=True, type=Path)
    args = parser.parse_args(argv)
    worker = Worker(AppConfig.load(args.home))
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    worker.loop()
    _log("worker stopped")


if __name__ == "__main__":
    main()
