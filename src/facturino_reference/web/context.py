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
from facturino_reference.web.db import Database
from facturino_reference.web.metrics_registry import HttpMetrics


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


@dataclass
class AppContext:
    config: AppConfig
    encrypter: Encrypter
    db: Database
    cache: aioredis.Redis  # REDIS_CACHE_DB: cache store (health key, rate limiter)
    sessions: aioredis.Redis  # REDIS_SESSION_DB: the session store
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
        return cls(
            config=config,
            encrypter=Encrypter(config.get("APP_KEY")),
            db=Database(config.db_conninfo()),
            cache=_redis(config, config.int("REDIS_CACHE_DB")),
            sessions=_redis(config, config.int("REDIS_SESSION_DB")),
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
