"""`php artisan queue:pause` / `queue:continue` (Laravel 11): a flag per queue in the cache.

The worker skips a paused queue, exactly as `queue:work` does; jobs keep arriving and wait.
"""

from __future__ import annotations

import redis

from facturino_reference.appenv import AppConfig

PAUSED_KEY = "illuminate:queue:paused:{connection}:{queue}"
PHP_TRUE = "b:1;"  # serialize(true), as the Redis cache store keeps values


def paused_key(prefix: str, queue: str, connection: str = "database") -> str:
    """The cache key (after the app's cache prefix) that marks `connection:queue` paused."""
    return prefix + PAUSED_KEY.format(connection=connection, queue=queue)


class PauseFlags:
    """Reads the pause flags from the cache store (REDIS_CACHE_DB) before each reservation."""

    def __init__(self, config: AppConfig) -> None:
        self.prefix = config.cache_prefix
        self.enabled = config.get("CACHE_STORE") == "redis"
        self.client = redis.Redis(
            host=config.get("REDIS_HOST"),
            port=config.int("REDIS_PORT"),
            password=config.get("REDIS_PASSWORD") or None,
            db=config.int("REDIS_CACHE_DB"),
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
        )

    def active(self, queues: tuple[str, ...], connection: str = "database") -> tuple[str, ...]:
        """The queues of `connection` not paused. A cache outage counts as "not paused": the
        reference keeps its worker independent of Redis (Laravel's would stop on it)."""
        if not self.enabled:
            return queues
        try:
            flags = self.client.mget([paused_key(self.prefix, q, connection) for q in queues])
        except redis.RedisError:
            return queues
        return tuple(q for q, flag in zip(queues, flags, strict=True) if not flag)

    def close(self) -> None:
        self.client.close()
