"""The pre-deployment migration rehearsal: the newest backup restored into a throwaway server
the suite starts (as the weekly drill does), the release's migrations run against that copy
(``--pretend``, ``--force``, ``migrate:status``), the copy's migrations table read back, and the
server removed. Production is never written: the runner is given only the copy's connection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import CheckFailed, remedies
from ..checks import ops as checks
from ..checks.base import fail
from ..clients import TargetError
from ..clients.migrate import MigrateRun, MigrationRunner, connection_env
from ..clients.restore import (
    DrillUnavailable,
    RestoreFailed,
    Throwaway,
    restore,
    throwaway_for,
)
from .ops import Ops


@dataclass
class Rehearsal:
    """What the rehearsal did: the backup it restored, why it could not run (None: it ran),
    each command's run, and the copy's migrations before and after."""

    source: str
    backup: checks.Backup | None = None
    problem: str | None = None
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    pretend: MigrateRun | None = None
    migrate: MigrateRun | None = None
    status: MigrateRun | None = None
    seconds: float = 0.0

    def ran(self, step: MigrateRun | None) -> MigrateRun:
        """``step`` when the rehearsal got to it; otherwise a failure naming why."""
        __tracebackhide__ = True
        if step is None:
            fail(
                "the migration rehearsal ran on a restored copy of production",
                "the newest backup restored and the release's migrations run against it",
                self.problem or "the rehearsal did not run",
                remedies.RESTORE,
            )
        return step


def rehearse(ops: Ops) -> Rehearsal:
    b, p = ops.env.backups, ops.env.predeploy
    assert p.workdir is not None  # checked before collection (config/predeploy.py)
    rehearsal = Rehearsal(b.restore_source)
    started = time.monotonic()
    try:
        rehearsal.backup = ops.newest(rehearsal.source)
        archive = ops.archive(rehearsal.source)
        entry = checks.dump_entry(archive, rehearsal.source)
        with throwaway_for(entry, b.pg_bin) as server:
            restore(server, archive, entry, b.restore_timeout)
            rehearsal.before = _migrations(server)
            runner = MigrationRunner(
                p.migrate, Path(p.workdir), p.timeout, connection_env(server), ops.redact
            )
            _run_steps(rehearsal, runner)
            rehearsal.after = _migrations(server)
    except CheckFailed as failed:
        rehearsal.problem = f"{failed.claim}: {failed.seen}"
    except (RestoreFailed, DrillUnavailable) as error:
        rehearsal.problem = str(error)
    except TargetError as error:
        rehearsal.problem = ops.redact(str(error))
    rehearsal.seconds = time.monotonic() - started
    return rehearsal


def _run_steps(rehearsal: Rehearsal, runner: MigrationRunner) -> None:
    # Each step runs whatever the one before did: on a throwaway copy nothing is at stake, and
    # each check gets its own evidence (a release that cannot load a migration file fails
    # --pretend and migrate; migrate:status, which reads no file, still lists it Pending).
    rehearsal.pretend = runner.run("migrate", "--pretend")
    rehearsal.migrate = runner.run("migrate", "--force")
    rehearsal.status = runner.run("migrate:status")


def _migrations(server: Throwaway) -> list[str]:
    return [str(r[0]) for r in server.rows("SELECT migration FROM migrations ORDER BY id")]
