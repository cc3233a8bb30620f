"""The runbook's rollback scenarios, filled in with the environment's values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalog import Scenario

if TYPE_CHECKING:
    from ..config import Environment


@dataclass(frozen=True)
class RollbackValues:
    """How this environment runs commands and redeploys (``[rollback]`` in the environment)."""

    run_prefix: str = "railway run"
    status: str = "railway status"
    redeploy: str = "railway rollback <last-good-deployment-id>"
    backup_file: str = "backup_YYYYMMDD_HHMMSS.sql"
    url: str = ""
    engine: str = "postgresql"  # [database] engine: which client restores the backup
    # The release to go back to, when known: "2.1.0 ([predeploy] last_good_release)" or the
    # newest release a GO gate verified (the run's history); "" when unknown.
    last_good: str = ""


# The runbook's restore is PostgreSQL's (`psql < backup.sql`). On MySQL the app's own client
# loads it, with the app's DB_* variables expanded where the prefix runs the command.
MYSQL_LOAD = (
    'sh -c \'MYSQL_PWD="$DB_PASSWORD" mysql -h "$DB_HOST" -P "$DB_PORT"'
    ' -u "$DB_USERNAME" "$DB_DATABASE"\''
)
MYSQL_NOTE = "# restore from backup (MySQL: the runbook's psql is PostgreSQL's)"


def restore_step(v: RollbackValues) -> str:
    """Scenario 2's restore command for the environment's engine and backup file."""
    if v.engine != "mysql":
        return f"{v.run_prefix} psql < {v.backup_file}    # restore from backup"
    load, note = f"{v.run_prefix} {MYSQL_LOAD}", MYSQL_NOTE
    if v.backup_file.endswith(".zip"):  # spatie's backup: db-dumps/mysql-<db>.sql.gz inside
        return f"unzip -p {v.backup_file} 'db-dumps/mysql-*' | gunzip | {load}    {note}"
    if v.backup_file.endswith(".gz"):
        return f"gunzip -c {v.backup_file} | {load}    {note}"
    return f"{load} < {v.backup_file}    {note}"


TITLES: dict[Scenario, str] = {
    "bad_deployment": "Scenario 1: Bad Deployment (Application Error)",
    "migration_failure": "Scenario 2: Database Migration Failure",
    "critical_bug": "Scenario 3: Critical Bug in Production",
}


def steps(scenario: Scenario, v: RollbackValues) -> list[str]:
    """The runbook's commands for ``scenario``, in order."""
    redeploy = [
        f"{v.status}    # find the last known good deployment"
        + (f": {v.last_good}" if v.last_good else ""),
        f"{v.redeploy}    # or click Redeploy on it in the dashboard",
    ]
    if scenario == "bad_deployment":
        return redeploy
    if scenario == "migration_failure":
        return [
            restore_step(v),
            f"{v.run_prefix} php artisan migrate:rollback --step=1",
            f"{v.run_prefix} php artisan migrate:status    # verify",
        ]
    return [
        f"{v.run_prefix} php artisan down    # immediate: maintenance mode",
        *redeploy,
        "debug locally, create a hotfix branch, fast-track it through testing",
        f"{v.run_prefix} php artisan up    # resume",
    ]


def rollback_values(env: Environment, last_good: str | None = None) -> RollbackValues:
    """The environment's ``[rollback]`` commands and its URL, for the runbook's steps, and the
    release to go back to: ``last_good`` as the run found it (``""``: none), else
    ``[predeploy] last_good_release``."""
    r, engine = env.rollback, env.database.engine if env.database else "postgresql"
    if last_good is None:
        configured = env.predeploy.last_good_release
        last_good = f"{configured} ([predeploy] last_good_release)" if configured else ""
    return RollbackValues(
        r.run_prefix, r.status, r.redeploy, r.backup_file, env.target.url, engine, last_good
    )
