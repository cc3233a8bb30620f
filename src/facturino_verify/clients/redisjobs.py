"""The jobs waiting, running or released on Laravel's ``redis`` queue connection.

``RedisQueue`` keeps a job in ``{prefix}queues:{q}`` (a list) until a worker pops it, then in
``queues:{q}:reserved`` while it runs and in ``queues:{q}:delayed`` when it is released for a
retry; the payload's ``id`` stays the same across all three. Read-only: LRANGE and ZRANGE.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .featuredb import QueuedJob
from .redis import HeldRedis, RedisClient

if TYPE_CHECKING:
    import redis

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


def _payload(member: bytes | str) -> dict[str, Any]:
    """The payload's JSON object; {} when it is not one (another producer's element)."""
    try:
        payload = json.loads(member)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def created_age_seconds(member: bytes | str | None) -> int | None:
    """Seconds since the payload's Laravel ``createdAt``; None without one."""
    created = _payload(member).get("createdAt") if member is not None else None
    return int(time.time() - created) if isinstance(created, int | float) else None


def _job(member: bytes | str, queue: str, reserved: bool) -> QueuedJob:
    payload = _payload(member)
    text = member.decode("utf-8", "replace") if isinstance(member, bytes) else member
    # Not JSON (another producer): the raw member is its identity.
    identity = payload.get("id") or payload.get("uuid") or text
    return QueuedJob(str(identity), queue, str(payload.get("displayName") or ""), reserved)


@dataclass(frozen=True)
class Head:
    """The first (oldest) payload of a queue's ready list."""

    queue: str
    member: bytes  # the exact list element, to find it again (LPOS)
    job_id: str
    age_seconds: int | None  # from Laravel's ``createdAt``; None when the payload has none


@dataclass(frozen=True)
class ReadyLists:
    count: int  # payloads waiting in the ready lists, all queues
    heads: list[Head]

    def oldest(self) -> Head | None:
        """The head that waited longest (heads without ``createdAt`` come last)."""
        ranked = sorted(self.heads, key=lambda h: -1 if h.age_seconds is None else h.age_seconds)
        return ranked[-1] if ranked else None


def ready_lists(client: RedisClient, queues: Sequence[str]) -> ReadyLists:
    """``LLEN`` and ``LINDEX 0`` of every queue: what waits, and each queue's oldest payload
    (Laravel's ``RedisQueue::creationTimeOfOldestPendingJob`` reads the same head)."""

    def act(r: redis.Redis) -> list[Any]:
        pipe = r.pipeline(transaction=False)
        for queue in queues:
            pipe.llen(client.queue_key(queue))
            pipe.lindex(client.queue_key(queue), 0)
        return list(pipe.execute())

    answers = client.call(client.queue_db(), act)
    count, heads = 0, []
    for index, queue in enumerate(queues):
        length, member = answers[2 * index], answers[2 * index + 1]
        count += int(length)
        if isinstance(member, bytes | str):
            raw = member.encode() if isinstance(member, str) else member
            heads.append(_head(queue, raw))
    return ReadyLists(count, heads)


def _head(queue: str, member: bytes) -> Head:
    age = created_age_seconds(member)
    job_id = str(_job(member, queue, False).id)
    return Head(queue, member, job_id, None if age is None else max(0, age))


def still_waiting(client: RedisClient, head: Head) -> bool:
    """Whether ``head`` is still in its ready list (not yet popped by a worker)."""
    key = client.queue_key(head.queue)
    # LPOS (Redis >= 6.0.6) by the exact bytes; redis-py types its element as str only.
    found = client.call(
        client.queue_db(), lambda r: cast(Any, r).execute_command("LPOS", key, head.member)
    )
    return found is not None


@dataclass(frozen=True)
class RedisQueueSnapshot:
    """Laravel's ``redis`` queue connection right now: jobs waiting per queue (the ready list
    and the delayed set) and jobs a worker holds (the reserved set, whose score is when the
    reservation expires: its start plus the connection's ``retry_after``)."""

    pending_by_queue: dict[str, int]
    reserved: int
    reserved_too_long: int
    oldest_reserved_age_seconds: int | None


def queue_snapshot(
    client: RedisClient, queues: Sequence[str], retry_after: int, reserved_max_age: int
) -> RedisQueueSnapshot:
    """One round trip: LLEN, ZCARD ``:delayed``, ZCARD and ZCOUNT ``:reserved`` and the
    earliest reservation of every queue (read-only)."""
    now = time.time()
    too_long_before = now + retry_after - reserved_max_age  # began more than max age ago

    def act(r: redis.Redis) -> list[Any]:
        pipe = r.pipeline(transaction=False)
        for queue in queues:
            reserved = client.queue_key(queue, "reserved")
            pipe.llen(client.queue_key(queue))
            pipe.zcard(client.queue_key(queue, "delayed"))
            pipe.zcard(reserved)
            pipe.zcount(reserved, "-inf", f"({too_long_before}")
            pipe.zrange(reserved, 0, 0, withscores=True)
        return list(pipe.execute())

    answers = client.call(client.queue_db(), act)
    pending, reserved, too_long, earliest = {}, 0, 0, []
    for index, queue in enumerate(queues):
        ready, delayed, held, old, first = answers[5 * index : 5 * index + 5]
        pending[queue] = int(ready) + int(delayed)
        reserved += int(held)
        too_long += int(old)
        earliest += [float(score) for _, score in first]
    oldest = int(now - (min(earliest) - retry_after)) if earliest else None
    return RedisQueueSnapshot(
        pending, reserved, too_long, None if oldest is None else max(0, oldest)
    )
