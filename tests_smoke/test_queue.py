"""Queue health (runbook 'Queue Not Processing'; Grafana 'queue depth < 100'), read where the
app queues: its queue connection (``[queue] connection``, the app's QUEUE_CONNECTION) is
the test parameter, and jobs found on the other connection are a failure of their own."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data, queues
from facturino_verify.checks.queues import JobsFound
from facturino_verify.clients import QueueSnapshot
from facturino_verify.clients.redisjobs import RedisQueueSnapshot
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = pytest.mark.smoke


def snapshot(probes: Probes, connection: str) -> QueueSnapshot | RedisQueueSnapshot:
    """The jobs table, or the Redis connection's lists and sets."""
    result: QueueSnapshot | RedisQueueSnapshot = probes.result(
        "db.queue" if connection == "database" else "redis.queue"
    )
    return result


def where(environment: Environment, connection: str) -> str:
    source = "the jobs table" if connection == "database" else "Redis queues:*"
    return f"{queues.connection_named(connection, environment.queue_connection_said_by)}: {source}"


def test_no_job_reserved_for_more_than_10_minutes(
    probes: Probes, environment: Environment, queue_connection: str
) -> None:
    found = snapshot(probes, queue_connection)
    data.expect_no_stuck_jobs(
        found.reserved_too_long,
        found.oldest_reserved_age_seconds,
        environment.thresholds.reserved_job_max_age_seconds,
        where(environment, queue_connection),
    )


def test_pending_jobs_below_threshold(
    probes: Probes, environment: Environment, queue_connection: str
) -> None:
    data.expect_pending_below(
        snapshot(probes, queue_connection).pending_by_queue,
        environment.thresholds.pending_jobs_max,
        where(environment, queue_connection),
    )


@pytest.mark.db
def test_failed_jobs_last_hour_below_threshold(probes: Probes, environment: Environment) -> None:
    # failed_jobs holds the failures of every connection (queue.failed.driver = database).
    data.expect_failed_jobs_below(
        probes.result("db.queue"), environment.thresholds.failed_jobs_last_hour_max
    )


@pytest.mark.db
def test_jobs_are_only_on_the_configured_queue_connection(
    probes: Probes, environment: Environment
) -> None:
    table: QueueSnapshot = probes.result("db.queue")
    found = [JobsFound("database", "the jobs table", table.pending_by_queue, table.reserved)]
    redis = environment.redis
    if redis is not None and environment.redis_uses:  # else the app has no Redis to ask
        lists: RedisQueueSnapshot = probes.result("redis.queue")
        where_in_redis = f"Redis DB {redis.queue_db} ({redis.prefix}queues:*)"
        found.append(JobsFound("redis", where_in_redis, lists.pending_by_queue, lists.reserved))
    queues.expect_jobs_only_on(
        environment.queue_connection,
        environment.queue_connection_said_by,
        found,
        table.failed_by_connection_24h,
    )
