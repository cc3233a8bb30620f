"""The nine checks of `HealthController::health` (app/Http/Controllers/HealthController.php at
d5d901d7), each isolated.

`MK_HEALTH_CHECKS` (profiles.py, defect `health_cannot_fail`) says which controller runs:

* `upstream`: the real one, including the five checks it cannot fail — redis is true without
  testing unless the cache store is Redis (:69); signer is true when the certificate is missing,
  unreadable or on any error (:133-168); bank_sync counts telescope_entries rows, which nothing
  writes in production (:182-195); certificates needs `certificates.expires_at`, a column no
  migration creates (:304); paddle returns true on every path (:353-396).
* `fixed`: the same controller with those five able to report what they were written for
  (`FIXED` below). database, queues, storage and backup are the same in both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import redis.asyncio as aioredis

from facturino_reference.tls import expires_in_days
from facturino_reference.web.context import AppContext

HEALTH_KEY = "health_check"
HEALTH_VALUE = 's:2:"ok";'  # PHP-serialized "ok", as Cache::put stores it
SIGNER_MIN_DAYS = 7
BANK_SYNC_FAILURES_MAX = 10  # upstream's threshold: more than 10 sync errors in 24 h
CERTIFICATE_WARNING_DAYS = 30
# Bank sync jobs (app/Jobs, Modules/Mk/Jobs at d5d901d7).
BANK_SYNC_JOBS = (
    "App\\Jobs\\SyncBankTransactions",
    "Modules\\Mk\\Jobs\\SyncNlb",
    "Modules\\Mk\\Jobs\\SyncStopanska",
    "Modules\\Mk\\Jobs\\SyncKomer",
)
# config/cashier.php's real keys (upstream asks for cashier.public_key and
# cashier.webhook.secret, which that file does not define, so it always stops at :359).
PADDLE_KEYS = ("PADDLE_SELLER_ID", "PADDLE_API_KEY", "PADDLE_CLIENT_SIDE_TOKEN")
PADDLE_WEBHOOK_KEY = "PADDLE_WEBHOOK_SECRET"


def _fixed(c: AppContext) -> bool:
    return c.config.get("MK_HEALTH_CHECKS", "fixed") == "fixed"


def _naive_utc_now() -> dt.datetime:
    """Carbon::now() in the app's time zone (UTC), compared with naive UTC timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


async def database(c: AppContext) -> bool:
    await c.db.scalar("SELECT count(*) FROM users")
    return True


async def _cache_put_get(store: aioredis.Redis, key: str) -> bool:
    await store.set(key, HEALTH_VALUE, ex=10)
    return bool(await store.get(key) == HEALTH_VALUE)


async def redis(c: AppContext) -> bool:
    cache_on_redis = c.config.get("CACHE_STORE") == "redis"
    if not _fixed(c):
        if not cache_on_redis or not isinstance(c.cache, aioredis.Redis):
            return True  # :69, whatever else uses Redis
        return await _cache_put_get(c.cache, c.config.cache_prefix + HEALTH_KEY)
    # Fixed: every Redis connection the app uses (cache store, sessions, queue) answers.
    if isinstance(c.cache, aioredis.Redis) and not await _cache_put_get(
        c.cache, c.config.cache_prefix + HEALTH_KEY
    ):
        return False
    if isinstance(c.sessions, aioredis.Redis):
        await c.sessions.ping()
    if c.config.get("QUEUE_CONNECTION") == "redis":
        await c.queue.ping()
    return True


async def queues(c: AppContext) -> bool:
    if int(await c.db.scalar("SELECT count(*) FROM jobs")) > 10000:
        return False
    hour_ago = _naive_utc_now() - dt.timedelta(hours=1)
    failed = await c.db.scalar(
        "SELECT count(*) FROM failed_jobs WHERE failed_at >= %s", (hour_ago,)
    )
    if int(failed) > 100:
        return False
    stuck = await c.db.scalar(
        "SELECT count(*) FROM jobs WHERE reserved_at IS NOT NULL AND reserved_at < %s",
        (int(time.time()) - 600,),
    )
    return int(stuck) == 0


async def signer(c: AppContext) -> bool:
    fixed = _fixed(c)
    if not c.config.get("MK_XML_CERTIFICATE_PATH"):
        return True  # the server signer is optional: not configured, nothing to check
    try:
        return expires_in_days(c.config.path("MK_XML_CERTIFICATE_PATH")) > SIGNER_MIN_DAYS
    except (OSError, ValueError):
        # Upstream: missing or unreadable "might not be uploaded yet" (:139-152, :165-168).
        return not fixed


