"""Laravel's `redis` queue connection, as `RedisQueue` lays it out in the queue DB.

`{prefix}queues:{q}` is a list of pending payloads (RPUSH at dispatch, LPOP by the worker);
a popped job sits in the sorted set `queues:{q}:reserved` (score: when its reservation
expires) while it runs, with `attempts` already counted; a released job waits in
`queues:{q}:delayed` (score: when it is due) until a worker moves it back to the list. The
payload carries Laravel's `id` (random, 32 characters) and `attempts` besides the usual keys.
Used with `QUEUE_CONNECTION=redis` (`facturino-reference up --queue-connection redis`).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import redis

from facturino_reference.appenv import AppConfig

RETRY_AFTER_SECONDS = 150  # config/queue.php: banking and einvoice


def redis_payload(payload: str, created_at: int | None = None) -> str:
    """The database payload plus what `RedisQueue::createPayloadArray` adds, and the
    `createdAt` every Laravel 12 payload carries (`RedisQueue::creationTimeOfOldestPendingJob`
    reads it)."""
    data: dict[str, Any] = json.loads(payload)
    created = int(time.time()) if created_at is None else created_at
    return json.dumps({**data, "id": secrets.token_hex(16), "attempts": 0, "createdAt": created})


def queue_key(prefix: str, queue: str, part: str = "") -> str:
    return f"{prefix}queues:{queue}" + (f":{part}" if part else "")


def queue_client(config: AppConfig, timeout: float = 2.0) -> redis.Redis:
    """A client on REDIS_QUEUE_DB (decoded strings, short timeouts)."""
    return redis.Redis(
        host=config.get("REDIS_HOST"),
        port=config.int("REDIS_PORT"),
        password=config.get("REDIS_PASSWORD") or None,
        db=config.int("REDIS_QUEUE_DB"),
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )


class RedisQueue:
    """The worker's side: migrate due jobs, pop one, settle it."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client, self.prefix = client, prefix

    def pop(self, queue: str) -> tuple[str, int] | None:
        """The next due job of `queue`, reserved: (reserved payload, attempts)."""
        self._migrate_due(queue)
        raw = self.client.lpop(queue_key(self.prefix, queue))
        if raw is None:
            return None
        data = json.loads(str(raw))
        data["attempts"] = int(data.get("attempts", 0)) + 1
        reserved = json.dumps(data)
        self.client.zadd(
            queue_key(self.prefix, queue, "reserved"),
            {reserved: time.time() + RETRY_AFTER_SECONDS},
        )
        return reserved, data["attempts"]

    def delete(self, queue: str, reserved: str) -> None:
        self.client.zrem(queue_key(self.prefix, queue, "reserved"), reserved)

    def release(self, queue: str, reserved: str, delay: int) -> None:
        """Back to `:delayed`, due in `delay` seconds (Laravel's `release($delay)`)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.zrem(queue_key(self.prefix, queue, "reserved"), reserved)
        pipe.zadd(queue_key(self.prefix, queue, "delayed"), {reserved: time.time() + delay})
        pipe.execute()

    def _migrate_due(self, queue: str) -> None:
        delayed = queue_key(self.prefix, queue, "delayed")
        due = self.client.zrangebyscore(delayed, "-inf", time.time())
        for payload in (str(member) for member in due):
            if self.client.zrem(delayed, payload):  # this worker moved it
                self.client.rpush(queue_key(self.prefix, queue), payload)
