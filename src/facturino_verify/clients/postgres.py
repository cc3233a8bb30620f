"""PostgreSQL client (psycopg 3): read-only queries the checks need, with timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from ..config.model import Database
from .errors import (
    AuthFailure,
    ConnectionRefused,
    DnsFailure,
    ProtocolFailure,
    SchemaMismatch,
    TargetError,
    TimedOut,
    url_password,
    without_fragments,
)


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


def _mapped(what: str, error: psycopg.Error, *secrets: str) -> TargetError:
    # A DSN psycopg could not parse is quoted in pieces: none of the password's may show. Once
    # libpq got as far as connecting ("connection to server at …") the DSN was parsed and its
    # messages quote no piece of it; masking fragments there only garbled words ("Connection
    # «redacted»used" for a password holding "ref"). Whole secrets are masked by every report.
    flat = " ".join(str(error).split())
    text = flat if "connection to server at" in flat else without_fragments(flat, *secrets)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return AuthFailure(what, text, "check [database] user and password")
    if "timeout expired" in lowered or "canceling statement due to statement timeout" in lowered:
        return TimedOut(what, text)
    if "could not translate host name" in lowered:
        return DnsFailure(what, text, "check [database] host")
    if "refused" in lowered or "no such file" in lowered:
        return ConnectionRefused(what, text, "is PostgreSQL running and reachable?")
    if isinstance(error, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return SchemaMismatch(what, text, "does the database have the release's migrations?")
    if isinstance(error, psycopg.OperationalError):
        return ConnectionRefused(what, text)
    return ProtocolFailure(what, text)


class PostgresClient:
    """Short-lived connections: one per question, so a dead server fails one check, not all."""

    def __init__(self, config: Database) -> None:
        self._config = config
        self.what = self._describe()

    def _describe(self) -> str:
        c = self._config
        return f"PostgreSQL {c.host}:{c.port}/{c.name}" if c.host else "PostgreSQL (dsn)"

    def _connect_args(self) -> dict[str, Any]:
        c = self._config
        args: dict[str, Any] = {
            # libpq counts whole seconds and treats values below 2 as 2.
            "connect_timeout": max(2, round(c.connect_timeout)),
            # Read-only at the session level: a verification run can never write by accident.
            "options": f"-c statement_timeout={c.statement_timeout_ms}"
            " -c default_transaction_read_only=on",
            "application_name": "facturino-verify",
        }
        if c.dsn is not None:
            args["conninfo"] = c.dsn.get_secret_value()
        else:
            args.update(host=c.host, port=c.port, dbname=c.name, user=c.user, sslmode=c.sslmode)
            if c.password is not None:
                args["password"] = c.password.get_secret_value()
        return args

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with psycopg.connect(**self._connect_args(), autocommit=True) as conn:
                yield conn
        except psycopg.Error as error:
            raise _mapped(self.what, error, *self._passwords()) from None

    def _passwords(self) -> tuple[str, ...]:
        c = self._config
        dsn = c.dsn.get_secret_value() if c.dsn else ""
        return (c.password.get_secret_value() if c.password else "", url_password(dsn))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except psycopg.Error as error:
                raise _mapped(self.what, error, *self._passwords()) from None

    def select_one(self) -> int:
        return int(self.rows("SELECT 1")[0][0])

    def server_version(self) -> str:
        return str(self.rows("SHOW server_version")[0][0])

    def migrations(self) -> list[str]:
        return [str(row[0]) for row in self.rows("SELECT migration FROM migrations ORDER BY id")]

    def queue_snapshot(self, reserved_max_age_seconds: int) -> QueueSnapshot:
        now = "extract(epoch from now())::bigint"
        by_queue = self.rows(
            "SELECT queue, count(*) FROM jobs WHERE reserved_at IS NULL GROUP BY queue"
        )
        ((reserved, reserved_too_long, oldest),) = self.rows(
            f"SELECT count(*), count(*) FILTER (WHERE reserved_at < {now} - %s),"
            f" {now} - min(reserved_at) FROM jobs WHERE reserved_at IS NOT NULL",
            (reserved_max_age_seconds,),
        )
        # failed_at is the app's now() in UTC, stored without a zone: compare in UTC, not in
        # the session's time zone.
        utc_now = "(now() at time zone 'UTC')"
        ((failed,),) = self.rows(
            f"SELECT count(*) FROM failed_jobs WHERE failed_at > {utc_now} - interval '1 hour'"
        )
        by_connection = self.rows(
            "SELECT connection, count(*) FROM failed_jobs"
            f" WHERE failed_at > {utc_now} - interval '24 hours' GROUP BY connection"
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
        ((table,),) = self.rows("SELECT to_regclass('certificates')::text")
        if table is None:
            return []
        rows = self.rows(
            "SELECT company_id, name, extract(epoch from valid_to - (now() at time zone 'UTC'))"
            " / 86400 FROM certificates WHERE is_active"
            " AND valid_to <= (now() at time zone 'UTC') + make_interval(days => %s)"
            " ORDER BY valid_to",
            (days,),
        )
        return [(int(c), str(n), float(left)) for c, n, left in rows]

    def failed_jobs_of(self, job_classes: tuple[str, ...], hours: int = 24) -> int:
        """Jobs of ``job_classes`` (the payload's displayName) that failed in the last
        ``hours`` (failed_at is UTC without a zone)."""
        ((count,),) = self.rows(
            "SELECT count(*) FROM failed_jobs"
            " WHERE failed_at > (now() at time zone 'UTC') - make_interval(hours => %s)"
            " AND payload::json->>'displayName' = ANY(%s)",
            (hours, list(job_classes)),
        )
        return int(count)
