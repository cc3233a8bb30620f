"""Read-only questions of the daily/weekly checks, asked through the existing clients:
per-queue depth and oldest-job age (jobs table and Redis lists), failed jobs per 24 h window,
row counts of core tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .database import DatabaseClient
from .dialect import POSTGRESQL, Dialect
from .redis import RedisClient
from .redisjobs import created_age_seconds

TABLE = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class QueueFigures:
    """Per queue: jobs in it (Laravel's ``size()``) and age in seconds of its oldest job that
    is due (waiting or in flight); None when the queue holds no due job."""

    depth: dict[str, int]
    oldest_age_seconds: dict[str, int | None]


def database_queues(pg: DatabaseClient, queues: Sequence[str]) -> QueueFigures:
    now = pg.dialect.epoch_now
    rows = pg.rows(
        f"SELECT queue, count(*), {now} - min(CASE WHEN available_at <= {now} THEN available_at"
        " END) FROM jobs GROUP BY queue"
    )
    found = {str(q): (int(n), None if age is None else int(age)) for q, n, age in rows}
    names = list(dict.fromkeys([*queues, *found]))
    return QueueFigures(
        {q: found.get(q, (0, None))[0] for q in names},
        {q: found.get(q, (0, None))[1] for q in names},
    )


def redis_queues(client: RedisClient, db: int, prefix: str, queues: Sequence[str]) -> QueueFigures:
    """``LLEN`` + ``ZCARD :delayed`` + ``ZCARD :reserved`` (Laravel's RedisQueue::size) and the
    ``createdAt`` of the list's head (RedisQueue::creationTimeOfOldestPendingJob)."""

    def act(r: Any) -> QueueFigures:
        pipe = r.pipeline(transaction=False)
        for queue in queues:
            key = f"{prefix}queues:{queue}"
            pipe.llen(key)
            pipe.zcard(f"{key}:delayed")
            pipe.zcard(f"{key}:reserved")
            pipe.lindex(key, 0)
        answers = pipe.execute()
        depth, oldest = {}, {}
        for i, queue in enumerate(queues):
            ready, delayed, reserved, head = answers[4 * i : 4 * i + 4]
            depth[queue] = int(ready) + int(delayed) + int(reserved)
            oldest[queue] = created_age_seconds(head)
        return QueueFigures(depth, oldest)

    result: QueueFigures = client.call(db, act)
    return result


@dataclass(frozen=True)
class FailedJobWindows:
    last_24h: int
    previous_24h: int  # the 24 h before that: the baseline when no earlier run was recorded
    by_queue_24h: dict[str, int]


def failed_job_windows(pg: DatabaseClient) -> FailedJobWindows:
    # failed_at is written in UTC without a zone (Laravel's now()): compare in UTC.
    day, two_days = pg.dialect.hours_ago("24"), pg.dialect.hours_ago("48")
    ((last, previous),) = pg.rows(
        f"SELECT count(CASE WHEN failed_at > {day} THEN 1 END),"
        f" count(CASE WHEN failed_at <= {day} AND failed_at > {two_days} THEN 1 END)"
        " FROM failed_jobs"
    )
    by_queue = pg.rows(
        f"SELECT queue, count(*) FROM failed_jobs WHERE failed_at > {day} GROUP BY queue"
    )
    return FailedJobWindows(int(last), int(previous), {str(q): int(n) for q, n in by_queue})


def row_counts(
    conn_rows: Any, tables: Sequence[str], dialect: Dialect = POSTGRESQL
) -> dict[str, int | None]:
    """``count(*)`` per table (None when the table does not exist), through ``conn_rows(query,
    params)`` so it serves both the live client and the drill's throwaway server."""
    if not tables:
        return {}
    existing = {
        str(name)
        for (name,) in conn_rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            f" {dialect.schema} AND {dialect.in_list('table_name')}",
            (dialect.list_param(list(tables)),),
        )
    }
    counts: dict[str, int | None] = {}
    for table in tables:
        if table in existing and TABLE.fullmatch(table):
            query = f"SELECT count(*) FROM {dialect.quoted(table)}"
            counts[table] = int(conn_rows(query, ())[0][0])
        else:
            counts[table] = None
    return counts
