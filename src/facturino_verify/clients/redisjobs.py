"""The jobs waiting, running or released on Laravel's ``redis`` queue connection.

``RedisQueue`` keeps a job in ``{prefix}queues:{q}`` (a list) until a worker pops it, then in
``queues:{q}:reserved`` while it runs and in ``queues:{q}:delayed`` when it is released for a
retry; the payload's ``id`` stays the same across all three. Read-only: LRANGE and ZRANGE.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import redis

from .featuredb import QueuedJob
from .redis import HeldRedis, RedisClient

_PARTS = ("", "reserved", "delayed")


def queued_jobs(held: HeldRedis, keys: RedisClient, queues: Sequence[str]) -> list[QueuedJob]:
    """Every job of ``queues`` in any of the three places, in one round trip."""

    def act(r: redis.Redis) -> list[Any]:
        pipe = r.pipeline(transaction=False)
        for queue in queues:
            pipe.lrange(keys.queue_key(queue), 0, -1)
            pipe.zrange(keys.queue_key(queue, "reserved"), 0, -1)
            pipe.zrange(keys.queue_key(queue, "delayed"), 0, -1)
        return list(pipe.execute())

    answers = held.call(act)
    jobs: list[QueuedJob] = []
    for index, members in enumerate(answers):
        queue, part = queues[index // len(_PARTS)], _PARTS[index % len(_PARTS)]
        jobs.extend(_job(member, queue, part == "reserved") for member in members)
    return jobs


def _job(member: bytes | str, queue: str, reserved: bool) -> QueuedJob:
    text = member.decode("utf-8", "replace") if isinstance(member, bytes) else member
    try:
        payload = json.loads(text)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    # Not JSON (another producer): the raw member is its identity.
    identity = payload.get("id") or payload.get("uuid") or text
    return QueuedJob(str(identity), queue, str(payload.get("displayName") or ""), reserved)
