"""Driver errors name the kind of failure they are: the operator's first clue."""

from __future__ import annotations

import psycopg

from facturino_verify.clients.errors import ConnectionRefused, SchemaMismatch
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
