"""The operations fault matrix on MySQL (issue 12): production runs MySQL, so the database
faults of the daily and weekly suites must fail exactly the checks they fail on PostgreSQL when
the reference deployment runs on MariaDB (`up --db mysql`): the backups are then the app's PHP
mysqldump (`db-dumps/mysql-facturino.sql.gz`), the drill restores them into a throwaway MariaDB,
and the queue, failed-jobs and migration questions are asked in MySQL's dialect.

The expectations are the PostgreSQL matrix's own table (`EXPECTED_FAILURES`), not a copy. Each
case is a deployment of its own on a free base of the ops range, chosen under the ops matrix's
lock, so the cases run in parallel with each other and with the PostgreSQL matrix: a fault is
applied at `up` and there is no way to take a backup fault back in place.
"""

from __future__ import annotations

import pytest

from .test_fault_matrix_ops import (
    BLOCKED_NOT_ROLLBACK,
    DRILL_RESTORES,
    EVERY_CHECK,
    EXPECTED_FAILURES,
    failing,
    ops_run,
    reference_with_bucket,
)

pytestmark = pytest.mark.fault_matrix

MYSQL = ("--db", "mysql")
# The ops faults that live in the database or its dumps: every backup fault (the dump is the
# engine's own), the pending migration (`migrate:status` and the restored migrations), the stuck
# queue and the failed-jobs spike (rows the checks read in MySQL's dialect).
DATABASE_FAULTS = (
    "backup_stale",
    "backup_empty",
    "backup_corrupt",
    "backup_partial",
    "migrations_pending",
    "queue_stuck",
    "failed_jobs_spike",
)


def test_healthy_mysql_reference_passes_every_ops_check() -> None:
    with reference_with_bucket(extra=MYSQL) as home:
        run = ops_run(home)
    assert run.exit_code == 0, run.output[-3000:]
    assert failing(run) == set() and run.named("skipped") == set(), run.output[-3000:]
    assert set(run.outcomes) == EVERY_CHECK, sorted(set(run.outcomes) ^ EVERY_CHECK)
    # The drill's name says no engine; what it restored into is recorded.
    assert run.properties[DRILL_RESTORES]["restore_engine"] == "mysql"


@pytest.mark.parametrize("fault", DATABASE_FAULTS)
def test_database_fault_fails_the_same_ops_checks_on_mysql(fault: str) -> None:
    with reference_with_bucket([fault], MYSQL) as home:
        run = ops_run(home)
    expected = EXPECTED_FAILURES[fault]
    assert run.exit_code != 0, run.output[-3000:]
    assert failing(run) == expected, (
        f"missed (should fail): {sorted(expected - failing(run))}; "
        f"cross-talk (should pass): {sorted(failing(run) - expected)}\n{run.output[-2000:]}"
    )
    assert run.named("skipped") == set()
    if fault in BLOCKED_NOT_ROLLBACK:
        assert run.exit_code == 11, f"{fault}: exit {run.exit_code}\n{run.output[-1500:]}"


def test_the_mysql_matrix_covers_every_database_fault_of_the_ops_matrix() -> None:
    """A name here that the PostgreSQL matrix dropped would compare against nothing."""
    assert set(DATABASE_FAULTS) <= set(EXPECTED_FAILURES)
