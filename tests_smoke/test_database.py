"""Runbook 'Database Connectivity' (`php artisan db:show`) and `migrate:status`."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.db]


def test_database_answers_select_1(probes: Probes, record_property: pytest.RecordProperty) -> None:
    one, engine, version = probes.result("db.version")
    # Named for both engines: production runs MySQL (MariaDB's version says "MariaDB").
    record_property("database_engine", engine)
    record_property("database_server_version", version)
    assert one == 1, f"SELECT 1 returned {one!r}"


def test_newest_expected_migration_has_run(probes: Probes, expected_migrations: list[str]) -> None:
    data.expect_newest_migration(probes.result("db.migrations"), max(expected_migrations))


def test_no_migration_is_pending(probes: Probes, expected_migrations: list[str]) -> None:
    data.expect_no_pending_migrations(probes.result("db.migrations"), expected_migrations)
