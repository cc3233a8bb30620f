"""Queue health (runbook 'Queue Not Processing'; Grafana 'queue depth < 100')."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data
from facturino_verify.config import Environment
from facturino_verify.plugin.probes import Probes

pytestmark = pytest.mark.smoke


@pytest.mark.db
def test_no_job_reserved_for_more_than_10_minutes(probes: Probes, environment: Environment) -> None:
    data.expect_no_stuck_jobs(
        probes.result("db.queue"), environment.thresholds.reserved_job_max_age_seconds
    )


@pytest.mark.db
def test_pending_jobs_below_threshold(probes: Probes, environment: Environment) -> None:
    snapshot = probes.result("db.queue")
    data.expect_pending_below(
        snapshot.pending_by_queue, environment.thresholds.pending_jobs_max, "jobs table"
    )


@pytest.mark.db
def test_failed_jobs_last_hour_below_threshold(probes: Probes, environment: Environment) -> None:
    data.expect_failed_jobs_below(
        probes.result("db.queue"), environment.thresholds.failed_jobs_last_hour_max
    )


@pytest.mark.redis
def test_redis_queue_depth_below_threshold(probes: Probes, environment: Environment) -> None:
    # Checked whatever queue_connection says: a backlog in Redis lists while the app queues in
    # the database means a worker or producer is configured against the wrong connection.
    data.expect_pending_below(
        probes.result("redis.queues"), environment.thresholds.pending_jobs_max, "Redis lists"
    )
