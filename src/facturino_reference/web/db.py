"""A tiny async PostgreSQL connection pool (psycopg 3), opened lazily on first use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row

AsyncConn = psycopg.AsyncConnection[DictRow]


class Database:
    """Idle connections are reused; a connection that raised is closed, never reused.

    Connecting per request would cost a SCRAM handshake each time; a dead server is still
    noticed on the next query because a failed connection is discarded.
    """

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
