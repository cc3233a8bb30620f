"""Runbook 'Queue processing: queue:work --once should process a job without errors', watched
where the app queues (contract §14: the ``jobs`` table, or Redis's ready lists with ``[queue]
connection = "redis"``): nothing waits too long, the queue moves, and where writes are
allowed a probe job goes through within a deadline."""

from __future__ import annotations

import pytest

from facturino_verify.checks import perf
from facturino_verify.config import Environment
from facturino_verify.runs.queue_watch import QueueWatch, probe_not_possible_because

pytestmark = [pytest.mark.perf, pytest.mark.db]


def test_oldest_pending_job_is_recent(queue_watch: QueueWatch, environment: Environment) -> None:
    perf.expect_oldest_pending_recent(
        queue_watch.pending(), environment.perf.queue_oldest_pending_max_seconds
    )


def test_pending_queue_drains(queue_watch: QueueWatch) -> None:
    drain = queue_watch.drain()
    perf.expect_picked_up(drain.before, drain.oldest, drain.after, drain.seconds)


@pytest.mark.writes
def test_probe_job_is_processed_within_deadline(
    queue_watch: QueueWatch, environment: Environment
) -> None:
    if environment.perf.queue_probe == "none":
        pytest.skip("[perf] queue_probe = 'none': no probe mechanism is allowed here")
    if reason := probe_not_possible_because(environment):
        pytest.skip(reason)
    probe = queue_watch.probe()
    perf.expect_probe_processed(
        probe.job_id, probe.state, probe.seconds, environment.perf.queue_probe_queue
    )
