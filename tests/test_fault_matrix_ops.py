"""The operations fault matrix: every daily and weekly check is proven able to fail.

The daily and weekly suites run together (``-m "daily or weekly"``) as one process against a
private reference deployment that has its S3-compatible bucket, its shell entry and a history
file of its own; once healthy (everything passes, nothing skipped) and once per fault, where the
failing set must be exactly the expected one. (Deselection without a shell prefix is proven
cheaply through pytester in test_ops_capabilities.py.)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from facturino_reference.procs import port_in_use
from facturino_reference.state import MYSQL_OFFSET, ports_for

from .prometheus_server import Target, prometheus
from .reference_runs import SuiteRun, reference, run_suite

pytestmark = pytest.mark.fault_matrix

LOCATIONS = ("folder", "bucket", "backup:list")
RECENT = {f"test_newest_backup_is_recent[{w}]" for w in LOCATIONS}
LARGE = {f"test_newest_backup_is_larger_than_minimum[{w}]" for w in LOCATIONS}
DUMP = {f"test_newest_backup_contains_database_dump[{w}]" for w in ("folder", "bucket")}
DRILL_RESTORES = "test_newest_backup_restores_into_throwaway_server[bucket]"
CORE_TABLES = "test_restored_backup_has_core_tables[bucket]"
ROW_COUNTS = "test_restored_row_counts_match_live_database[bucket]"
DRILL_MIGRATION = "test_restored_backup_has_newest_migration[bucket]"
INVOICES = "test_restored_invoices_are_readable[bucket]"
DRILL = {DRILL_RESTORES, CORE_TABLES, ROW_COUNTS, DRILL_MIGRATION, INVOICES}
# The queue checks read the app's queue connection, named in their id (the reference's default
# is the image's baked `database`); jobs on the other connection fail their own check.
DEPTH = "test_queue_depth_within_maximum[database]"
OLDEST = "test_oldest_due_job_is_younger_than_maximum[database]"
ONLY_ON = "test_queues_hold_jobs_only_on_the_configured_connection"
DRIVERS = "test_app_drivers_match_the_environment"
MONITOR = "test_queue_monitor_reports_every_queue_ok"
WORK_ONCE = "test_queue_work_once_processes_a_job_without_error"
FAILED_24H = "test_failed_jobs_last_24h_below_threshold"
GROWING = "test_failed_jobs_are_not_growing"
ERRORS_5XX = "test_5xx_share_of_requests_below_threshold[metrics]"
MIGRATE_STATUS = {
    "test_migrate_status_shows_no_pending_migration",
    "test_migrate_status_shows_newest_migration_ran",
}
DISK = {"test_disk_usage_below_threshold_per_metrics", "test_disk_usage_below_threshold_per_df"}
# The runtime configuration (issue 15): one check per critical variable of the reference's
# environment file (the runbook's list, and the drivers its [queue] and [redis] name).
VARIABLE_NAMES = (
    "APP_DEBUG",
    "APP_ENV",
    "CACHE_STORE",
    "FEATURE_ACCOUNTING_BACKBONE",
    "FEATURE_ADVANCED_PAYMENTS",
    "FEATURE_MCP_AI_TOOLS",
    "FEATURE_MIGRATION_WIZARD",
    "FEATURE_MONITORING",
    "FEATURE_PARTNER_PORTAL",
    "FEATURE_PSD2_BANKING",
    "QUEUE_CONNECTION",
    "SESSION_DRIVER",
    "SESSION_HTTP_ONLY",
    "SESSION_LIFETIME",
    "SESSION_SAME_SITE",
    "SESSION_SECURE_COOKIE",
    "TELESCOPE_ENABLED",
)


def variable(name: str) -> str:
    return f"test_critical_variable_has_expected_value[{name}]"


VARIABLES = {variable(name) for name in VARIABLE_NAMES}
HSTS_AGREES = "test_app_env_agrees_with_hsts_seen_from_outside"
DEBUG_AGREES = "test_app_debug_agrees_with_debug_headers_seen_from_outside"
CACHES = "test_framework_caches_are_built"
EVERY_CHECK = (
    RECENT
    | LARGE
    | DUMP
    | DRILL
    | {DEPTH, OLDEST, ONLY_ON, DRIVERS, MONITOR, WORK_ONCE, FAILED_24H, GROWING, ERRORS_5XX}
    | MIGRATE_STATUS
    | DISK
    | VARIABLES
    | {HSTS_AGREES, DEBUG_AGREES, CACHES}
)

EXPECTED_FAILURES: dict[str, set[str]] = {
    # Taken 30 h ago; the 12 customers who signed up since are not in it.
    "backup_stale": RECENT | {ROW_COUNTS},
    "backup_empty": LARGE | DUMP | DRILL,
    "backup_corrupt": DRILL,
    "backup_partial": {CORE_TABLES, ROW_COUNTS, INVOICES},
    "no_backups": RECENT | LARGE | DUMP | DRILL,
    "disk_full": DISK,
    "failed_jobs_growing": {GROWING},
    "failed_jobs_spike": {FAILED_24H, GROWING},
    "queue_over_max": {DEPTH, MONITOR},
    # 150 payloads waiting in Redis while the app queues in the database.
    "redis_queue_over_max": {ONLY_ON},
    "queue_stuck": {OLDEST},
    # The app runs on the image's baked cache store and session driver (database) while the
    # environment says redis: `php artisan about --only=drivers` shows it, and printenv too.
    "baked_cache_drivers": {DRIVERS, variable("CACHE_STORE"), variable("SESSION_DRIVER")},
    "migrations_pending": MIGRATE_STATUS | {DRILL_MIGRATION},
    # Pending under a non-standard name (2025_08_52_...): its status line must be read at all.
    "older_migration_pending": {"test_migrate_status_shows_no_pending_migration"},
    "error_burst": {ERRORS_5XX},
    "job_class_missing": {WORK_ONCE},
    # Nothing outside shows it (Telescope is require-dev): only printenv does.
    "telescope_enabled": {variable("TELESCOPE_ENABLED")},
    "config_not_cached": {CACHES},
    # APP_ENV=production in the environment, no HSTS from outside.
    "no_hsts": {HSTS_AGREES},
    # APP_DEBUG=false in the environment, debug headers from outside.
    "debug_headers_forced": {DEBUG_AGREES},
}
# Operations faults whose verdict is BLOCKED (exit 11), never ROLLBACK.
BLOCKED_NOT_ROLLBACK = {"backup_stale", "queue_stuck", "failed_jobs_spike"}
# Bases 250 apart inside the ops range 22000-26999 (tests/README.md): the seven ports of one base
# (and the bucket's base+200) never meet another's. Chosen free under a lock, so parallel workers
# and parallel runs of this matrix never pick the same one.
BASES = range(22000, 26501, 250)
PORT_LOCK = Path(tempfile.gettempdir()) / "facturino-verify-ops-matrix-ports.lock"
USERS = ("--users", "10")  # simulated users: traffic for a request rate


def _free_base(wait: float = 300.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        for base in BASES:
            ports = (*ports_for(base).values(), base + 200, base + MYSQL_OFFSET)  # either engine
            if not any(port_in_use(port) for port in ports):
                return base
        if time.monotonic() > deadline:
            raise RuntimeError("no free port base in 22000-26999")
        time.sleep(0.5)


@contextmanager
def reference_with_bucket(faults: Sequence[str] = (), extra: Sequence[str] = ()) -> Iterator[Path]:
    """A reference deployment with its S3-compatible bucket on a free base; always torn down.
    The base is chosen and bound (the whole `up`) under the lock."""
    with ExitStack() as stack:
        with PORT_LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            home = stack.enter_context(reference(_free_base(), faults, ["--with-bucket", *extra]))
        yield home


def ops_run(home: Path, *extra: str) -> SuiteRun:
    history = f"--history-file={home / 'history.jsonl'}"
    # Only tests_ops/: collecting the other suites costs seconds per run and selects nothing.
    return run_suite(home, "daily or weekly", "tests_ops", history, *extra)


def failing(run: SuiteRun) -> set[str]:
    return run.named("failed") | run.named("error")


def test_healthy_reference_deployment_passes_every_ops_check() -> None:
    with reference_with_bucket() as home:
        run = ops_run(home)
        recorded = (home / "history.jsonl").read_text().splitlines()
    assert run.exit_code == 0, run.output[-3000:]
    assert failing(run) == set()
    assert run.named("skipped") == set(), "a skipped check proves nothing"
    assert set(run.outcomes) == EVERY_CHECK, (
        f"unknown to the matrix: {sorted(set(run.outcomes) - EVERY_CHECK)}; "
        f"not run: {sorted(EVERY_CHECK - set(run.outcomes))}"
    )
    assert run.properties[DRILL_RESTORES]["restore_engine"] == "postgresql"
    figures = json.loads(recorded[-1])["figures"]
    assert figures["restore_drill_seconds"] > 0
    assert {"failed_jobs_24h", "disk_usage_percent", "http_5xx_ratio_percent"} <= set(figures)


@pytest.mark.parametrize("fault", sorted(EXPECTED_FAILURES))
def test_ops_fault_fails_exactly_its_checks(fault: str) -> None:
    with reference_with_bucket([fault]) as home:
        run = ops_run(home)
    expected = EXPECTED_FAILURES[fault]
    assert run.exit_code != 0, run.output[-3000:]
    assert failing(run) == expected, (
        f"missed (should fail): {sorted(expected - failing(run))}; "
        f"cross-talk (should pass): {sorted(failing(run) - expected)}\n{run.output[-2000:]}"
    )
    assert run.named("skipped") == set()
    if fault in BLOCKED_NOT_ROLLBACK:
        # Redeploying the last release fixes none of these: they block, they never roll back.
        assert run.exit_code == 11, f"{fault}: exit {run.exit_code}\n{run.output[-1500:]}"
        assert "redeploy" not in run.output.lower()


def test_failed_jobs_trend_compares_with_the_previous_run_when_one_was_recorded() -> None:
    """Without a recorded run the baseline is the 24 h before (5 → 40: growing); a run recorded
    yesterday with 38 makes 40 an acceptable change (+2 ≤ 10)."""
    with reference_with_bucket(["failed_jobs_growing"]) as home:
        first = ops_run(home, "-k", GROWING)
        yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        record = {"at": yesterday.isoformat(), "figures": {"failed_jobs_24h": 38}}
        (home / "history.jsonl").write_text(json.dumps(record) + "\n")
        second = ops_run(home, "-k", GROWING)
    assert failing(first) == {GROWING}
    assert second.named("passed") == {GROWING}, second.output[-2000:]


def test_queue_checks_read_redis_where_the_app_queues_there() -> None:
    """`QUEUE_CONNECTION=redis`: the depth and age checks read the Redis lists ([redis] ids),
    queue:monitor asks `redis:<queue>`, and the jobs table must hold nothing."""
    redis = ("--queue-connection", "redis")
    ours = {
        "test_queue_depth_within_maximum[redis]",
        "test_oldest_due_job_is_younger_than_maximum[redis]",
        ONLY_ON,
        DRIVERS,
        MONITOR,
    }
    cases = {
        "healthy": set(),
        # 1500 payloads created 15 minutes ago on a paused `redis:default`.
        "queue_backlog": ours - {ONLY_ON, DRIVERS},
        # 150 rows in the jobs table while the app queues on Redis.
        "queue_over_max": {ONLY_ON},
    }
    for fault, expected in cases.items():
        with reference_with_bucket([] if fault == "healthy" else [fault], redis) as home:
            # Not the variables checks ([QUEUE_CONNECTION] would match "queue").
            run = ops_run(home, "-k", "(queue or drivers) and not variable")
        assert set(run.outcomes) == ours | {WORK_ONCE}, f"{fault}: {sorted(run.outcomes)}"
        assert failing(run) == expected, f"{fault}: {run.output[-2500:]}"
        if fault == "queue_backlog":
            assert "[redis] default" in run.output  # queue:monitor asked the app's connection


def test_every_ops_check_is_tripped_by_a_specific_fault() -> None:
    functions = {name.split("[")[0] for name in EVERY_CHECK}
    proven = {name.split("[")[0] for failures in EXPECTED_FAILURES.values() for name in failures}
    assert sorted(functions - proven) == []


def _target(name: str, home: Path) -> Target:
    state = json.loads((home / "state.json").read_text())
    return Target(name, home, int(state["ports"]["https"]))


def _prometheus_port() -> int:
    """A free port of 26950-26999 (inside the ops range, above every base's ports)."""
    return next(port for port in range(26950, 27000) if not port_in_use(port))


def test_5xx_share_over_24h_is_read_from_prometheus_where_available() -> None:
    """A private Prometheus scrapes a healthy deployment and an `error_burst` one (both with
    simulated users); the check's Prometheus source passes on the first and fails on the
    second, as its /metrics source does."""
    with ExitStack() as stack:
        healthy = _target("healthy", stack.enter_context(reference_with_bucket(extra=USERS)))
        burst = _target("burst", stack.enter_context(reference_with_bucket(["error_burst"])))
        server = stack.enter_context(prometheus(_prometheus_port(), [healthy, burst]))
        for target in (healthy, burst):  # rate() needs two samples of each target
            rate = f"rate(fakturino_http_requests_total{{{target.selector}}}[24h])"
            assert server.until(lambda rate=rate: bool(server.query(rate)), 30.0), target.name
        runs = {
            t.name: run_suite(
                t.home,
                "daily",
                "tests_ops",
                "-k",
                "5xx",
                overrides={
                    "FACTURINO_VERIFY__MONITORING__PROMETHEUS_URL": server.url,
                    "FACTURINO_VERIFY__MONITORING__PROMETHEUS_SELECTOR": t.selector,
                },
            )
            for t in (healthy, burst)
        }
    both = {ERRORS_5XX, ERRORS_5XX.replace("[metrics]", "[prometheus]")}
    assert runs["healthy"].named("passed") == both, runs["healthy"].output[-2000:]
    assert failing(runs["burst"]) == both, runs["burst"].output[-2000:]