async def bank_sync(c: AppContext) -> bool:
    if _fixed(c):
        return await _bank_sync_failures(c) <= BANK_SYNC_FAILURES_MAX
    # Upstream reads Telescope's log entries (:182-195); Telescope is require-dev, so
    # nothing records them in production: the count is 0 or the table is not there.
    table = await c.db.scalar("SELECT to_regclass('telescope_entries')::text")
    if table is None:
        return True
    errors = await c.db.scalar(
        "SELECT count(*) FROM telescope_entries WHERE type = 'log' AND created_at > "
        "now() - interval '24 hours' AND content::text ~* 'bank.*sync' "
        "AND content::text ILIKE '%%error%%'"
    )
    return int(errors) <= BANK_SYNC_FAILURES_MAX


async def _bank_sync_failures(c: AppContext) -> int:
    """Bank sync jobs that ended in failed_jobs in the last 24 h (failed_at: naive UTC)."""
    day_ago = _naive_utc_now() - dt.timedelta(hours=24)
    failed = await c.db.scalar(
        "SELECT count(*) FROM failed_jobs WHERE failed_at >= %s "
        "AND payload::json->>'displayName' = ANY(%s)",
        (day_ago, list(BANK_SYNC_JOBS)),
    )
    return int(failed)


async def storage(c: AppContext) -> bool:
    disk = c.layout.public_disk
    probe = disk / f"health-check-{uuid.uuid4().hex}.tmp"
    probe.write_text("ok")
    exists = probe.exists()
    probe.unlink()
    usage = shutil.disk_usage(disk)
    return exists and usage.free / usage.total > 0.10


async def backup(c: AppContext) -> bool:
    try:
        zips = list(c.layout.backup_dir(c.config.name).glob("*.zip"))
        if not zips:
            return True
        newest = max(path.stat().st_mtime for path in zips)
    except OSError:
        return True
    return time.time() - newest <= 48 * 3600


async def certificates(c: AppContext) -> bool:
    """Company QES certificates (migration 2025_11_11_100003: `valid_to`, `is_active`)."""
    has_table = await c.db.scalar("SELECT to_regclass('certificates')::text")
    if has_table is None:
        return True  # a fresh installation
    if not _fixed(c):
        return await _upstream_certificates(c)
    soon = _naive_utc_now() + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
    expiring = await c.db.scalar(
        "SELECT count(*) FROM certificates WHERE is_active AND valid_to <= %s", (soon,)
    )
    return int(expiring) == 0


async def _upstream_certificates(c: AppContext) -> bool:
    """:304 asks for `expires_at`, which no migration creates: true. (Its query, if the
    column existed, would read it; every error of this check counts as fine upstream.)"""
    try:
        has_column = await c.db.scalar(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'certificates' AND column_name = 'expires_at'"
        )
        if not has_column:
            return True
        expiring = await c.db.scalar(
            "SELECT count(*) FROM certificates WHERE expires_at <= now() + interval '30 days' "
            "AND expires_at > now()"
        )
    except Exception:
        return True
    return int(expiring) == 0


async def paddle(c: AppContext) -> bool:
    if not _fixed(c):
        return True  # :359: two of its four config keys do not exist, so it always returns
    keys = [*PADDLE_KEYS, PADDLE_WEBHOOK_KEY]
    if not all(c.config.get(key) for key in keys):
        return True  # Paddle is optional until it is configured
    if c.config.get("APP_ENV") in {"local", "testing"}:
        return True
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            answer = await client.get(
                c.config.get("PADDLE_API_URL").rstrip("/") + "/products",
                params={"per_page": 1},
                headers={"Authorization": f"Bearer {c.config.get('PADDLE_API_KEY')}"},
            )
    except httpx.HTTPError:
        return False  # configured, but Paddle cannot be reached
    return answer.is_success


CHECKS: dict[str, Callable[[AppContext], Awaitable[bool]]] = {
    "database": database,
    "redis": redis,
    "queues": queues,
    "signer": signer,
    "bank_sync": bank_sync,
    "storage": storage,
    "backup": backup,
    "certificates": certificates,
    "paddle": paddle,
}
# What each check returns when it raises: the controller's own catch blocks.
ON_ERROR_UPSTREAM = {"signer": True, "backup": True, "certificates": True, "paddle": True}


async def _guarded(name: str, c: AppContext) -> bool:
    try:
        return await asyncio.wait_for(CHECKS[name](c), timeout=8.0)
    except Exception:
        return False if _fixed(c) else ON_ERROR_UPSTREAM.get(name, False)


async def run_all(c: AppContext) -> dict[str, bool]:
    results = await asyncio.gather(*(_guarded(name, c) for name in CHECKS))
    return dict(zip(CHECKS, results, strict=True))
