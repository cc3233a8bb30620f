"""The ``queue_watch`` fixture: where the app queues, watched (the object: runs/queue_watch.py)."""

from __future__ import annotations

import pytest

from ..clients import DatabaseClient
from ..runs.perf import PerfRun
from ..runs.queue_watch import (
    QueueWatch,
    RedisQueues,
    _connection,
)


@pytest.fixture(scope="session")
def queue_watch(perf_run: PerfRun, postgres: DatabaseClient) -> QueueWatch:
    """The app's queue where it queues (Environment.queue_connection): the ``jobs`` table, or
    the Redis ready lists; pending age, draining, a probe job (``[perf] queue_probe``,
    database only); jobs on the other connection fail. Figures go to the perf results file."""
    env, redis = perf_run.env, perf_run.deployment.redis
    queues = None
    if env.queue_connection == "redis" and redis is not None and env.redis is not None:
        queues = RedisQueues(redis, env.redis.queues)
    connection = _connection(env, postgres, redis)
    return QueueWatch(postgres, env.perf, perf_run.queue, queues, connection)
