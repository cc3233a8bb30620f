"""Private database servers of both engines for the database clients' tests, with the Laravel
tables the suite reads (only the columns it reads) and an admin connection to set them up.

PostgreSQL: the restore drill's throwaway cluster (Unix socket only). MariaDB: the reference
deployment's private server (`facturino_reference.mariadb`: own data directory, 127.0.0.1 on a
free port, never the system server), its server zone set far from UTC so that a question
reading a timestamp in the server's zone instead of UTC gives a wrong answer.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymysql
from pydantic import SecretStr

from facturino_reference import mariadb
from facturino_verify.clients.restore import SOCKET_PORT, ThrowawayPostgres, find_pg_bin
from facturino_verify.config.database import Database

ENGINES = ("postgresql", "mysql")
PASSWORD = "engines-test-Secret-9"
FAR_ZONE = "+05:00"  # the servers' own zone in these tests: naive UTC must not be read in it

TYPES = {
    "postgresql": {
        "ID": "bigserial PRIMARY KEY",
        "TS": "timestamp(0) without time zone NULL",
        "BOOL": "boolean NOT NULL DEFAULT true",
        "TEXT": "text",
        "INT": "integer",
    },
    "mysql": {
        "ID": "bigint unsigned AUTO_INCREMENT PRIMARY KEY",
        "TS": "timestamp NULL",  # Laravel's timestamp(): converted by the session's zone
        "BOOL": "tinyint(1) NOT NULL DEFAULT 1",
        "TEXT": "longtext",
        "INT": "int unsigned",
    },
}
TABLES = {
    "migrations": "id {ID}, migration varchar(255) NOT NULL, batch integer NOT NULL",
    "jobs": "id {ID}, queue varchar(255) NOT NULL, payload {TEXT} NOT NULL, attempts smallint"
    " NOT NULL, reserved_at {INT} NULL, available_at {INT} NOT NULL, created_at {INT} NOT NULL",
    "failed_jobs": "id {ID}, uuid varchar(255) NOT NULL, connection {TEXT} NOT NULL, queue"
    " {TEXT} NOT NULL, payload {TEXT} NOT NULL, exception {TEXT} NOT NULL, failed_at {TS}",
    "certificates": "id {ID}, company_id bigint NOT NULL, name varchar(255) NOT NULL,"
    " valid_to {TS}, is_active {BOOL}",
    "companies": "id {ID}, name varchar(255) NOT NULL",
    "users": "id {ID}, email varchar(255) NOT NULL",
    "bank_accounts": "id {ID}, company_id bigint NOT NULL, bank_code varchar(32)",
    "bank_transactions": "id {ID}, bank_account_id bigint NOT NULL, source varchar(16)"
    " NOT NULL, created_at {TS}",
    "bank_tokens": "id {ID}, company_id bigint NOT NULL, bank_code varchar(32) NOT NULL,"
    " expires_at {TS}",
    "partners": "id {ID}, user_id bigint NOT NULL",
    "affiliate_events": "id {ID}, affiliate_partner_id bigint NOT NULL, amount decimal(12,2)"
    " NOT NULL, paid_at {TS}, month_ref varchar(7), created_at {TS}, event_type varchar(32),"
    " is_clawed_back {BOOL}",
    "payouts": "id {ID}, partner_id bigint NOT NULL, amount decimal(12,2) NOT NULL,"
    " payout_date date, status varchar(16) NOT NULL",
    "partner_company_links": "id {ID}, partner_id bigint NOT NULL, company_id bigint NOT NULL,"
    " is_active {BOOL}",
    "gateway_webhook_events": "id {ID}, provider varchar(32)",
    "customers": "id {ID}, name varchar(255), email varchar(255)",
    "items": "id {ID}, name varchar(255), description {TEXT}",
    "invoices": "id {ID}, notes {TEXT}, reference_number varchar(255)",
}


def utc(**ago: float) -> datetime:
    """Naive UTC (how the app stores timestamps), ``ago`` before now (negative: ahead)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(**ago)


@dataclass
class Server:
    """A running server of one engine with the tables; ``admin`` writes (the suite never)."""

    engine: str
    config: Database
    admin: Any  # a DB-API connection with autocommit

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self.engine == "postgresql":
            self.admin.execute(sql, tuple(params))
        else:
            with self.admin.cursor() as cursor:
                cursor.execute(sql, tuple(params))

    def insert(self, table: str, **values: Any) -> None:
        columns = ", ".join(values)
        marks = ", ".join("%s" for _ in values)
        self.run(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))

    def empty(self) -> None:
        for table in TABLES:
            if self.engine == "postgresql":
                self.run(f"TRUNCATE {table} RESTART IDENTITY")
            else:
                self.run(f"TRUNCATE TABLE {table}")

    def with_config(self, **changes: Any) -> Database:
        return self.config.model_copy(update=changes)


def _create_tables(server: Server) -> None:
    for table, columns in TABLES.items():
        server.run(f"CREATE TABLE {table} ({columns.format(**TYPES[server.engine])})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres_server() -> Iterator[Server]:
    with ThrowawayPostgres(find_pg_bin(None), database="facturino") as pg:
        with pg.connect() as admin:
            admin.execute(f"ALTER DATABASE facturino SET timezone = '{FAR_ZONE}'")
        config = Database(
            host=str(pg.root),
            port=SOCKET_PORT,
            name="facturino",
            user="postgres",
            sslmode="disable",
            connect_timeout=3,
            statement_timeout_ms=2000,
            newest_migration="unused",
        )
        with pg.connect() as admin:
            admin.execute("SET timezone = 'UTC'")
            server = Server("postgresql", config, admin)
            _create_tables(server)
            yield server


@contextmanager
def mariadb_server() -> Iterator[Server]:
    work = Path(tempfile.mkdtemp(prefix="fv-engines-", dir="/tmp"))
    work.chmod(0o755)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        mariadb.install(work / "data")
        started = mariadb.start(work / "data", _free_port(), PASSWORD, log=work / "mariadb.log")
        stack.callback(mariadb.stop, started)
        # root over the socket (socket authentication: we are root, as CI is) sets the zone.
        root = pymysql.connect(unix_socket=str(started.socket), user="root")
        with root, root.cursor() as cursor:
            cursor.execute(f"SET GLOBAL time_zone = '{FAR_ZONE}'")
        config = Database(
            engine="mysql",
            host=started.host,
            port=started.port,
            name=started.database,
            user=started.user,
            password=SecretStr(PASSWORD),
            sslmode="disable",
            connect_timeout=3,
            statement_timeout_ms=2000,
            newest_migration="unused",
        )
        admin = stack.enter_context(started.connect())  # its session is in UTC
        server = Server("mysql", config, admin)
        _create_tables(server)
        yield server


def start(engine: str) -> AbstractContextManager[Server]:
    return postgres_server() if engine == "postgresql" else mariadb_server()
