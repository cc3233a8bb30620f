"""MySQL/MariaDB client (PyMySQL): read-only sessions in UTC with a statement timeout.

PyMySQL rather than mysqlclient: pure Python (no libmysqlclient headers or compiler on the
runner, one wheel everywhere), it speaks to MySQL 5.7/8 and MariaDB alike, and it uses the same
``%s`` parameter style as psycopg, so a question is written once for both engines.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .database import DatabaseClient, Row, Session, Writer
from .dialect import MYSQL, Dialect
from .errors import (
    MASK,
    AuthFailure,
    ConnectionRefused,
    DnsFailure,
    ProtocolFailure,
    SchemaMismatch,
    TargetError,
    TimedOut,
    TlsFailure,
)

if TYPE_CHECKING:
    from pymysql.connections import Connection

# Server error codes (mysqld_error.h, errmsg.h) the boundary tells apart.
ACCESS_DENIED = {1044, 1045, 1698}
NO_SUCH_TABLE_OR_COLUMN = {1146, 1054}
STATEMENT_TIMEOUT = {1969, 3024}  # MariaDB max_statement_time, MySQL max_execution_time
UNKNOWN_DATABASE = 1049
CANT_CONNECT = {2002, 2003}
LOST_CONNECTION = {2013}
TLS_ERROR = {2026}


def _mapped(what: str, error: Exception, *secrets: str) -> TargetError:
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    code = args[0] if args and isinstance(args[0], int) else None
    text = " ".join(str(args[1] if len(args) > 1 else error).split())
    for secret in secrets:  # PyMySQL never echoes one; a server's message might quote a value
        if secret:
            text = text.replace(secret, MASK)
    lowered = text.lower()
    if code in ACCESS_DENIED:
        return AuthFailure(what, text, "check [database] user and password")
    if code in STATEMENT_TIMEOUT or "timed out" in lowered:
        return TimedOut(what, text)
    if code in NO_SUCH_TABLE_OR_COLUMN:
        return SchemaMismatch(what, text, "does the database have the release's migrations?")
    if code in TLS_ERROR or "ssl" in lowered:
        return TlsFailure(what, text, "check [database] sslmode and the server's certificate")
    if code in CANT_CONNECT and ("name or service" in lowered or "name resolution" in lowered):
        return DnsFailure(what, text, "check [database] host")
    if code in CANT_CONNECT:
        return ConnectionRefused(what, text, "is MySQL running and reachable?")
    if code == UNKNOWN_DATABASE:
        return ConnectionRefused(what, text, "check [database] name")
    if code in LOST_CONNECTION:
        return ConnectionRefused(what, text, "the server closed the connection")
    return ProtocolFailure(what, f"({code}) {text}" if code else text)


def tls_settings(sslmode: str) -> dict[str, Any]:
    """libpq's sslmode in PyMySQL's terms (allow/prefer: PyMySQL's own default, TLS when the
    server offers it; a context makes TLS required)."""
    if sslmode == "disable":
        return {"ssl_disabled": True}
    if sslmode in ("allow", "prefer"):
        return {}
    context = ssl.create_default_context()
    context.check_hostname = sslmode == "verify-full"
    if sslmode == "require":
        context.verify_mode = ssl.CERT_NONE
    return {"ssl": context}


class MySession:
    dialect: Dialect = MYSQL

    def __init__(self, client: MysqlClient, conn: Connection[Any]) -> None:
        self._client, self._conn = client, conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        import pymysql

        try:
            with self._conn.cursor() as cursor:
                cursor.execute(sql, tuple(params))
                return [tuple(row) for row in cursor.fetchall()]
        except pymysql.Error as error:
            raise _mapped(self._client.what, error, *self._client.passwords()) from None


class MyWriter:
    def __init__(self, conn: Connection[Any]) -> None:
        self._conn = conn

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        with self._conn.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            return int(cursor.lastrowid)

    def execute(self, sql: str, params: Sequence[Any]) -> int:
        with self._conn.cursor() as cursor:
            return int(cursor.execute(sql, tuple(params)))


class MysqlClient(DatabaseClient):
    dialect = MYSQL
    engine_name = "MySQL"

    def _connect_args(self) -> dict[str, Any]:
        c = self.config
        args: dict[str, Any] = {
            "host": c.host,
            "port": c.port,
            "user": c.user,
            "password": c.password.get_secret_value() if c.password else "",
            "database": c.name,
        }
        if c.dsn is not None:
            url = urlsplit(c.dsn.get_secret_value())  # its shape was checked with the config
            args.update(
                host=url.hostname,
                port=url.port or c.port,
                user=unquote(url.username or ""),
                password=unquote(url.password or ""),
                database=unquote(url.path.strip("/")),
            )
        timeout = c.statement_timeout_ms / 1000
        return {
            **args,
            **tls_settings(c.sslmode),
            "connect_timeout": c.connect_timeout,
            # The server cancels a statement at the timeout; the socket's own bound is for a
            # server that stops answering altogether.
            "read_timeout": timeout + c.connect_timeout,
            "write_timeout": c.connect_timeout,
            "autocommit": True,
            "charset": "utf8mb4",
            "program_name": "facturino-verify",
        }

    def passwords(self) -> tuple[str, ...]:
        c = self.config
        dsn_password = urlsplit(c.dsn.get_secret_value()).password if c.dsn else None
        return (c.password.get_secret_value() if c.password else "", unquote(dsn_password or ""))

    def _session_settings(self, conn: Connection[Any]) -> list[str]:
        """Read-only, UTC and the statement timeout, in each server's spelling."""
        seconds = self.config.statement_timeout_ms / 1000
        settings = ["SET SESSION time_zone = '+00:00'", "SET SESSION TRANSACTION READ ONLY"]
        # The handshake already said which server this is (types-PyMySQL leaves it untyped).
        if "mariadb" in str(conn.get_server_info()).lower():  # type: ignore[no-untyped-call]
            settings.append(f"SET SESSION max_statement_time = {seconds:.3f}")
        else:
            settings.append(f"SET SESSION max_execution_time = {self.config.statement_timeout_ms}")
            # MySQL 8 caches information_schema's AUTO_INCREMENT for a day by default.
            settings.append("SET SESSION information_schema_stats_expiry = 0")
        return settings

    @contextmanager
    def _connection(self) -> Iterator[Connection[Any]]:
        import pymysql

        try:
            conn = pymysql.connect(**self._connect_args())
        except pymysql.Error as error:
            raise _mapped(self.what, error, *self.passwords()) from None
        try:
            with conn.cursor() as cursor:
                for statement in self._session_settings(conn):
                    cursor.execute(statement)
            yield conn
        except pymysql.Error as error:
            raise _mapped(self.what, error, *self.passwords()) from None
        finally:
            if conn.open:  # a connection the server dropped is closed already
                conn.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._connection() as conn:
            yield MySession(self, conn)

    @contextmanager
    def writer(self, action: str) -> Iterator[Writer]:
        import pymysql

        with self._connection() as conn:
            try:
                with conn.cursor() as cursor:
                    cursor.execute("SET SESSION TRANSACTION READ WRITE")  # this one write only
                yield MyWriter(conn)
            except pymysql.Error as error:
                text = _mapped(self.what, error, *self.passwords()).detail
                raise ProtocolFailure(f"{self.what}: {action}", text) from None
