"""PostgreSQL client (psycopg 3): read-only sessions with a statement timeout."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .database import DatabaseClient, Row, Session, Writer
from .dialect import POSTGRESQL, Dialect
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

if TYPE_CHECKING:
    import psycopg


def _mapped(what: str, error: psycopg.Error, *secrets: str) -> TargetError:
    import psycopg

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


class PgSession:
    """A held psycopg connection; errors mapped as :class:`PostgresClient` maps them."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, client: PostgresClient, conn: psycopg.Connection[Any]) -> None:
        self._client, self._conn = client, conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        import psycopg

        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except psycopg.Error as error:
            raise _mapped(self._client.what, error, *self._client.passwords()) from None


class PgWriter:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        row = self._conn.execute(f"{sql} RETURNING id", tuple(params)).fetchone()
        if row is None:
            raise ValueError("INSERT returned no id")
        return int(row[0])

    def execute(self, sql: str, params: Sequence[Any]) -> int:
        return self._conn.execute(sql, tuple(params)).rowcount


class PostgresClient(DatabaseClient):
    dialect = POSTGRESQL
    engine_name = "PostgreSQL"

    def _connect_args(self) -> dict[str, Any]:
        c = self.config
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
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        import psycopg

        try:
            with psycopg.connect(**self._connect_args(), autocommit=True) as conn:
                yield conn
        except psycopg.Error as error:
            raise _mapped(self.what, error, *self.passwords()) from None

    def passwords(self) -> tuple[str, ...]:
        c = self.config
        dsn = c.dsn.get_secret_value() if c.dsn else ""
        return (c.password.get_secret_value() if c.password else "", url_password(dsn))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._connection() as conn:
            yield PgSession(self, conn)

    @contextmanager
    def writer(self, action: str) -> Iterator[Writer]:
        import psycopg

        with self._connection() as conn:
            try:
                conn.execute("SET default_transaction_read_only = off")  # this one write only
                yield PgWriter(conn)
            except (psycopg.Error, ValueError) as error:
                raise ProtocolFailure(f"{self.what}: {action}", str(error).strip()) from None
