"""Queue processing, watched in the database: pending age, draining, a probe job.

Polls with a deadline (clients/poll.py), never sleeps blindly. Figures land in the perf
results file next to the dashboard timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from ..checks import remedies
from ..checks.base import fail
from ..clients import PostgresClient, TargetError
from ..clients import queueprobe as q
from ..clients.poll import poll
from ..config import Environment
from ..config.perf import Perf
from .perf import PerfRun


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


class QueueWatch:
    def __init__(self, pg: PostgresClient, perf: Perf, figures: dict[str, Any]) -> None:
        self.pg, self.perf, self.figures = pg, perf, figures

    def _ask(self, what: str, question: Any) -> Any:
        __tracebackhide__ = True
        try:
            return question()
        except TargetError as error:
            problem = str(error)
        fail(f"the database answers ({what})", "an answer", problem, remedies.DATABASE)

    def pending(self) -> q.Pending:
        """Jobs due and not reserved, with the oldest one."""
        __tracebackhide__ = True
        found: q.Pending = self._ask("pending jobs", lambda: q.pending(self.pg))
        self.figures.update(pending=found.count, oldest_pending_seconds=found.oldest_age_seconds)
        return found

    def drain(self) -> Drain:
        """Watch the oldest pending job until a worker picks it up (or the deadline passes)."""
        __tracebackhide__ = True
        before = self.pending()
        if before.oldest_id is None:
            return Drain(before, q.JobState(False, False, False), before, 0.0)
        job_id = before.oldest_id
        watched = self._ask(
            "the oldest pending job",
            lambda: poll(
                lambda: q.job_state(self.pg, job_id),
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
        perf = self.perf
        job_id, job_uuid = self._ask(
            "dispatch a probe job",
            lambda: q.dispatch_probe(self.pg, perf.queue_probe_queue, perf.queue_probe_job),
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


def not_in_the_jobs_table_because(env: Environment) -> str | None:
    """Why the ``jobs`` table does not hold the app's queue (None: it does). Reading an empty
    table there would be a pass that checked nothing."""
    if env.redis is not None and env.redis.queue_connection == "redis":
        return (
            "[redis] queue_connection = 'redis': jobs wait in Redis, not in the jobs table "
            "these checks read; the smoke gate's Redis queue depth and the daily queue checks "
            "judge that queue"
        )
    return None


@pytest.fixture(scope="session")
def queue_watch(perf_run: PerfRun, postgres: PostgresClient) -> QueueWatch:
    """The database queue (``jobs``/``failed_jobs``): pending age, draining, a probe job
    (``[perf] queue_probe``); its figures go to the perf results file. Skipped, with the
    reason, where the app queues on Redis."""
    if reason := not_in_the_jobs_table_because(perf_run.env):
        pytest.skip(reason)
    return QueueWatch(postgres, perf_run.env.perf, perf_run.queue)
