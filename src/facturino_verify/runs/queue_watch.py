"""Queue processing, watched where the app queues (the ``jobs`` table, or Redis's ready lists
with ``[queue] connection = "redis"``): pending age, draining, a probe job.

Polls with a deadline (clients/poll.py), never sleeps blindly. Figures land in the perf
results file next to the dashboard timings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..checks import remedies
from ..checks.base import answered
from ..checks.queues import JobsFound, expect_jobs_only_on
from ..clients import DatabaseClient, RedisClient
from ..clients import queueprobe as q
from ..clients.poll import poll
from ..clients.redisjobs import Head, ReadyLists, queue_snapshot, ready_lists, still_waiting
from ..config import Environment
from ..config.model import Redis as RedisConfig
from ..config.perf import HARMLESS_PROBE_JOBS, Perf


@dataclass(frozen=True)
class Drain:
    before: q.Pending
    oldest: q.JobState
    after: q.Pending
    seconds: float


@dataclass(frozen=True)
class Probe:
    job_id: int
    state: q.JobState
    seconds: float


@dataclass(frozen=True)
class Connection:
    """The queue connection the app uses (as the environment says, and which key says so),
    and where to look for jobs on the other one (None: the app has no Redis to look in)."""

    name: str
    said_by: str
    elsewhere: Callable[[], JobsFound] | None = None


class QueueWatch:
    def __init__(
        self,
        pg: DatabaseClient,
        perf: Perf,
        figures: dict[str, Any],
        redis: RedisQueues | None = None,
        connection: Connection | None = None,
    ) -> None:
        self.pg, self.perf, self.figures, self.redis = pg, perf, figures, redis
        self.connection = connection or Connection("redis" if redis else "database", "")

    def _ask(self, what: str, question: Any) -> Any:
        __tracebackhide__ = True
        return answered(question, f"the database answers ({what})", remedies.DATABASE)

    def pending(self) -> q.Pending:
        """Jobs due and not reserved on the app's connection, with the oldest one; jobs on the
        other connection fail the check (an empty queue there proves nothing here)."""
        __tracebackhide__ = True
        if self.redis is not None:
            found = self.redis.pending(self._ask)
        else:
            found = self._ask("pending jobs", lambda: q.pending(self.pg))
        self.figures.update(
            connection=self.connection.name,
            pending=found.count,
            oldest_pending_seconds=found.oldest_age_seconds,
        )
        if self.connection.elsewhere is not None:
            other = self._ask("the other queue connection", self.connection.elsewhere)
            expect_jobs_only_on(self.connection.name, self.connection.said_by, [other])
        return found

    def _state_of(self, pending: q.Pending) -> Callable[[], q.JobState]:
        if self.redis is not None:
            return self.redis.state_of_oldest
        job_id = int(pending.oldest_id or 0)
        return lambda: q.job_state(self.pg, job_id)

    def drain(self) -> Drain:
        """Watch the oldest pending job until a worker picks it up (or the deadline passes)."""
        __tracebackhide__ = True
        before = self.pending()
        if before.oldest_id is None:
            return Drain(before, q.JobState(False, False, False), before, 0.0)
        state = self._state_of(before)
        watched = self._ask(
            "the oldest pending job",
            lambda: poll(
                state,
                lambda s: not s.in_jobs or s.reserved,
                self.perf.queue_drain_deadline_seconds,
            ),
        )
        after = self.pending()
        self.figures["drain_seconds"] = round(watched.seconds, 3)
        return Drain(before, watched.value, after, self.perf.queue_drain_deadline_seconds)

    def probe(self) -> Probe:
        """Dispatch a probe job and wait until it leaves the queue; withdrawn if it does not."""
        __tracebackhide__ = True
        perf, job_class = self.perf, self.perf.queue_probe_job
        assert job_class is not None  # probe_not_possible_because() skips the probe without
        job_id, job_uuid = self._ask(
            "dispatch a probe job",
            lambda: q.dispatch_probe(self.pg, perf.queue_probe_queue, job_class),
        )
        started = time.monotonic()
        watched = self._ask(
            "the probe job",
            lambda: poll(
                lambda: q.job_state(self.pg, job_id, job_uuid),
                lambda s: not s.in_jobs,
                perf.queue_probe_deadline_seconds,
            ),
        )
        if watched.value.in_jobs:
            self._ask("withdraw the probe job", lambda: q.withdraw_probe(self.pg, job_id))
        else:
            self.figures["probe_seconds"] = round(time.monotonic() - started, 3)
        return Probe(job_id, watched.value, perf.queue_probe_deadline_seconds)


class RedisQueues:
    """The ready lists of Laravel's ``redis`` connection (read-only): what waits, the oldest
    payload by its ``createdAt``, and whether a worker has popped it yet."""

    def __init__(self, client: RedisClient, queues: tuple[str, ...]) -> None:
        self.client, self.queues = client, queues
        self.oldest: Head | None = None

    def pending(self, ask: Callable[[str, Any], Any]) -> q.Pending:
        lists: ReadyLists = ask("the Redis queues", lambda: ready_lists(self.client, self.queues))
        self.oldest = lists.oldest()
        if self.oldest is None:
            return q.Pending(lists.count, None, None, None)
        head = self.oldest
        return q.Pending(lists.count, head.job_id, head.queue, head.age_seconds)

    def state_of_oldest(self) -> q.JobState:
        """Popped by a worker counts as picked up (it is then reserved or done)."""
        assert self.oldest is not None
        return q.JobState(still_waiting(self.client, self.oldest), False, False)


def probe_not_possible_because(env: Environment) -> str | None:
    """Why the ``database`` probe cannot travel here (None: it can)."""
    if env.perf.queue_probe_job is None:
        return (
            "[perf] queue_probe_job names none of the app's job classes: a probe dispatches "
            "only a job the app has and that is harmless (known: "
            + ", ".join(HARMLESS_PROBE_JOBS)
            + "); Facturino has no App\\Jobs\\ReferenceProbe"
        )
    if env.queue_connection == "redis":
        return (
            f"{env.queue_connection_said_by} = 'redis': the database probe's jobs row would "
            "never be taken by a worker of the redis connection"
        )
    return None


def _jobs_table(pg: DatabaseClient) -> JobsFound:
    table = pg.queue_snapshot(reserved_max_age_seconds=600)
    return JobsFound("database", "the jobs table", table.pending_by_queue, table.reserved)


def _redis_lists(redis: RedisClient, config: RedisConfig) -> JobsFound:
    lists = queue_snapshot(redis, config.queues, config.queue_retry_after, 600)
    where = f"Redis DB {config.queue_db} ({config.prefix}queues:*)"
    return JobsFound("redis", where, lists.pending_by_queue, lists.reserved)


def _connection(env: Environment, pg: DatabaseClient, redis: RedisClient | None) -> Connection:
    """Where the app queues, and how to read the other connection (the jobs table always;
    Redis only where the app uses it, else there may be no Redis to ask)."""
    name, said_by, config = env.queue_connection, env.queue_connection_said_by, env.redis
    if name == "redis":
        return Connection(name, said_by, lambda: _jobs_table(pg))
    if redis is not None and config is not None and env.redis_uses:
        return Connection(name, said_by, lambda: _redis_lists(redis, config))
    return Connection(name, said_by)
