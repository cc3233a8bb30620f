"""/up, /health, /ping, /ready, /api/ping, /api/v1/app/version (contract section 1)."""

from __future__ import annotations

import datetime as dt
import re
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from facturino_reference.web import healthchecks
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.jsonutil import json_response

SETTING_TTL = 3600  # CacheServiceProvider::CACHE_TTLS['MEDIUM']


class DiagnosingHealthError(Exception):
    """What a failing DiagnosingHealth listener throws."""


def iso_offset() -> str:
    """Carbon::toIso8601String(): 2025-11-28T07:02:03+00:00."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def iso_zulu() -> str:
    """Carbon::toISOString(): 2025-11-28T07:02:03.123456Z."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _dispatch_diagnosing_health(request: Request) -> None:
    """The framework's /up fires DiagnosingHealth; the fault registers a throwing listener."""
    if ctx(request).config.get("HEALTH_DIAGNOSTICS") == "fail":
        raise DiagnosingHealthError("Health diagnostics failed: queue connection check")


async def up(request: Request) -> Response:
    """The built-in health route: no session, no DB; 500 only if a listener throws."""
    c = ctx(request)
    problem = ""
    try:
        _dispatch_diagnosing_health(request)
    except DiagnosingHealthError as exc:
        if c.config.debug:
            raise  # the framework rethrows in debug mode
        problem = str(exc)
    started: float = getattr(request.state, "t0", time.perf_counter())
    html = c.templates.get_template("up.html").render(
        app_name=c.config.name,
        problem=problem,
        millis=round((time.perf_counter() - started) * 1000),
    )
    return HTMLResponse(html, 500 if problem else 200)


async def health(request: Request) -> Response:
    c = ctx(request)
    checks = await healthchecks.run_all(c)
    healthy = all(checks.values())
    return json_response(
        {
            "status": "healthy" if healthy else "degraded",
            "timestamp": iso_offset(),
            "version": "1.0.0",
            "environment": c.config.get("APP_ENV"),
            "checks": checks,
        },
        200 if healthy else 503,
    )


async def ping(request: Request) -> Response:
    return json_response({"status": "ok", "timestamp": iso_zulu()})


async def ready(request: Request) -> Response:
    """A static closure upstream: it does not look at migrations."""
    return json_response({"status": "ok", "timestamp": iso_offset()})


async def api_ping(request: Request) -> Response:
    return json_response({"success": "invoiceshelf-self-hosted"})


async def app_version(request: Request) -> Response:
    """AppVersionController (d5d901d7, lines 16-30): version.md without its line breaks, and
    the updater channel, written as 'stable' on the first call. A build without version.md
    throws (FileNotFoundException, 500): the `error_burst` fault; an old build's version.md
    says an older release: `stale_release`."""
    c = ctx(request)
    version = re.sub(r"[\r\n]+", "", (c.layout.root / "version.md").read_text(encoding="utf-8"))
    channel = await get_setting(c, "updater_channel")
    if channel is None:
        channel = "stable"
        await set_setting(c, "updater_channel", channel)
    return json_response({"version": version, "channel": channel})


async def _settings_version(c: AppContext) -> str:
    version = await c.cache.get(f"{c.config.cache_prefix}settings:version")
    return str(version) if version else "1"


async def get_setting(c: AppContext, key: str) -> str | None:
    """Setting::getSetting: remembered in the cache store under the settings' cache version
    for an hour (CACHE_TTLS MEDIUM); a missing setting (null) is not remembered."""
    cache_key = f"{c.config.cache_prefix}setting:v{await _settings_version(c)}:{key}"
    cached = await c.cache.get(cache_key)
    if cached is not None:
        return str(cached)
    value = await c.db.scalar("SELECT value FROM settings WHERE option = %s", (key,))
    if value is not None:
        await c.cache.set(cache_key, value, ex=SETTING_TTL)
    return None if value is None else str(value)


async def set_setting(c: AppContext, key: str, value: str) -> None:
    """Setting::setSetting for a new option: the row, then the cache version bumped (forever)."""
    await c.db.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) "
        "VALUES (%s, %s, now(), now())",
        (key, value),
    )
    bumped = int(await _settings_version(c)) + 1
    await c.cache.set(f"{c.config.cache_prefix}settings:version", bumped)
