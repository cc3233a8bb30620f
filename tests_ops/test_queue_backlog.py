"""Daily: "Check queue status" (runbook; contract §14): per queue, depth and the age of its
oldest due job against the environment's maxima, from the jobs table, the Redis lists and
`php artisan queue:monitor`; and one job through `queue:work --once` where that is allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import ops as checks
from facturino_verify.checks.artisan import parse_queue_monitor, parse_queue_work
from facturino_verify.clients import shell
from facturino_verify.clients.opsdb import QueueFigures
from facturino_verify.clients.shell import ShellResult
from facturino_verify.config import Environment
from facturino_verify.plugin.ops import Ops

pytestmark = pytest.mark.daily

SOURCES = [
    pytest.param("jobs table", marks=pytest.mark.db, id="database"),
    pytest.param("Redis lists", marks=pytest.mark.redis, id="redis"),
]


def figures(ops: Ops, source: str) -> QueueFigures:
    return ops.db_queues() if source == "jobs table" else ops.redis_queues()


@pytest.mark.parametrize("source", SOURCES)
def test_queue_depth_within_maximum(
    ops: Ops, source: str, environment: Environment, record_figure: Callable[[str, float], None]
) -> None:
    depth = figures(ops, source).depth
    record_figure(f"queue_depth_max ({source})", max(depth.values(), default=0))
    limits = {q: environment.queue.depth_limit(q) for q in depth}
    checks.expect_depths(depth, limits, source)


@pytest.mark.parametrize("source", SOURCES)
def test_oldest_due_job_is_younger_than_maximum(
    ops: Ops, source: str, environment: Environment, record_figure: Callable[[str, float], None]
) -> None:
    ages = figures(ops, source).oldest_age_seconds
    record_figure(
        f"queue_oldest_job_seconds ({source})", max((a or 0 for a in ages.values()), default=0)
    )
    checks.expect_oldest_ages(ages, environment.queue.oldest_job_max_age_seconds, source)


@pytest.mark.shell
def test_queue_monitor_reports_every_queue_ok(
    ops: Ops, environment: Environment, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    q = environment.queue
    command = shell.queue_monitor(ops.artisan, ops.queue_connection, q.names, q.depth_max)
    result = shell_command(command)
    checks.expect_monitor_ok(parse_queue_monitor(result.stdout), q.names, ops.shown(result))


@pytest.mark.shell
@pytest.mark.queue_work
def test_queue_work_once_processes_a_job_without_error(
    ops: Ops, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    result = shell_command(shell.queue_work_once(ops.artisan, "default"))
    checks.expect_worked_once(result.exit_code, parse_queue_work(result.stdout), ops.shown(result))
