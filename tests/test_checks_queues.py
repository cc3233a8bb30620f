"""Where the app's jobs are: the configured queue connection against the jobs found."""

from __future__ import annotations

import pytest

from facturino_verify.checks import CheckFailed, queues, remedies
from facturino_verify.checks.queues import JobsFound

TABLE = JobsFound("database", "the jobs table", {"default": 0, "banking": 0})
EMPTY_REDIS = JobsFound("redis", "Redis DB 3 (facturino_queues:*)", {"default": 0})


@pytest.mark.parametrize(
    ("name", "driver"),
    [("database", "database"), ("redis", "redis"), ("banking", "redis"), ("sync", None)],
)
def test_failed_jobs_connection_names_map_to_their_driver(name: str, driver: str | None) -> None:
    assert queues.driver_of(name) == driver


def test_jobs_only_on_the_configured_connection_pass() -> None:
    busy = JobsFound("database", "the jobs table", {"default": 4}, reserved=1)
    queues.expect_jobs_only_on("database", "[redis] queue_connection", [busy, EMPTY_REDIS])
    queues.expect_jobs_only_on("database", "x", [busy], {"database": 7, "sync": 2})


def test_jobs_waiting_on_the_other_connection_fail_naming_both() -> None:
    delayed = JobsFound("redis", "Redis DB 3 (facturino_queues:*)", {"einvoice": 150})
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("database", "[redis] queue_connection", [TABLE, delayed])
    failure = caught.value
    assert failure.claim == (
        "jobs are only on the app's queue connection 'database' ([redis] queue_connection)"
    )
    assert failure.seen == (
        "150 job(s) in Redis DB 3 (facturino_queues:*) (connection 'redis'): {'einvoice': 150}"
    )
    assert failure.remedy == remedies.QUEUE_CONNECTION


def test_an_empty_redis_list_is_no_evidence_when_jobs_wait_in_the_table() -> None:
    """The app queues on Redis (as configured) but its jobs are in the jobs table."""
    table = JobsFound("database", "the jobs table", {"default": 5}, reserved=2)
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("redis", "[redis] queue_connection", [table])
    assert "7 job(s) in the jobs table (connection 'database')" in str(caught.value.seen)
    assert ", 2 reserved" in str(caught.value.seen)


def test_jobs_failed_on_the_other_connection_fail() -> None:
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("database", "x", [TABLE], {"banking": 3, "database": 1})
    assert caught.value.seen == "failed_jobs of the last 24 h by connection: {'banking': 3}"
