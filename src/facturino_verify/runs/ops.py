"""The daily and weekly operations run (``tests_ops/``): each question asked once per run.

``Ops`` caches its answers: shell commands, backup listings and downloads, queue figures,
failed-job windows, the /metrics exposition, and the weekly restore drill (``Drill``). An
unreachable target fails the check that needed it, with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..checks import CheckFailed, remedies
from ..checks import ops as checks
from ..checks.base import fail
from ..clients import TargetError, opsdb
from ..clients import shell as commands
from ..clients.backups import location
from ..clients.restore import DrillUnavailable, RestoreFailed, Throwaway, restore, throwaway_for
from ..clients.shell import ShellClient, ShellResult
from .deployment import Deployment
from .probes import metrics_headers

T = TypeVar("T")


RESTORED_INVOICE_SAMPLE = 200


@dataclass
class Drill:
    """What the restore drill did: the backup it took, why it failed (None: it restored),
    what came back, and its wall time."""

    source: str
    backup: checks.Backup | None = None
    problem: str | None = None
    restored_counts: dict[str, int | None] = field(default_factory=dict)
    restored_migrations: list[str] = field(default_factory=list)
    restored_invoices: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    # The roles the dump names (OWNER TO, GRANT) that the throwaway cluster had to create.
    roles_created: list[str] = field(default_factory=list)
    # The throwaway server's engine (the dump's: postgresql, or mysql for a MariaDB restore).
    engine: str = ""

    def restored(self) -> Drill:
        """Itself when the dump restored; otherwise a failure naming why (for dependent checks)."""
        __tracebackhide__ = True
        if self.problem is not None:
            fail(
                "the newest backup restored (needed for this check)",
                "a restored copy",
                self.problem,
                remedies.RESTORE,
            )
        return self


class Ops:
    """The operations questions of one run, each asked at most once."""

    def __init__(self, deployment: Deployment, redact: Callable[[str], str], tmp: Path) -> None:
        self.d, self.env, self.tmp = deployment, deployment.env, tmp
        self.redact = redact
        self._cache: dict[str, Any] = {}
        s = self.env.shell
        credentials = {name: value.get_secret_value() for name, value in s.env.items()}
        self.shell_client = ShellClient(
            s.prefix, s.artisan, s.timeout, redact, credentials, self.env.variables.railway
        )

    def _once(self, key: str, compute: Callable[[], T], remedy: str) -> T:
        __tracebackhide__ = True
        if key not in self._cache:
            try:
                self._cache[key] = compute()
            except TargetError as error:
                self._cache[key] = error
        value = self._cache[key]
        if isinstance(value, TargetError):
            fail(f"the deployment answers ({key})", "an answer", self.redact(str(value)), remedy)
        result: T = value
        return result

    # shell ---------------------------------------------------------------------------------
    def shell(self, command: commands.Command) -> ShellResult:
        __tracebackhide__ = True
        return self._once(command.label, lambda: self.shell_client.run(command), remedies.SHELL)

    def shown(self, result: ShellResult) -> str:
        return self.shell_client.shown(result)

    @property
    def artisan(self) -> tuple[str, ...]:
        return self.env.shell.artisan

    @property
    def queue_connection(self) -> str:
        return self.env.queue_connection

    # backups -------------------------------------------------------------------------------
    @property
    def backup_name(self) -> str:
        return self.env.backups.name or self.env.app.name

    def backups(self, kind: str) -> list[checks.Backup]:
        __tracebackhide__ = True
        b, tz = self.env.backups, self.env.backups.timezone
        where = location(kind, b.folder, b.bucket, self.backup_name)
        listed = self._once(f"backups.{kind}", where.list, remedies.BACKUP)
        return [
            checks.Backup(o.filename, o.size, checks.taken_at(o.filename, o.modified, tz), kind)
            for o in listed
        ]

    def newest(self, kind: str) -> checks.Backup:
        __tracebackhide__ = True
        return checks.newest_backup(self.backups(kind), f"the backup {kind}")

    def archive(self, kind: str) -> Path:
        """The newest archive of ``kind``, downloaded (or copied) once into the run's temp dir."""
        __tracebackhide__ = True
        newest = self.newest(kind)
        b = self.env.backups
        where = location(kind, b.folder, b.bucket, self.backup_name)
        key = f"{self.backup_name}/{newest.filename}"
        listed = {o.key: o for o in self._once(f"backups.{kind}", where.list, remedies.BACKUP)}
        target = self.tmp / f"{kind}-{newest.filename}"
        return self._once(
            f"download {kind} {newest.filename}",
            lambda: where.fetch(listed[key], target),
            remedies.BACKUP,
        )

    # queues, failed jobs, metrics ----------------------------------------------------------
    def db_queues(self) -> opsdb.QueueFigures:
        __tracebackhide__ = True
        pg = self.d.postgres
        assert pg is not None
        return self._once(
            "db.queues", lambda: opsdb.database_queues(pg, self.env.queue.names), remedies.DATABASE
        )

    def redis_queues(self) -> opsdb.QueueFigures:
        __tracebackhide__ = True
        client, config = self.d.redis, self.env.redis
        assert client is not None and config is not None
        return self._once(
            "redis.queues",
            lambda: opsdb.redis_queues(
                client, config.queue_db, config.prefix, self.env.queue.names
            ),
            remedies.REDIS,
        )

    def failed_windows(self) -> opsdb.FailedJobWindows:
        __tracebackhide__ = True
        pg = self.d.postgres
        assert pg is not None
        return self._once("db.failed_jobs", lambda: opsdb.failed_job_windows(pg), remedies.DATABASE)

    def metrics_response(self) -> Any:
        __tracebackhide__ = True
        path = self.env.metrics.path
        return self._once(
            "metrics",
            lambda: self.d.http.get(path, headers=metrics_headers(self.d)),
            remedies.METRICS,
        )

    # the weekly restore drill --------------------------------------------------------------
    def drill(self) -> Drill:
        if "drill" not in self._cache:
            self._cache["drill"] = self._run_drill()
        result: Drill = self._cache["drill"]
        return result

    def _run_drill(self) -> Drill:
        b = self.env.backups
        drill = Drill(b.restore_source)
        started = time.monotonic()
        try:
            drill.backup = self.newest(drill.source)
            archive = self.archive(drill.source)
            entry = checks.dump_entry(archive, drill.source)
            with throwaway_for(entry, b.pg_bin) as server:
                drill.engine = server.dialect.engine
                drill.roles_created = restore(server, archive, entry, b.restore_timeout)
                self._read_back(server, drill)
        except CheckFailed as failed:
            drill.problem = f"{failed.claim}: {failed.seen}"
        except (RestoreFailed, DrillUnavailable) as error:
            drill.problem = str(error)
        except TargetError as error:
            drill.problem = self.redact(str(error))
        drill.seconds = time.monotonic() - started
        return drill

    def _read_back(self, server: Throwaway, drill: Drill) -> None:
        tables = self.env.backups.core_tables
        drill.restored_counts = opsdb.row_counts(server.rows, tables, server.dialect)
        if drill.restored_counts.get("migrations") is not None:
            drill.restored_migrations = [
                r[0] for r in server.rows("SELECT migration FROM migrations")
            ]
        if drill.restored_counts.get("invoices") is not None:
            drill.restored_invoices = server.records(
                "SELECT id, invoice_number, status, total FROM invoices ORDER BY id DESC"
                f" LIMIT {RESTORED_INVOICE_SAMPLE}"
            )

    def live_counts(self) -> dict[str, int | None]:
        __tracebackhide__ = True
        pg = self.d.postgres
        assert pg is not None
        tables = self.env.backups.core_tables
        return self._once(
            "db.row_counts",
            lambda: opsdb.row_counts(pg.rows, tables, pg.dialect),
            remedies.DATABASE,
        )
