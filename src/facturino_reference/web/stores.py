"""The `database` cache store and session driver (the image's baked `CACHE_STORE=database`,
`SESSION_DRIVER=database`): Laravel's `cache` and `sessions` tables.

They answer the few calls the app makes of its Redis clients (get, set with `ex`/`nx`, incr,
exists, delete), so the handlers work the same whichever store `.env` names, and nothing of
the app reaches Redis unless the configuration says so (as in Laravel, where a store that is
not configured is never connected to).

Callers name keys the way the Redis store does (`REDIS_PREFIX` + `CACHE_PREFIX` + key); the
database store keeps `CACHE_PREFIX` + key, as `Illuminate\\Cache\\DatabaseStore` does, and the
session driver keeps the bare session id.
"""

from __future__ import annotations

import base64
import json
import time

from facturino_reference.web.db import Database

FOREVER_SECONDS = 315360000  # DatabaseStore::forever stores ten years


def _now() -> int:
    return int(time.time())


class DatabaseCache:
    """`Illuminate\\Cache\\DatabaseStore` on the `cache` table (key, value, expiration)."""

    def __init__(self, db: Database, redis_prefix: str) -> None:
        self.db, self.redis_prefix = db, redis_prefix

    def _key(self, key: str) -> str:
        return key.removeprefix(self.redis_prefix)

    async def get(self, key: str) -> str | None:
        value = await self.db.scalar(
            "SELECT value FROM cache WHERE key = %s AND expiration > %s", (self._key(key), _now())
        )
        return None if value is None else str(value)

    async def set(
        self, key: str, value: object, ex: int | None = None, nx: bool = False
    ) -> bool | None:
        expiration = _now() + (ex if ex else FOREVER_SECONDS)
        # nx: only when absent or expired (Cache::add), as SET NX does on Redis.
        only_if = " WHERE cache.expiration <= %s" if nx else ""
        params = (self._key(key), str(value), expiration, *((_now(),) if nx else ()))
        row = await self.db.fetchone(
            "INSERT INTO cache (key, value, expiration) VALUES (%s, %s, %s) ON CONFLICT (key) "
            f"DO UPDATE SET value = excluded.value, expiration = excluded.expiration{only_if} "
            "RETURNING key",
            params,
        )
        return True if row is not None else None

    async def incr(self, key: str) -> int:
        row = await self.db.fetchone(
            "INSERT INTO cache (key, value, expiration) VALUES (%s, '1', %s) ON CONFLICT (key) "
            "DO UPDATE SET value = ((CASE WHEN cache.expiration > %s THEN cache.value::bigint "
            "ELSE 0 END) + 1)::text RETURNING value",
            (self._key(key), _now() + FOREVER_SECONDS, _now()),
        )
        return int(row["value"]) if row else 1

    async def exists(self, *keys: str) -> int:
        found = await self.db.scalar(
            "SELECT count(*) FROM cache WHERE key = ANY(%s) AND expiration > %s",
            ([self._key(k) for k in keys], _now()),
        )
        return int(found or 0)

    async def delete(self, *keys: str) -> int:
        rows = await self.db.fetchall(
            "DELETE FROM cache WHERE key = ANY(%s) RETURNING key", ([self._key(k) for k in keys],)
        )
        return len(rows)

    async def aclose(self) -> None:
        """The pool belongs to the app context, which closes it."""


class DatabaseSessions:
    """`Illuminate\\Session\\DatabaseSessionHandler` on the `sessions` table: the payload
    base64-encoded, `last_activity` stamped on every write, expired after the lifetime."""

    def __init__(self, db: Database, key_prefix: str, lifetime_minutes: int) -> None:
        self.db, self.key_prefix, self.lifetime = db, key_prefix, lifetime_minutes * 60

    def _id(self, key: str) -> str:
        return key.removeprefix(self.key_prefix)

    async def get(self, key: str) -> str | None:
        payload = await self.db.scalar(
            "SELECT payload FROM sessions WHERE id = %s AND last_activity > %s",
            (self._id(key), _now() - self.lifetime),
        )
        return None if payload is None else base64.b64decode(str(payload)).decode()

    async def set(self, key: str, value: str, ex: int | None = None) -> bool:
        await self.db.execute(
            "INSERT INTO sessions (id, user_id, payload, last_activity) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, "
            "payload = excluded.payload, last_activity = excluded.last_activity",
            (self._id(key), _user_id(value), base64.b64encode(value.encode()).decode(), _now()),
        )
        return True

    async def delete(self, *keys: str) -> int:
        rows = await self.db.fetchall(
            "DELETE FROM sessions WHERE id = ANY(%s) RETURNING id", ([self._id(k) for k in keys],)
        )
        return len(rows)

    async def aclose(self) -> None:
        """The pool belongs to the app context, which closes it."""


def _user_id(payload: str) -> int | None:
    """The authenticated user of a session payload (the handler fills `user_id` from it)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    ids = [v for k, v in data.items() if k.startswith("login_web_") and isinstance(v, int)]
    return ids[0] if ids else None
