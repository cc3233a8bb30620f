"""Checks of the application's own pages: /up, /health, the login page, installer, debug."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import remedies
from .base import fail, shorten
from .html import Page
from .http import described, expect_status, json_body

DEBUG_HEADERS = ("X-Execution-Time", "X-Memory-Usage", "X-Request-ID")
TRACE_KEYS = ("exception", "trace", "file", "line")


def expect_application_up(response: httpx.Response) -> None:
    __tracebackhide__ = True
    expect_status(response, 200, "GET /up answers 200", _remedy_for(response))
    if "Application up" not in response.text:
        fail(
            "GET /up shows Laravel's 'Application up' page",
            "'Application up' in the body",
            described(response),
            remedies.SERVER_ERROR,
        )


def expect_not_in_maintenance(response: httpx.Response) -> None:
    __tracebackhide__ = True
    retry_after = response.headers.get("Retry-After")
    if response.status_code == 503 or retry_after is not None:
        seen = f"HTTP {response.status_code}, Retry-After: {retry_after or '(none)'}"
        fail(
            "the application is not in maintenance mode",
            "no 503 and no Retry-After",
            seen,
            remedies.MAINTENANCE,
        )


def _remedy_for(response: httpx.Response) -> str:
    if response.status_code == 503:
        return remedies.MAINTENANCE
    return remedies.SERVER_ERROR if response.status_code >= 500 else remedies.REDEPLOY


def health_payload(response: httpx.Response) -> dict[str, Any]:
    """The /health JSON (which is also sent with 503), or a failure describing what came."""
    __tracebackhide__ = True
    payload = json_body(response, "GET /health answers with the health JSON", _remedy_for(response))
    if not isinstance(payload, dict) or not isinstance(payload.get("checks"), dict):
        fail(
            "GET /health has a 'checks' object",
            "{'status': ..., 'checks': {...}}",
            shorten(str(payload)),
            remedies.SERVER_ERROR,
        )
    return payload


def expect_health_check(payload: dict[str, Any], name: str) -> None:
    __tracebackhide__ = True
    checks = payload["checks"]
    if name not in checks:
        fail(
            f"/health reports the '{name}' check",
            f"checks.{name} present",
            f"checks: {sorted(checks)}",
            remedies.REDEPLOY,
        )
    if checks[name] is not True:
        fail(f"/health check '{name}' passes", "true", repr(checks[name]), _health_remedy(name))


def _health_remedy(name: str) -> str:
    return {
        "database": remedies.DATABASE,
        "redis": remedies.REDIS,
        "queues": remedies.QUEUE,
        "backup": remedies.BACKUP,
        "signer": "the e-invoice signer certificate expires within 7 days: renew it",
        "bank_sync": remedies.BANK_SYNC,
        "storage": remedies.STORAGE,
        "certificates": remedies.CERTIFICATES,
        "paddle": remedies.PADDLE,
    }.get(name, remedies.HEALTH)


def failing_subsystems(response: httpx.Response) -> list[str]:
    """The /health sub-checks that answered false (none when the body is not the health JSON):
    what an aggregate failure of /health is caused by."""
    try:
        payload = response.json()
    except ValueError:
        return []
    checks = payload.get("checks") if isinstance(payload, dict) else None
    if not isinstance(checks, dict):
        return []
    return sorted(name for name, value in checks.items() if value is False)


def expect_health_status(payload: dict[str, Any]) -> None:
    __tracebackhide__ = True
    if payload.get("status") != "healthy":
        failing = sorted(k for k, v in payload["checks"].items() if v is not True)
        fail(
            "/health status is healthy",
            "'healthy'",
            f"{payload.get('status')!r}, failing checks: {failing}",
            remedies.health_caused_by(failing),
        )


def expect_environment(payload: dict[str, Any], expected: str) -> None:
    __tracebackhide__ = True
    seen = payload.get("environment")
    if seen != expected:
        fail("/health reports the expected APP_ENV", repr(expected), repr(seen), remedies.BAKED_ENV)


# What boots the SPA in resources/views/app.blade.php: the @vite module script and the inline
# `window.Facturino.start()` (nothing renders without it; the form is drawn in the browser).
START_CALL = re.compile(r"\bFacturino\s*\.\s*start\s*\(")
ASSET_TYPES = {".js": ("javascript",), ".mjs": ("javascript",), ".css": ("text/css",)}


def spa_shell_page(response: httpx.Response, what: str = "the login page") -> Page:
    """The page the login path answers (after redirects), parsed; a failure for anything but
    a 200 (what it holds is judged by the caller)."""
    __tracebackhide__ = True
    expect_status(response, 200, f"{what} answers 200", _remedy_for(response))
    return Page(response.text)


def expect_spa_shell(response: httpx.Response, prefix: str = "/build/assets/") -> Page:
    """The login path lands on /login (not the installer) and answers the SPA shell: a module
    script under ``prefix`` and the ``Facturino.start()`` call. The form itself is rendered by
    the SPA in the browser (Login.vue), so it is not looked for in the HTML."""
    __tracebackhide__ = True
    page = spa_shell_page(response)
    path = urlsplit(str(response.url)).path
    if path.startswith("/installation"):
        fail("the login page is reached", "/login", str(response.url), remedies.INSTALLER)
    missing = []
    if not any(urlsplit(url).path.startswith(prefix) for url in page.module_scripts()):
        missing.append(f'<script type="module" src="{prefix}…">')
    if not any(START_CALL.search(script) for script in page.inline_scripts):
        missing.append("an inline script calling window.Facturino.start()")
    if missing:
        fail(
            "the login page is the SPA shell that boots the front end",
            f"{' and '.join(missing)} (resources/views/app.blade.php)",
            f"missing at {response.url}; module scripts {page.module_scripts() or 'none'}, "
            f"{len(page.inline_scripts)} inline script(s): {shorten(response.text, 200)}",
            remedies.LOGIN,
        )
    return page


def login_bundle_paths(page: Page, prefix: str = "/build/assets/") -> list[str]:
    """Every file under ``prefix`` the shell references (module script, modulepreloads,
    stylesheets and their preloads), as paths on the target."""
    __tracebackhide__ = True
    paths = list(
        dict.fromkeys(
            urlsplit(url).path for url in page.asset_urls() if urlsplit(url).path.startswith(prefix)
        )
    )
    if not any(path.endswith(".js") for path in paths):
        fail(
            "the login page loads its JS bundle",
            f"a <script> under {prefix}",
            page.asset_urls() or "no assets",
            remedies.LOGIN,
        )
    return paths


def expect_asset_served(response: httpx.Response) -> None:
    """A build file answers 200 with a content type for its kind and a non-empty body."""
    __tracebackhide__ = True
    path = response.request.url.path
    expect_status(response, 200, f"{path} is served", remedies.LOGIN)
    content_type = response.headers.get("Content-Type", "").lower()
    wanted = ASSET_TYPES.get(path[path.rfind(".") :].lower())
    if wanted and not any(kind in content_type for kind in wanted):
        fail(
            f"{path} is served as {' or '.join(wanted)}",
            f"Content-Type containing {' or '.join(wanted)} (browsers refuse module scripts "
            "and stylesheets of another type)",
            content_type or "(no Content-Type)",
            remedies.LOGIN,
        )
    if not response.content:
        fail(f"{path} has content", "a non-empty body", "0 bytes", remedies.LOGIN)


def expect_installer_closed(response: httpx.Response) -> None:
    __tracebackhide__ = True
    if response.status_code not in (301, 302, 303, 307, 308, 404):
        fail(
            f"{response.request.url.path} is closed (redirects away)",
            "a redirect to /login",
            described(response),
            remedies.INSTALLER,
        )
    location = response.headers.get("Location", "")
    if response.is_redirect and "/installation" in location:
        fail(
            "the installer is closed",
            "a redirect to /login",
            f"redirect to {location}",
            remedies.INSTALLER,
        )


# What the content of a private file looks like: an environment file's assignments, a git
# config's [core] table, a Laravel log line.
PRIVATE_CONTENT = re.compile(
    r"^(?:(?:export\s+)?(?:APP_KEY|APP_ENV|DB_PASSWORD|DB_CONNECTION|DB_HOST)\s*="
    r"|\[core\]"
    r"|\[\d{4}-\d\d-\d\d[ T][\d:.]+\S*\] \w+\."
    r"(?:EMERGENCY|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG):)",
    re.MULTILINE,
)


def expect_private_file_not_served(response: httpx.Response) -> None:
    """The path may answer anything (404, 403, a redirect, the SPA's page) except the file."""
    __tracebackhide__ = True
    path = response.request.url.path
    if response.status_code == 200 and PRIVATE_CONTENT.search(response.text[:65536]):
        fail(
            f"{path} does not serve the project's private file",
            "403/404 (or any page that is not the file)",
            f"HTTP 200 with the file's content ({len(response.content)} bytes): "
            f"{shorten(response.text, 160)}",
            remedies.PRIVATE_FILE,
        )


def expect_not_served(response: httpx.Response) -> None:
    __tracebackhide__ = True
    expect_status(response, 404, f"{response.request.url.path} is not served", remedies.DEBUG)


def expect_no_debug_headers(response: httpx.Response) -> None:
    __tracebackhide__ = True
    present = {h: response.headers[h] for h in DEBUG_HEADERS if h in response.headers}
    if present:
        fail(
            f"{response.request.url.path} carries no debug headers",
            f"none of {DEBUG_HEADERS}",
            present,
            remedies.DEBUG,
        )


def expect_error_without_trace(response: httpx.Response, allowed: Collection[int]) -> None:
    """A JSON error must be ``{"message": ...}`` only: no exception class, file, line, trace."""
    __tracebackhide__ = True
    expect_status(response, allowed, "the JSON error probe answers an error", remedies.REDEPLOY)
    body = json_body(response, "the JSON error probe answers JSON", remedies.DEBUG)
    leaked = sorted(k for k in TRACE_KEYS if isinstance(body, dict) and k in body)
    if leaked:
        fail(
            "JSON errors carry no exception details",
            "only 'message'",
            f"keys {leaked} in {described(response)}",
            remedies.DEBUG,
        )
