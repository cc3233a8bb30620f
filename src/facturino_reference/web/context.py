"""What every request handler can reach: configuration, stores, crypto, templates, metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import cast

import jinja2
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.requests import Request

from facturino_reference.appenv import AppConfig
from facturino_reference.paths import HomeLayout
from facturino_reference.web.crypto import Encrypter
from facturino_reference.web.db import Database, for_config
from facturino_reference.web.metrics_registry import HttpMetrics
from facturino_reference.web.stores import DatabaseCache, DatabaseSessions

# What the handlers call a cache or a session store: Redis, or the `cache`/`sessions` tables.
Store = aioredis.Redis | DatabaseCache
SessionStore = aioredis.Redis | DatabaseSessions
# config/database.php's Redis connections: the name a store's `connection` setting names.
REDIS_CONNECTION_DBS = {
    "default": "REDIS_DB",
    "cache": "REDIS_CACHE_DB",
    "session": "REDIS_SESSION_DB",
    "queue": "REDIS_QUEUE_DB",
}


def _redis(config: AppConfig, db: int) -> aioredis.Redis:
    # Short timeouts: a dead Redis must turn into a quick 500, not a hung request.
    return aioredis.Redis(
        host=config.get("REDIS_HOST"),
        port=config.int("REDIS_PORT"),
        password=config.get("REDIS_PASSWORD") or None,
        db=db,
        decode_responses=True,
        socket_connect_timeout=1.0,
        socket_timeout=2.0,
        # redis-py retries with backoff by default (seconds per request); predis does not.
        retry=Retry(NoBackoff(), 0),
    )


def _cache_store(config: AppConfig, db: Database) -> Store:
    """config/cache.php: the `redis` store on the `cache` connection, else the database."""
    if config.get("CACHE_STORE") == "redis":
        return _redis(config, config.int("REDIS_CACHE_DB"))
    return DatabaseCache(db, config.get("REDIS_PREFIX"))


def _session_store(config: AppConfig, db: Database) -> SessionStore:
    """SessionManager: the `redis` driver is the cache's Redis store on the connection
    SESSION_CONNECTION names, and with none set on `default` (REDIS_DB), not on `session`."""
    if config.get("SESSION_DRIVER") == "redis":
        connection = config.get("SESSION_CONNECTION") or "default"
        return _redis(config, config.int(REDIS_CONNECTION_DBS.get(connection, "REDIS_DB")))
    return DatabaseSessions(db, config.cache_prefix, config.int("SESSION_LIFETIME"))


@dataclass
class AppContext:
    config: AppConfig
    encrypter: Encrypter
    db: Database
    cache: Store  # CACHE_STORE: Redis (REDIS_CACHE_DB) or the `cache` table
    sessions: SessionStore  # SESSION_DRIVER: Redis (SESSION_CONNECTION) or `sessions`
    queue: aioredis.Redis  # REDIS_QUEUE_DB: the `redis` queue connection
    templates: jinja2.Environment
    metrics: HttpMetrics
    started_at: float = field(default_factory=time.time)

    @property
    def layout(self) -> HomeLayout:
        return self.config.layout

    @classmethod
    def create(cls, config: AppConfig) -> AppContext:
        templates = jinja2.Environment(
            loader=jinja2.PackageLoader("facturino_reference.web", "templates"),
            autoescape=True,
        )
        db = for_config(config.db_conninfo(), config.mysql_info())
        return cls(
            config=config,
            encrypter=Encrypter(config.get("APP_KEY")),
            db=db,
            cache=_cache_store(config, db),
            sessions=_session_store(config, db),
            queue=_redis(config, config.int("REDIS_QUEUE_DB")),
            templates=templates,
            metrics=HttpMetrics(config.get("PROMETHEUS_NAMESPACE", "fakturino")),
        )

    async def close(self) -> None:
        await self.db.close()
        await self.cache.aclose()
        await self.sessions.aclose()
        await self.queue.aclose()


def ctx(request: Request) -> AppContext:
    return cast(AppContext, request.app.state.ctx)
