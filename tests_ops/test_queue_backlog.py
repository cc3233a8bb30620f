"""Daily: "Check queue status" (runbook; contract §14): per queue, depth and the age of its
oldest due job against the environment's maxima, read where the app queues (its queue
connection is the test parameter: the jobs table or the Redis lists); jobs on the other
connection fail; `php artisan about` must name the connection the environment says, and
`php artisan queue:monitor` is asked about that one; one job through `queue:work --once`
where that is allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import ops as checks
from facturino_verify.checks import queues
from facturino_verify.checks.artisan import (
    parse_about_drivers,
    parse_queue_monitor,
    parse_queue_work,
)
from facturino_verify.clients import shell
from facturino_verify.clients.opsdb import QueueFigures
from facturino_verify.clients.shell import ShellResult
from facturino_verify.config import Environment
from facturino_verify.runs.ops import Ops

pytestmark = pytest.mark.daily
SOURCES = {"database": "jobs table", "redis": "Redis lists"}


def expected_drivers(environment: Environment) -> dict[str, tuple[str, str]]:
    """What the environment says of the app's drivers: the queue connection always, the cache
    store and session driver where it has a [redis] section (which is where it says them)."""
    expected = {"queue": (environment.queue_connection, environment.queue_connection_said_by)}
    if environment.redis is not None:
        expected["cache"] = (environment.redis.cache_store, "[redis] cache_store")
        expected["session"] = (environment.redis.session_driver, "[redis] session_driver")
    return expected


def figures(ops: Ops, connection: str) -> QueueFigures:
    return ops.db_queues() if connection == "database" else ops.redis_queues()


def source(environment: Environment, connection: str) -> str:
    said_by = environment.queue_connection_said_by
    return f"{queues.connection_named(connection, said_by)}: {SOURCES[connection]}"


def test_queue_depth_within_maximum(
    ops: Ops,
    queue_connection: str,
    environment: Environment,
    record_figure: Callable[[str, float], None],
) -> None:
    depth = figures(ops, queue_connection).depth
    record_figure(f"queue_depth_max ({SOURCES[queue_connection]})", max(depth.values(), default=0))
    limits = {q: environment.queue.depth_limit(q) for q in depth}
    checks.expect_depths(depth, limits, source(environment, queue_connection))


def test_oldest_due_job_is_younger_than_maximum(
    ops: Ops,
    queue_connection: str,
    environment: Environment,
    record_figure: Callable[[str, float], None],
) -> None:
    ages = figures(ops, queue_connection).oldest_age_seconds
    record_figure(
        f"queue_oldest_job_seconds ({SOURCES[queue_connection]})",
        max((a or 0 for a in ages.values()), default=0),
    )
    checks.expect_oldest_ages(
        ages, environment.queue.oldest_job_max_age_seconds, source(environment, queue_connection)
    )


@pytest.mark.db
def test_queues_hold_jobs_only_on_the_configured_connection(
    ops: Ops, environment: Environment
) -> None:
    found = [queues.JobsFound("database", "the jobs table", ops.db_queues().depth)]
    redis = environment.redis
    if redis is not None and environment.redis_uses:  # else the app has no Redis to ask
        where = f"Redis DB {redis.queue_db} ({redis.prefix}queues:*)"
        found.append(queues.JobsFound("redis", where, ops.redis_queues().depth))
    queues.expect_jobs_only_on(
        environment.queue_connection, environment.queue_connection_said_by, found
    )


@pytest.mark.shell
def test_app_drivers_match_the_environment(
    ops: Ops, environment: Environment, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    result = shell_command(shell.about_drivers(ops.artisan))
    checks.expect_drivers(
        parse_about_drivers(result.stdout), expected_drivers(environment), ops.shown(result)
    )


@pytest.mark.shell
def test_queue_monitor_reports_every_queue_ok(
    ops: Ops, environment: Environment, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    # Asked about the connection the app uses (test_app_drivers_match_the_environment proves
    # the environment names it): an empty queue on another connection proves nothing.
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
