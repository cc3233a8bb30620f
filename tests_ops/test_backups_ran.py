"""Daily: "Verify backups ran" (runbook Manual Health Checks; contract §15). Spatie writes
`<APP_NAME>/<Y-m-d-H-i-s>.zip` every 6 h; each location must hold a recent, non-trivial one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from facturino_verify.checks import ops as checks
from facturino_verify.checks.artisan import parse_backup_list
from facturino_verify.clients import shell
from facturino_verify.clients.shell import ShellResult
from facturino_verify.config import Environment
from facturino_verify.runs.ops import Ops

pytestmark = pytest.mark.daily

LOCATIONS = [
    pytest.param("folder", marks=pytest.mark.backup_folder, id="folder"),
    pytest.param("bucket", marks=pytest.mark.backup_bucket, id="bucket"),
    pytest.param("shell", marks=pytest.mark.shell, id="backup:list"),
]
ARCHIVES = LOCATIONS[:2]


def newest(ops: Ops, where: str, run: Callable[[shell.Command], ShellResult]) -> checks.Backup:
    if where != "shell":
        return ops.newest(where)
    result = run(shell.backup_list(ops.artisan))
    rows = parse_backup_list(result.stdout)
    listed = checks.from_listing(rows, ops.env.backups.timezone, ops.shown(result))
    return checks.newest_backup(listed, "`php artisan backup:list`")


# Also the pre-deployment checklist's "database backup completed": a recent one to restore from.
@pytest.mark.predeploy
@pytest.mark.parametrize("where", LOCATIONS)
def test_newest_backup_is_recent(
    ops: Ops,
    where: str,
    environment: Environment,
    now_utc: dt.datetime,
    record_figure: Callable[[str, float], None],
    shell_command: Callable[[shell.Command], ShellResult],
) -> None:
    backup = newest(ops, where, shell_command)
    age = checks.expect_recent(backup, environment.backups.max_age_hours, now_utc)
    record_figure(f"backup_age_hours ({where})", age)


@pytest.mark.parametrize("where", LOCATIONS)
def test_newest_backup_is_larger_than_minimum(
    ops: Ops,
    where: str,
    environment: Environment,
    shell_command: Callable[[shell.Command], ShellResult],
) -> None:
    backup = newest(ops, where, shell_command)
    checks.expect_large_enough(backup, environment.backups.min_size_bytes)


@pytest.mark.parametrize("where", ARCHIVES)
def test_newest_backup_contains_database_dump(ops: Ops, where: str) -> None:
    checks.dump_entry(ops.archive(where), f"the backup {where}")
