"""The nine checks of HealthController::health, each honest and each isolated."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable

from facturino_reference.tls import expires_in_days
from facturino_reference.web.context import AppContext

HEALTH_KEY = "health_check"
HEALTH_VALUE = 's:2:"ok";'  # PHP-serialized "ok", as Cache::put stores it


async def database(c: AppContext) -> bool:
    await c.db.scalar("SELECT count(*) FROM users")
    return True


async def redis(c: AppContext) -> bool:
    if c.config.get("CACHE_STORE") != "redis":
        return True  # the real check only exercises the cache store when it is Redis
    key = c.config.cache_prefix + HEALTH_KEY
    await c.cache.set(key, HEALTH_VALUE, ex=10)
    return bool(await c.cache.get(key) == HEALTH_VALUE)


async def queues(c: AppContext) -> bool:
    if int(await c.db.scalar("SELECT count(*) FROM jobs")) > 10000:
        return False
    hour_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
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
    path = c.layout.signer_cert
    try:
        return expires_in_days(path) > 7
    except (OSError, ValueError):
        return True  # missing or unreadable certificate counts as fine upstream


async def bank_sync(c: AppContext) -> bool:
    try:
        table = await c.db.scalar("SELECT to_regclass('telescope_entries')::text")
    except Exception:
        return True  # upstream only fails it on >10 logged sync errors, never on errors
    if table is None:
        return True
    errors = await c.db.scalar(
        "SELECT count(*) FROM telescope_entries WHERE type = 'log' AND created_at > "
        "now() - interval '24 hours' AND content::text ~* 'bank.*sync' "
        "AND content::text ILIKE '%%error%%'"
    )
    return int(errors) <= 10


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
    """Upstream queries certificates.expires_at, a column no migration creates (the table
    has valid_to); its failure is caught, so the check is true. Same outcome, no error."""
    try:
        has_column = await c.db.scalar(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'certificates' AND column_name = 'expires_at'"
        )
    except Exception:
        return True  # upstream catches every error of this check as "fine"
    if not has_column:
        return True
    expiring = await c.db.scalar(
        "SELECT count(*) FROM certificates WHERE expires_at < now() + interval '30 days'"
    )
    return int(expiring) == 0


async def paddle(c: AppContext) -> bool:
    return True  # never false upstream; no Paddle credentials are configured here


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


async def _guarded(check: Callable[[AppContext], Awaitable[bool]], c: AppContext) -> bool:
    try:
        return await asyncio.wait_for(check(c), timeout=5.0)
    except Exception:
        return False


async def run_all(c: AppContext) -> dict[str, bool]:
    results = await asyncio.gather(*(_guarded(check, c) for check in CHECKS.values()))
    return dict(zip(CHECKS, results, strict=True))
