"""Driver errors name the kind of failure they are: the operator's first clue."""

from __future__ import annotations

import ssl

import psycopg
import pymysql
import pytest

from facturino_verify.clients import mysql
from facturino_verify.clients.errors import (
    MASK,
    AuthFailure,
    ConnectionRefused,
    DnsFailure,
    ProtocolFailure,
    SchemaMismatch,
    TargetError,
    TimedOut,
)
from facturino_verify.clients.postgres import _mapped


def test_a_missing_table_is_a_schema_problem_not_an_unreachable_database() -> None:
    error = psycopg.errors.UndefinedTable('relation "jobs" does not exist')
    mapped = _mapped("PostgreSQL db:5432/facturino", error)
    assert isinstance(mapped, SchemaMismatch)
    assert str(mapped).startswith("PostgreSQL db:5432/facturino: schema problem: relation")


def test_a_missing_column_is_a_schema_problem_too() -> None:
    error = psycopg.errors.UndefinedColumn('column "reserved_at" does not exist')
    assert isinstance(_mapped("PostgreSQL", error), SchemaMismatch)


def test_a_refused_connection_is_still_one() -> None:
    error = psycopg.OperationalError("connection to server failed: Connection refused")
    assert isinstance(_mapped("PostgreSQL", error), ConnectionRefused)


def test_a_connection_failure_keeps_its_words_when_the_password_shares_a_piece() -> None:
    error = psycopg.OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )
    assert "Connection refused" in str(_mapped("PostgreSQL", error, "reference-db-pass"))


def test_a_dsn_it_could_not_parse_keeps_no_piece_of_the_password() -> None:
    error = psycopg.OperationalError('invalid integer value "ss-word@db" for option "port"')
    assert "ss-word" not in str(_mapped("PostgreSQL", error, "pa:ss-word"))


# MySQL/MariaDB (PyMySQL): the same kinds, told apart by the server's error codes.
MYSQL_CASES = [
    (1045, "Access denied for user 'verify'@'10.0.0.2' (using password: YES)", "AuthFailure"),
    (2003, "Can't connect to MySQL server on 'db' ([Errno 111] Connection refused)", "Refused"),
    (2003, "Can't connect to MySQL server on 'nodb' ([Errno -2] Name or service not known)", "Dns"),
    (2003, "Can't connect to MySQL server on 'db' (timed out)", "TimedOut"),
    (1969, "Query execution was interrupted (max_statement_time exceeded)", "TimedOut"),
    (3024, "Query execution was interrupted, maximum statement execution time exceeded", "Time"),
    (1146, "Table 'facturino.jobs' doesn't exist", "SchemaMismatch"),
    (1054, "Unknown column 'reserved_at' in 'field list'", "SchemaMismatch"),
    (1049, "Unknown database 'facturino'", "ConnectionRefused"),
    (1792, "Cannot execute statement in a READ ONLY transaction", "ProtocolFailure"),
]


KINDS: dict[str, type[TargetError]] = {
    "AuthFailure": AuthFailure,
    "Refused": ConnectionRefused,
    "ConnectionRefused": ConnectionRefused,
    "Dns": DnsFailure,
    "TimedOut": TimedOut,
    "Time": TimedOut,
    "SchemaMismatch": SchemaMismatch,
    "ProtocolFailure": ProtocolFailure,
}


@pytest.mark.parametrize(("code", "message", "kind"), MYSQL_CASES)
def test_mysql_errors_are_mapped_by_their_code(code: int, message: str, kind: str) -> None:
    error = pymysql.err.OperationalError(code, message)
    mapped = mysql._mapped("MySQL db:3306/facturino", error, "Sup3r-secret")
    assert type(mapped) is KINDS[kind]
    assert message in str(mapped)


def test_a_mysql_message_quoting_the_password_shows_it_masked() -> None:
    error = pymysql.err.ProgrammingError(1064, "near 'Sup3r-secret' at line 1")
    mapped = str(mysql._mapped("MySQL", error, "Sup3r-secret"))
    assert "Sup3r-secret" not in mapped and MASK in mapped


@pytest.mark.parametrize(
    ("sslmode", "verify", "hostname"),
    [
        ("require", ssl.CERT_NONE, False),
        ("verify-ca", ssl.CERT_REQUIRED, False),
        ("verify-full", ssl.CERT_REQUIRED, True),
    ],
)
def test_mysql_tls_follows_sslmode(sslmode: str, verify: int, hostname: bool) -> None:
    context = mysql.tls_settings(sslmode)["ssl"]  # a context: PyMySQL then requires TLS
    assert (context.verify_mode, context.check_hostname) == (verify, hostname)


def test_mysql_tls_is_off_when_disabled_and_offered_when_preferred() -> None:
    assert mysql.tls_settings("disable") == {"ssl_disabled": True}
    assert mysql.tls_settings("prefer") == mysql.tls_settings("allow") == {}
