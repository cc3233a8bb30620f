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


TITLES: dict[Scenario, str] = {
    "bad_deployment": "Scenario 1: Bad Deployment (Application Error)",
    "migration_failure": "Scenario 2: Database Migration Failure",
    "critical_bug": "Scenario 3: Critical Bug in Production",
}


def steps(scenario: Scenario, v: RollbackValues) -> list[str]:
    """The runbook's commands for ``scenario``, in order."""
    redeploy = [
        f"{v.status}    # find the last known good deployment",
        f"{v.redeploy}    # or click Redeploy on it in the dashboard",
    ]
    if scenario == "bad_deployment":
        return redeploy
    if scenario == "migration_failure":
        return [
            f"{v.run_prefix} psql < {v.backup_file}    # restore from backup",
            f"{v.run_prefix} php artisan migrate:rollback --step=1",
            f"{v.run_prefix} php artisan migrate:status    # verify",
        ]
    return [
        f"{v.run_prefix} php artisan down    # immediate: maintenance mode",
        *redeploy,
        "debug locally, create a hotfix branch, fast-track it through testing",
        f"{v.run_prefix} php artisan up    # resume",
    ]


def rollback_values(env: Environment) -> RollbackValues:
    """The environment's ``[rollback]`` commands and its URL, for the runbook's steps."""
    r = env.rollback
    return RollbackValues(r.run_prefix, r.status, r.redeploy, r.backup_file, env.target.url)
