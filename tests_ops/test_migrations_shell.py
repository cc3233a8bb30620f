"""Daily: `php artisan migrate:status` (runbook Database Migration "Verify"; contract §2): no
migration pending and the release's newest one Ran, as the app itself reports it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import ops as checks
from facturino_verify.checks.artisan import parse_migrate_status
from facturino_verify.clients import shell
from facturino_verify.clients.shell import ShellResult
from facturino_verify.config import Environment
from facturino_verify.runs.ops import Ops

pytestmark = [pytest.mark.daily, pytest.mark.shell]


def test_migrate_status_shows_no_pending_migration(
    ops: Ops, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    result = shell_command(shell.migrate_status(ops.artisan))
    checks.expect_no_pending_migration(parse_migrate_status(result.stdout), ops.shown(result))


def test_migrate_status_shows_newest_migration_ran(
    ops: Ops, environment: Environment, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    newest = environment.database.newest_migration if environment.database else None
    if newest is None:
        pytest.fail(
            "set [database] newest_migration: the release's newest migration", pytrace=False
        )
    result = shell_command(shell.migrate_status(ops.artisan))
    checks.expect_migration_ran(parse_migrate_status(result.stdout), newest)
