"""The one database seam every reader uses: :class:`DatabaseClient` asks the questions of the
checks once, in SQL put together from its engine's :class:`~.dialect.Dialect`; the PostgreSQL
(psycopg) and MySQL/MariaDB (PyMySQL) clients only connect, run a statement and map their
driver's errors to :class:`~.errors.TargetError` at the boundary.

Every session is read-only at the server (a verification run can never write by accident), has
a statement timeout, and reads clocks in UTC. The drivers are imported when the first
connection is made, so a run without ``[database]`` (or the manual) never loads them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..config.database import Database
from .dialect import Dialect

Row = tuple[Any, ...]


class Rows(Protocol):
    """Anything that answers a query with rows: a client (a connection per question) or a
    :class:`Session` (one held connection)."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Session(Rows, Protocol):
    """One open read-only connection, for a burst of questions (a fast poll must not pay a new
    connection per look)."""

    dialect: Dialect


class Writer(Protocol):
    """A connection switched to read-write for the one write the perf probe makes."""

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT of one row; the new row's id."""
        ...

    def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run a statement; the rows it changed."""
        ...


@dataclass(frozen=True)
class QueueSnapshot:
    """What the ``jobs``/``failed_jobs`` tables say about the database queue right now."""

    pending: int
    oldest_reserved_age_seconds: int | None
    reserved_too_long: int
    failed_last_hour: int
    pending_by_queue: dict[str, int]
    reserved: int = 0  # rows a worker holds
    # failed_jobs.connection of the last 24 h: which connection's workers failed jobs.
    failed_by_connection_24h: dict[str, int] = field(default_factory=dict)


class DatabaseClient(ABC):
    """Short-lived connections: one per question, so a dead server fails one check, not all."""

    dialect: Dialect
    engine_name: str  # in messages: "PostgreSQL", "MySQL"

    def __init__(self, config: Database) -> None:
        self.config = config
        c = config
        self.what = (
            f"{self.engine_name} {c.host}:{c.port}/{c.name}"
            if c.host
            else (f"{self.engine_name} (dsn)")
        )

    @abstractmethod
    def session(self) -> AbstractContextManager[Session]:
        """One read-only connection held for the block."""

    @abstractmethod
    def writer(self, action: str) -> AbstractContextManager[Writer]:
        """One connection switched to read-write for the block (the perf probe only);
        ``action`` names the write in errors."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.session() as session:
            return session.rows(sql, params)

    # The questions of the checks -----------------------------------------------------------
    def select_one(self) -> int:
        return int(self.rows("SELECT 1")[0][0])

    def server_version(self) -> str:
        return str(self.rows(self.dialect.version_query)[0][0])

    def migrations(self) -> list[str]:
        return [str(row[0]) for row in self.rows("SELECT migration FROM migrations ORDER BY id")]

    def table_exists(self, table: str) -> bool:
        return bool(self.rows(self.dialect.table_exists_query, (table,))[0][0])

    def queue_snapshot(self, reserved_max_age_seconds: int) -> QueueSnapshot:
        d = self.dialect
        now = d.epoch_now
        with self.session() as s:
            by_queue = s.rows(
                "SELECT queue, count(*) FROM jobs WHERE reserved_at IS NULL GROUP BY queue"
            )
            ((reserved, reserved_too_long, oldest),) = s.rows(
                f"SELECT count(*), count(CASE WHEN reserved_at < {now} - %s THEN 1 END),"
                f" {now} - min(reserved_at) FROM jobs WHERE reserved_at IS NOT NULL",
                (reserved_max_age_seconds,),
            )
            # failed_at is the app's now() in UTC, stored without a zone: compare in UTC, not
            # in the session's time zone.
            ((failed,),) = s.rows(
                f"SELECT count(*) FROM failed_jobs WHERE failed_at > {d.hours_ago('1')}"
            )
            by_connection = s.rows(
                "SELECT connection, count(*) FROM failed_jobs"
                f" WHERE failed_at > {d.hours_ago('24')} GROUP BY connection"
            )
        pending = {str(q): int(n) for q, n in by_queue}
        return QueueSnapshot(
            pending=sum(pending.values()),
            oldest_reserved_age_seconds=None if oldest is None else int(oldest),
            reserved_too_long=int(reserved_too_long),
            failed_last_hour=int(failed),
            pending_by_queue=pending,
            reserved=int(reserved),
            failed_by_connection_24h={str(c): int(n) for c, n in by_connection},
        )

    def expiring_certificates(self, days: int) -> list[tuple[int, str, float]]:
        """Active company QES certificates whose ``valid_to`` (naive UTC) is within ``days``:
        (company id, name, days left); none when the table does not exist."""
        if not self.table_exists("certificates"):
            return []
        d = self.dialect
        rows = self.rows(
            f"SELECT company_id, name, {d.seconds_between(d.utc_now, 'valid_to')} / 86400"
            f" FROM certificates WHERE is_active AND valid_to <= {d.days_ahead('%s')}"
            " ORDER BY valid_to",
            (days,),
        )
        return [(int(c), str(n), float(left)) for c, n, left in rows]

    def failed_jobs_of(self, job_classes: tuple[str, ...], hours: int = 24) -> int:
        """Jobs of ``job_classes`` (the payload's displayName) that failed in the last
        ``hours`` (failed_at is UTC without a zone)."""
        d = self.dialect
        ((count,),) = self.rows(
            f"SELECT count(*) FROM failed_jobs WHERE failed_at > {d.hours_ago('%s')}"
            f" AND {d.in_list(d.json_text('payload', 'displayName'))}",
            (hours, d.list_param(list(job_classes))),
        )
        return int(count)


def database_client(config: Database) -> DatabaseClient:
    """The client for the environment's engine (its driver loaded on first use)."""
    if config.engine == "mysql":
        from .mysql import MysqlClient

        return MysqlClient(config)
    from .postgres import PostgresClient

    return PostgresClient(config)
