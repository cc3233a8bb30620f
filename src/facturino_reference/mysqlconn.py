"""PyMySQL behind the few psycopg calls this package makes, so one code path serves both engines.

`connect(conninfo)` returns a psycopg-shaped connection (`execute` returning a cursor,
`cursor()`, `transaction()`, context manager) whose statements go through `dialect.to_mysql`.
The web layer's async pool (web/db.py) runs these calls in a worker thread.

Why PyMySQL and not aiomysql/asyncmy: it is already the suite's MySQL driver (one driver to
know and one set of error classes), pure Python with type stubs (mypy --strict checks every call),
and the reference's traffic is a handful of concurrent requests, which a thread per query
serves well; aiomysql is PyMySQL under an older asyncio shell without types, asyncmy a compiled
fork without types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import pymysql
from pymysql.cursors import Cursor, DictCursor

from facturino_reference.dialect import to_mysql

Params = Sequence[Any] | Mapping[str, Any] | None
# What a MySQL outage or a bad statement raises; callers catch it next to psycopg.Error.
Error = pymysql.MySQLError
OperationalError = pymysql.err.OperationalError


@dataclass(frozen=True)
class MySQLInfo:
    """Where the app's MySQL database is (`.env`'s DB_* keys)."""

    host: str
    port: int
    database: str
    user: str
    password: str


@dataclass(frozen=True)
class Column:
    """psycopg's Column as far as this package reads it: the name."""

    name: str


def _never_empty(value: Any) -> Any:
    return [None] if isinstance(value, list | tuple) and not value else value


def _lists_never_empty(params: Params) -> Params:
    """`= ANY(%s)` became `IN %s`: an empty list would be `IN ()`, a syntax error in MySQL,
    where PostgreSQL's `= ANY('{}')` is simply false. `IN (NULL)` is false too."""
    if params is None:
        return None
    if isinstance(params, Mapping):
        return {key: _never_empty(value) for key, value in params.items()}
    return [_never_empty(value) for value in params]


class MySQLCursor:
    """psycopg's cursor surface: execute returns the cursor, fetch*, rowcount, context manager."""

    def __init__(self, cursor: Cursor) -> None:
        self._cursor = cursor

    def execute(self, query: str, params: Params = None) -> MySQLCursor:
        self._cursor.execute(to_mysql(query), _lists_never_empty(params))
        return self

    def raw_execute(self, query: str) -> None:
        """A statement written for MySQL (schema_mysql.sql): no rewriting, no parameters."""
        self._cursor.execute(query)

    def raw_fetchall(self, query: str) -> list[Any]:
        """Rows of a MySQL-only statement (SHOW ..., information_schema), not rewritten."""
        self._cursor.execute(query)
        return list(self._cursor.fetchall())

    def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(to_mysql(query), rows)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    @property
    def description(self) -> list[Column] | None:
        found = self._cursor.description
        return None if found is None else [Column(str(entry[0])) for entry in found]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def close(self) -> None:
        self._cursor.close()

    def __enter__(self) -> MySQLCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MySQLConnection:
    """An autocommit connection; `transaction()` is BEGIN ... COMMIT (ROLLBACK on error)."""

    def __init__(self, info: MySQLInfo, dict_rows: bool = False, timeout: float = 10.0) -> None:
        self._conn = pymysql.connect(
            host=info.host,
            port=info.port,
            user=info.user,
            password=info.password,
            database=info.database,
            autocommit=True,
            charset="utf8mb4",
            # Naive UTC like the app's timestamps, whatever the server's own zone.
            init_command="SET time_zone = '+00:00'",
            cursorclass=DictCursor if dict_rows else Cursor,
            connect_timeout=timeout,
            read_timeout=None,
            write_timeout=timeout,
        )

    def cursor(self, row_factory: object = None) -> MySQLCursor:
        """`row_factory=dict_row` (the only one this package passes): rows as dicts."""
        cursor_class = DictCursor if row_factory is not None else self._conn.cursorclass
        return MySQLCursor(self._conn.cursor(cursor_class))

    def execute(self, query: str, params: Params = None) -> MySQLCursor:
        return self.cursor().execute(query, params)

    @contextmanager
    def transaction(self) -> Iterator[MySQLConnection]:
        self._conn.begin()
        try:
            yield self
        except BaseException:
            self._conn.rollback()
            raise
        self._conn.commit()

    @property
    def closed(self) -> bool:
        return not self._conn.open

    def close(self) -> None:
        if self._conn.open:
            self._conn.close()

    def __enter__(self) -> MySQLConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def connect(info: MySQLInfo, dict_rows: bool = False) -> MySQLConnection:
    return MySQLConnection(info, dict_rows=dict_rows)
