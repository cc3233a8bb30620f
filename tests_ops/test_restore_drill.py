"""Weekly: "Test backup restore procedure" as evidence. The newest backup is downloaded, its
dump restored into a throwaway server started for the drill (PostgreSQL, or MariaDB for
spatie's mysql-*.sql dump; never the production server, removed afterwards) and compared with
the live database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import restore as checks
from facturino_verify.config import Environment
from facturino_verify.runs.ops import Drill, Ops

pytestmark = pytest.mark.weekly


@pytest.fixture(scope="session")
def drill(ops: Ops, restore_source: str) -> Drill:
    """The restore drill, run once per session from ``restore_source``."""
    return ops.drill()


def test_newest_backup_restores_into_throwaway_server(
    drill: Drill,
    record_figure: Callable[[str, float], None],
    record_property: pytest.RecordProperty,
) -> None:
    """The dump is restored as spatie wrote it into a throwaway server of its engine: PostgreSQL
    (ownership and privileges included, after the roles it names were created in the throwaway
    cluster) or, for spatie's mysql-*.sql dump, MariaDB (a MySQL dump names no roles)."""
    record_figure("restore_drill_seconds", drill.seconds)
    record_property("restore_engine", drill.engine or "none")  # none: it never started
    record_property("restore_roles_created", ", ".join(drill.roles_created) or "none")
    checks.expect_restored(drill.problem, drill.source)


def test_restored_backup_has_core_tables(drill: Drill, environment: Environment) -> None:
    checks.expect_core_tables(drill.restored().restored_counts, environment.backups.core_tables)


@pytest.mark.db
def test_restored_row_counts_match_live_database(
    drill: Drill, ops: Ops, environment: Environment
) -> None:
    restored = drill.restored().restored_counts
    checks.expect_row_counts(ops.live_counts(), restored, environment.backups.row_count_tolerance)


def test_restored_backup_has_newest_migration(drill: Drill, environment: Environment) -> None:
    newest = environment.database.newest_migration if environment.database else None
    if newest is None:
        pytest.fail(
            "set [database] newest_migration: the release's newest migration", pytrace=False
        )
    checks.expect_migration_restored(drill.restored().restored_migrations, newest)


@pytest.mark.db
def test_restored_invoices_are_readable(drill: Drill, ops: Ops) -> None:
    restored = drill.restored()
    checks.expect_invoices_readable(restored.restored_invoices, ops.live_counts().get("invoices"))
