"""The database queue, as the perf suite watches it: pending jobs, their age, a probe job.

Reads run on the database client's read-only session. The one write, dispatching a probe
job, switches its own connection to read-write explicitly and only when the environment allows
writes, names the ``database`` probe mechanism and one of the app's harmless job classes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from ..config.perf import HARMLESS_PROBE_JOBS
from .database import DatabaseClient


@dataclass(frozen=True)
class Pending:
    """Jobs waiting to be reserved (due now: ``available_at`` has passed)."""

    count: int
    oldest_id: int | str | None  # a jobs row id, or a Redis payload's Laravel id
    oldest_queue: str | None
    oldest_age_seconds: int | None


@dataclass(frozen=True)
class JobState:
    """Where a job is: still in `jobs` (reserved or not), or failed (in `failed_jobs`)."""

    in_jobs: bool
    reserved: bool
    failed: bool


def pending(pg: DatabaseClient) -> Pending:
    now = pg.dialect.epoch_now
    ((count,),) = pg.rows(
        f"SELECT count(*) FROM jobs WHERE reserved_at IS NULL AND available_at <= {now}"
    )
    oldest = pg.rows(
        f"SELECT id, queue, {now} - available_at FROM jobs WHERE reserved_at IS NULL "
        f"AND available_at <= {now} ORDER BY available_at, id LIMIT 1"
    )
    if not oldest:
        return Pending(int(count), None, None, None)
    ((job_id, queue, age),) = oldest
    return Pending(int(count), int(job_id), str(queue), max(0, int(age)))


def job_state(pg: DatabaseClient, job_id: int, job_uuid: str | None = None) -> JobState:
    rows = pg.rows("SELECT reserved_at IS NOT NULL FROM jobs WHERE id = %s", (job_id,))
    failed = pg.rows("SELECT 1 FROM failed_jobs WHERE uuid = %s", (job_uuid,)) if job_uuid else []
    return JobState(bool(rows), bool(rows and rows[0][0]), bool(failed))


def probe_payload(job_class: str, job_uuid: str) -> str:
    """A Laravel database-queue payload dispatching ``job_class`` with the arguments that make
    it harmless (``HARMLESS_PROBE_JOBS``): ``data.command`` is the job object as PHP's
    serialize() writes it, which Laravel's CallQueuedHandler unserializes and runs. One try:
    a failure lands in failed_jobs at once."""
    return json.dumps(
        {
            "uuid": job_uuid,
            "displayName": job_class,
            "job": "Illuminate\\Queue\\CallQueuedHandler@call",
            "maxTries": 1,
            "maxExceptions": None,
            "failOnTimeout": False,
            "backoff": None,
            "timeout": 120,
            "retryUntil": None,
            "data": {
                "commandName": job_class,
                "command": php_serialized(job_class, HARMLESS_PROBE_JOBS[job_class]),
            },
            "createdAt": int(time.time()),
        }
    )


def php_serialized(job_class: str, protected: dict[str, bool | int | str | None]) -> str:
    """``serialize($job)`` of a job whose constructor set these protected properties (the
    others keep their class defaults when Laravel unserializes it)."""
    fields = "".join(_string(f"\0*\0{name}") + _value(v) for name, v in protected.items())
    return f'O:{len(job_class.encode())}:"{job_class}":{len(protected)}:{{{fields}}}'


def _string(text: str) -> str:
    return f's:{len(text.encode())}:"{text}";'


def _value(value: bool | int | str | None) -> str:
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    return f"i:{value};" if isinstance(value, int) else _string(value)


def dispatch_probe(pg: DatabaseClient, queue: str, job_class: str) -> tuple[int, str]:
    """Insert one probe job, due now; (its id, its uuid)."""
    job_uuid = str(uuid.uuid4())
    now = pg.dialect.epoch_now
    with pg.writer("dispatch a probe job") as writer:
        job_id = writer.insert(
            f"INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, "
            f"created_at) VALUES (%s, %s, 0, NULL, {now}, {now})",
            (queue, probe_payload(job_class, job_uuid)),
        )
    return job_id, job_uuid


def withdraw_probe(pg: DatabaseClient, job_id: int) -> bool:
    """Delete the probe job if no worker has reserved it (a probe that timed out leaves
    nothing behind); True if it was withdrawn."""
    with pg.writer("withdraw the probe job") as writer:
        changed = writer.execute(
            "DELETE FROM jobs WHERE id = %s AND reserved_at IS NULL", (job_id,)
        )
    return changed > 0
