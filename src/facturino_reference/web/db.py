"""A tiny async connection pool (psycopg 3; PyMySQL in threads on MySQL), opened lazily."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row

from facturino_reference import mysqlconn

AsyncConn = psycopg.AsyncConnection[DictRow]


class Database:
    """Idle connections are reused; a connection that raised is closed, never reused.

    Connecting per request would cost a SCRAM handshake each time; a dead server is still
    noticed on the next query because a failed connection is discarded.
    """

    dialect = "postgresql"  # the few queries that differ by engine ask (dashboard's chart)

    def __init__(self, conninfo: str, size: int = 4) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: list[AsyncConn] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConn]:
        conn = self._idle.pop() if self._idle else await self._connect()
        try:
            yield conn
        except BaseException:
            await conn.close()
            raise
        if len(self._idle) < self._size and not conn.closed:
            self._idle.append(conn)
        else:
            await conn.close()

    async def _connect(self) -> AsyncConn:
        return await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, row_factory=dict_row
        )

    async def fetchall(self, query: str, params: tuple[Any, ...] = ()) -> list[DictRow]:
        async with self.connection() as conn:
            cursor = await conn.execute(query, params)
            return await cursor.fetchall()

    async def fetchone(self, query: str, params: tuple[Any, ...] = ()) -> DictRow | None:
        async with self.connection() as conn:
            cursor = await conn.execute(query, params)
            return await cursor.fetchone()

    async def scalar(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        row = await self.fetchone(query, params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, query: str, params: tuple[Any, ...] = ()) -> None:
        async with self.connection() as conn:
            await conn.execute(query, params)

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()


class _MySQLCursor:
    """The awaited cursor calls of the web layer over a PyMySQL cursor (rows already read)."""

    def __init__(self, cursor: mysqlconn.MySQLCursor) -> None:
        self._cursor = cursor

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class MySQLAsyncConn:
    """psycopg's AsyncConnection surface over one PyMySQL connection; each call in a thread.

    The whole statement (send, read every row) runs in the thread, so fetch* never blocks.
    """

    def __init__(self, conn: mysqlconn.MySQLConnection) -> None:
        self._conn = conn

    async def execute(self, query: str, params: mysqlconn.Params = None) -> _MySQLCursor:
        cursor = await asyncio.to_thread(self._conn.execute, query, params)
        return _MySQLCursor(cursor)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MySQLAsyncConn]:
        await asyncio.to_thread(self._conn.execute, "BEGIN")
        try:
            yield self
        except BaseException:
            await asyncio.to_thread(self._conn.execute, "ROLLBACK")
            raise
        await asyncio.to_thread(self._conn.execute, "COMMIT")

    @property
    def closed(self) -> bool:
        return self._conn.closed

    async def close(self) -> None:
        await asyncio.to_thread(self._conn.close)


class MySQLDatabase(Database):
    """The same pool for `DB_CONNECTION=mysql`: PyMySQL connections behind MySQLAsyncConn."""

    dialect = "mysql"

    def __init__(self, info: mysqlconn.MySQLInfo, size: int = 4) -> None:
        super().__init__("", size)
        self._info = info

    async def _connect(self) -> Any:
        conn = await asyncio.to_thread(mysqlconn.connect, self._info, True)
        return MySQLAsyncConn(conn)


def for_config(conninfo: str, mysql: mysqlconn.MySQLInfo | None) -> Database:
    """The app's pool: MySQL when `.env` says DB_CONNECTION=mysql, else PostgreSQL."""
    return MySQLDatabase(mysql) if mysql is not None else Database(conninfo)
