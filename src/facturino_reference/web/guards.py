"""Route middleware: auth:sanctum, guest, throttle (Redis-backed RateLimiter), feature."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError, Unauthenticated
from facturino_reference.web.session import Handler, current_session

USER_COLUMNS = "id, name, email, password, role, company_id, is_active, last_login_at"


async def current_user(request: Request) -> DictRow | None:
    """The session's user, loaded from `users` on every request as Laravel's guard does."""
    if hasattr(request.state, "user"):
        user: DictRow | None = request.state.user
        return user
    session = current_session(request)
    user = None
    if session is not None and session.user_id is not None:
        user = await ctx(request).db.fetchone(
            f"SELECT {USER_COLUMNS} FROM users WHERE id = %s AND is_active", (session.user_id,)
        )
    request.state.user = user
    return user


async def require_user(request: Request) -> DictRow:
    user = await current_user(request)
    if user is None:
        raise Unauthenticated()
    return user


def authenticated(handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        await require_user(request)
        return await handler(request)

    return endpoint


def guest(handler: Handler) -> Handler:
    """RedirectIfAuthenticated: a logged-in user is sent to the dashboard."""

    async def endpoint(request: Request) -> Response:
        if await current_user(request) is not None:
            return RedirectResponse(str(request.base_url.replace(path="/admin/dashboard")), 302)
        return await handler(request)

    return endpoint


class RateLimiter:
    """Illuminate\\Cache\\RateLimiter on the Redis cache store: a counter plus a `:timer`."""

    def __init__(self, c: AppContext) -> None:
        self.redis = c.cache
        self.prefix = c.config.cache_prefix

    async def attempts(self, key: str) -> int:
        return int(await self.redis.get(self.prefix + key) or 0)

    async def available_in(self, key: str) -> int:
        timer = await self.redis.get(self.prefix + key + ":timer")
        return max(0, int(timer or 0) - int(time.time()))

    async def too_many(self, key: str, max_attempts: int) -> bool:
        if await self.attempts(key) < max_attempts:
            return False
        if await self.redis.exists(self.prefix + key + ":timer"):
            return True
        await self.clear(key)
        return False

    async def hit(self, key: str, decay: int = 60) -> int:
        await self.redis.set(
            self.prefix + key + ":timer", int(time.time()) + decay, ex=decay, nx=True
        )
        await self.redis.set(self.prefix + key, 0, ex=decay, nx=True)
        return int(await self.redis.incr(self.prefix + key))

    async def clear(self, key: str) -> None:
        await self.redis.delete(self.prefix + key, self.prefix + key + ":timer")


def throttle(name: str, limit: Callable[[AppContext], int]) -> Callable[[Handler], Handler]:
    """`throttle:<name>` keyed by client IP, as RouteServiceProvider's `auth` limiter is."""

    def decorate(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            c = ctx(request)
            max_attempts = limit(c)
            ip = request.client.host if request.client else ""
            # md5(limiter name . key) is how Laravel names named-limiter counters.
            key = hashlib.md5((name + ip).encode()).hexdigest()
            limiter = RateLimiter(c)
            if await limiter.too_many(key, max_attempts):
                wait = await limiter.available_in(key)
                raise HttpError(
                    429,
                    "Too Many Attempts.",
                    headers=_limit_headers(max_attempts, 0, retry_after=wait),
                )
            hits = await limiter.hit(key)
            response = await handler(request)
            for header, value in _limit_headers(max_attempts, max_attempts - hits).items():
                response.headers[header] = value
            return response

        return endpoint

    return decorate


def _limit_headers(limit: int, remaining: int, retry_after: int | None = None) -> dict[str, str]:
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, remaining))}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
        headers["X-RateLimit-Reset"] = str(math.floor(time.time()) + retry_after)
    return headers


def auth_limit(c: AppContext) -> int:
    return int(c.config.get("AUTH_RATE_LIMIT", "5"))


def feature(flag: str) -> Callable[[Handler], Handler]:
    """`feature:<flag>` reads config/env only (a DB toggle does not open the route)."""

    def decorate(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if not ctx(request).config.flag(f"FEATURE_{flag.upper()}"):
                raise HttpError(
                    403,
                    body={
                        "error": "Feature not available",
                        "message": f"The '{flag}' feature is currently disabled.",
                    },
                )
            return await handler(request)

        return endpoint

    return decorate


def as_json_user(
    user: DictRow, is_partner: bool, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    role = user["role"]
    if is_partner and role not in {"admin", "super admin"}:
        role = "partner"
    return {
        "id": user["id"],
        "email": user["email"],
        "name": user["name"],
        "role": role,
        "is_partner": is_partner,
        **(extra or {}),
    }
