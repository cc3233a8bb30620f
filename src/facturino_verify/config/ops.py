"""Environment keys of the scheduled operations checks (``pytest -m daily`` / ``-m weekly``):
``[shell]``, ``[backups]`` (with ``[backups.bucket]``) and ``[queue]``.

Defaults follow the runbook and the contract (§14 queue, §15 backups); production overrides
what differs. Paths are anchored at the environment file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from .section import Section

QUEUE_NAMES = ("default", "high", "banking", "einvoice", "background", "migration")
# Tables every Facturino backup must bring back (contract §2); the drill compares their counts.
CORE_TABLES = (
    "users",
    "companies",
    "customers",
    "items",
    "invoices",
    "invoice_items",
    "settings",
    "migrations",
)
# Mount points `df -h` lists that are not storage (kernel and container plumbing).
DF_IGNORED_MOUNTS = ("/dev", "/sys", "/proc", "/run", "/snap", "/boot/efi")


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Shell(Section):
    """How commands reach the deployment: ``prefix + ["php", "artisan", ...]``.

    Only the suite's fixed read-only commands are ever appended (``clients/shell.py``); the
    prefix is what a person would type before them: ``["railway", "run"]``,
    ``["ssh", "deploy@host", "docker", "exec", "facturino_app"]``."""

    prefix: tuple[str, ...] = ()
    """What is typed before each command, e.g. ["railway", "run"]."""
    timeout: float = Field(60.0, gt=0)
    """Seconds a command may take; then its process group is killed."""
    # `php artisan` inside the container (a different PHP binary or path: change it here).
    artisan: tuple[str, ...] = ("php", "artisan")
    df_ignored_mounts: tuple[str, ...] = DF_IGNORED_MOUNTS
    """Mount points `df -h` lists that the disk check ignores."""
    # Variables the prefix needs, such as RAILWAY_TOKEN = "${RAILWAY_TOKEN}": secrets, given to
    # the command's environment only, and masked wherever its output is shown.
    env: dict[str, SecretStr] = Field(default_factory=dict)

    @field_validator("env")
    @classmethod
    def _variable_names(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in value:
            if not ENV_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an environment variable name")
        return value


class Bucket(Section):
    """The S3-compatible backup destination (spatie's ``r2backup`` disk: R2, S3, MinIO)."""

    bucket: str
    """The bucket's name."""
    endpoint: str | None = None  # None: AWS S3 itself
    region: str = "auto"
    """Its region (`auto` for R2)."""
    access_key_id: str | None = None
    """The read-only key's id."""
    secret_access_key: SecretStr | None = None
    """The read-only key's secret."""
    connect_timeout: float = Field(5.0, gt=0)
    """Seconds to connect."""
    read_timeout: float = Field(60.0, gt=0)
    """Seconds for an answer (downloads included)."""

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class Backups(Section):
    """Where spatie/laravel-backup writes ``<name>/<Y-m-d-H-i-s>.zip`` and what a good one is."""

    name: str | None = None  # the backup name = folder = APP_NAME; None: [app] name
    # A local or mounted copy of the `local` disk's root (storage/app), holding <name>/*.zip.
    folder: Path | None = None
    bucket: Bucket | None = None
    # The app schedules `backup:run --only-db` every 6 h; one missed run plus slack.
    max_age_hours: float = Field(26.0, gt=0)
    min_size_bytes: int = Field(4096, ge=0)
    """The newest backup must be larger than this."""
    # Spatie names archives by the app's clock (config/app.php timezone).
    timezone: str = "UTC"
    # Where the weekly restore drill downloads from; None: the bucket if named, else the folder.
    restore_from: Literal["folder", "bucket"] | None = None
    core_tables: tuple[str, ...] = CORE_TABLES
    """Tables the restore drill must find, with their row counts compared."""
    # |live - restored| may be up to this fraction of the live count (the backup is up to 6 h
    # old while the app keeps writing).
    row_count_tolerance: float = Field(0.05, ge=0, le=1)
    # The PostgreSQL server binaries for the throwaway restore server; None: the newest
    # /usr/lib/postgresql/*/bin (pick one at least as new as the production server's pg_dump).
    pg_bin: Path | None = None
    restore_timeout: float = Field(600.0, gt=0)
    """Seconds the weekly restore drill may take."""

    @property
    def restore_source(self) -> Literal["folder", "bucket"]:
        if self.restore_from is not None:
            return self.restore_from
        return "bucket" if self.bucket is not None else "folder"


class Queue(Section):
    """The queues the workers serve (contract §14) and how much backlog is acceptable."""

    names: tuple[str, ...] = QUEUE_NAMES
    """The queues the workers serve."""
    # Where the app queues its jobs (its QUEUE_CONNECTION; `queue:monitor` is asked about
    # `<connection>:<queue>`); None: "database", the image's baked value.
    connection: Literal["database", "redis"] | None = None
    depth_max: int = Field(100, ge=1)
    """Jobs waiting on one queue before the daily check fails."""
    depth_max_by_queue: dict[str, int] = Field(default_factory=dict)
    """Per-queue limits that replace `depth_max` (queue = limit)."""
    oldest_job_max_age_seconds: int = Field(600, ge=1)
    """The oldest due job must be younger than this."""
    failed_jobs_24h_max: int = Field(100, ge=1)
    """Failed jobs in the last 24 h before the daily check fails."""
    # "Not growing": the last 24 h may exceed the previous run's (or the 24 h before) by this.
    failed_jobs_growth_max: int = Field(10, ge=0)

    def depth_limit(self, queue: str) -> int:
        return self.depth_max_by_queue.get(queue, self.depth_max)
