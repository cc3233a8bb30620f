"""Where the app's jobs are: the configured queue connection against the jobs found."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from facturino_verify.checks import CheckFailed, queues, remedies
from facturino_verify.checks.queues import JobsFound
from facturino_verify.clients.redisjobs import queue_snapshot

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
    queues.expect_jobs_only_on("database", "[queue] connection", [busy, EMPTY_REDIS])
    queues.expect_jobs_only_on("database", "x", [busy], {"database": 7, "sync": 2})


def test_jobs_waiting_on_the_other_connection_fail_naming_both() -> None:
    delayed = JobsFound("redis", "Redis DB 3 (facturino_queues:*)", {"einvoice": 150})
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("database", "[queue] connection", [TABLE, delayed])
    failure = caught.value
    assert failure.claim == (
        "jobs are only on the app's queue connection 'database' ([queue] connection)"
    )
    assert failure.seen == (
        "150 job(s) in Redis DB 3 (facturino_queues:*) (connection 'redis'): {'einvoice': 150}"
    )
    assert failure.remedy == remedies.QUEUE_CONNECTION


def test_an_empty_redis_list_is_no_evidence_when_jobs_wait_in_the_table() -> None:
    """The app queues on Redis (as configured) but its jobs are in the jobs table."""
    table = JobsFound("database", "the jobs table", {"default": 5}, reserved=2)
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("redis", "[queue] connection", [table])
    assert "7 job(s) in the jobs table (connection 'database')" in str(caught.value.seen)
    assert ", 2 reserved" in str(caught.value.seen)


def test_jobs_failed_on_the_other_connection_fail() -> None:
    with pytest.raises(CheckFailed) as caught:
        queues.expect_jobs_only_on("database", "x", [TABLE], {"banking": 3, "database": 1})
    assert caught.value.seen == "failed_jobs of the last 24 h by connection: {'banking': 3}"


class FakePipeline:
    """Answers the snapshot's pipeline from a dict of lists and sorted sets (score by member)."""

    def __init__(self, lists: dict[str, int], zsets: dict[str, dict[str, float]]) -> None:
        self.lists, self.zsets = lists, zsets
        self.answers: list[object] = []

    def llen(self, key: str) -> None:
        self.answers.append(self.lists.get(key, 0))

    def zcard(self, key: str) -> None:
        self.answers.append(len(self.zsets.get(key, {})))

    def zcount(self, key: str, low: str, high: str) -> None:
        bound = float(high.lstrip("("))
        self.answers.append(sum(score < bound for score in self.zsets.get(key, {}).values()))

    def zrange(self, key: str, start: int, stop: int, withscores: bool) -> None:
        ranked = sorted(self.zsets.get(key, {}).items(), key=lambda item: item[1])
        self.answers.append(ranked[: stop + 1])

    def execute(self) -> list[object]:
        return self.answers


class FakeRedisClient:
    def __init__(self, pipeline: FakePipeline) -> None:
        self.pipeline = pipeline

    def queue_db(self) -> int:
        return 3

    def queue_key(self, queue: str, part: str = "") -> str:
        return f"p_queues:{queue}" + (f":{part}" if part else "")

    def call(self, db: int, action: Callable[[object], object]) -> object:
        fake = type("R", (), {"pipeline": lambda _self, transaction: self.pipeline})()
        return action(fake)


def test_redis_snapshot_counts_waiting_jobs_and_reservations_older_than_the_maximum() -> None:
    now = time.time()
    retry_after = 90
    zsets = {
        # reserved 15 and 2 minutes ago: the score is the start plus retry_after
        "p_queues:default:reserved": {"a": now - 900 + retry_after, "b": now - 120 + retry_after},
        "p_queues:banking:delayed": {"c": now + 60},
    }
    pipeline = FakePipeline({"p_queues:default": 4}, zsets)
    found = queue_snapshot(
        FakeRedisClient(pipeline),  # duck-typed: the RedisClient calls the snapshot makes
        ("default", "banking"),
        retry_after,
        600,
    )
    assert found.pending_by_queue == {"default": 4, "banking": 1}
    assert (found.reserved, found.reserved_too_long) == (2, 1)
    assert found.oldest_reserved_age_seconds is not None
    assert 899 <= found.oldest_reserved_age_seconds <= 901
