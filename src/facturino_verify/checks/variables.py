"""The app's critical environment variables, as ``printenv`` in the deployment lists them, held
to the runbook's list (``[variables]``) and to what the app shows from outside.

A value is shown only for a name on the critical list whose name does not look secret;
every other value stays out of every message ("set" / "not set"). Unset variables are judged
by what the real app (bloodyteeths/mkfakturi at d5d901d7, Laravel 12) falls back to, so a
deployment relying on a safe default is not reported, and one relying on an unsafe default
(TELESCOPE_ENABLED defaults to true) is, with the file that says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .artisan import plain
from .base import fail, shorten

_LINE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
# Names whose value is a credential (or holds one, like a DSN or a database URL).
SECRET_NAME = re.compile(
    r"KEY|SECRET|PASS|TOKEN|DSN|CREDENTIAL|PRIVATE|AUTH|SALT|SIGNATURE|"
    r"(?:DATABASE|MYSQL|REDIS|PG|POSTGRES|DB|AMQP|MONGO|SENTRY|BROKER)_?URL",
    re.IGNORECASE,
)
NOT_SHOWN = "value not shown: the name looks secret"


@dataclass(frozen=True)
class AppDefault:
    """What the app uses when a variable is unset, and where it says so."""

    value: str | None  # None: null
    source: str


_FRAMEWORK_APP = "Laravel 12's config/app.php (the app's own config/app.php only adds aliases)"
# The real app's fallbacks (file:line at d5d901d7).
APP_DEFAULTS: dict[str, AppDefault] = {
    "APP_ENV": AppDefault("production", _FRAMEWORK_APP),
    "APP_DEBUG": AppDefault("false", _FRAMEWORK_APP),
    "SESSION_LIFETIME": AppDefault("120", "config/session.php:35"),
    "SESSION_SECURE_COOKIE": AppDefault(None, "config/session.php:172 (null: not Secure)"),
    "SESSION_HTTP_ONLY": AppDefault("true", "config/session.php:185"),
    "SESSION_SAME_SITE": AppDefault("lax", "config/session.php:202"),
    "SESSION_DRIVER": AppDefault("database", "config/session.php:21"),
    "CACHE_STORE": AppDefault("file", "config/cache.php:15 (after CACHE_DRIVER)"),
    "QUEUE_CONNECTION": AppDefault("database", "config/queue.php:18-21"),
    "TELESCOPE_ENABLED": AppDefault("true", "config/telescope.php:19"),
}
_FEATURE_DEFAULT = AppDefault("false", "config/features.php")
# The runbook's name for a variable the app reads under another one.
RUNBOOK_NAMES = {"SESSION_SECURE_COOKIE": "SESSION_SECURE"}


def is_secret(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def parse_printenv(text: str) -> dict[str, str] | None:
    """``NAME=VALUE`` lines of ``printenv``; a line that is not one continues the value before it
    (a multi-line value such as a certificate). None when no line has that shape."""
    found: dict[str, str] = {}
    last: str | None = None
    for line in plain(text).splitlines():
        if m := _LINE.match(line):
            last = m["name"]
            found[last] = m["value"]
        elif last is not None:
            found[last] += "\n" + line
    return found or None


def laravel_value(raw: str | None) -> str | None:
    """What Laravel's env() makes of a value: (true)/(false)/(null)/(empty) and their bare
    forms, case-insensitively; None for null."""
    if raw is None:
        return None
    word = raw.strip().lower().strip("()")
    if word in {"true", "false"}:
        return word
    if word == "null":
        return None
    return "" if word == "empty" else raw.strip()


def app_default(name: str, env: Mapping[str, str]) -> AppDefault | None:
    if name == "CACHE_STORE" and "CACHE_DRIVER" in env:
        return AppDefault(laravel_value(env["CACHE_DRIVER"]), "config/cache.php:15 (CACHE_DRIVER)")
    if name == "QUEUE_CONNECTION" and laravel_value(env.get("FEATURE_REDIS_QUEUES")) == "true":
        return AppDefault("redis", "config/queue.php:18-21 (FEATURE_REDIS_QUEUES=true)")
    if name.startswith("FEATURE_"):
        return _FEATURE_DEFAULT
    return APP_DEFAULTS.get(name)


def effective(name: str, env: Mapping[str, str]) -> str | None:
    """The value the app runs with: the variable's, else the app's fallback (None: null or
    no known fallback)."""
    if name in env:
        return laravel_value(env[name])
    default = app_default(name, env)
    return default.value if default else None


def _same(expected: str, seen: str | None) -> bool:
    wanted = laravel_value(expected)
    return seen is not None and wanted is not None and wanted.lower() == seen.lower()


def describe(name: str, env: Mapping[str, str]) -> str:
    """What printenv shows of ``name``, as a message may quote it (never a secret's value)."""
    if name not in env:
        default = app_default(name, env)
        if default is None:
            return f"{name} not set"
        shown = "null" if default.value is None else default.value
        if is_secret(name):
            shown = "its default"
        return f"{name} not set: the app falls back to {shown} ({default.source})"
    if is_secret(name):
        return f"{name} set ({NOT_SHOWN})"
    # One short line, credential shapes masked: a value printenv spread over lines (or a
    # line of the prefix's own chatter glued to it) is not quoted whole.
    first, *rest = env[name].split("\n")
    more = f" (and {len(rest)} more lines, not shown)" if rest else ""
    return f"{name}={shorten(first, 80)}{more}"


def expect_variable(
    env: Mapping[str, str], name: str, expected: str, said_by: str, remedy: str
) -> None:
    """``name`` has the expected value in the deployment's environment (or the app falls back
    to it when unset)."""
    __tracebackhide__ = True
    if _same(expected, effective(name, env)):
        return
    wanted = f"{name} set as {said_by} says" if is_secret(name) else f"{name}={expected}"
    seen = describe(name, env)
    misnamed = RUNBOOK_NAMES.get(name)
    if misnamed is not None and misnamed in env:
        seen += f" ({misnamed} is set, the runbook's name, which the app never reads)"
    fail(f"the deployment's environment has {name} as {said_by} says", wanted, seen, remedy)


def masked_listing(env: Mapping[str, str], shown: frozenset[str]) -> str:
    """printenv as a report may show it: the ``shown`` (critical) names with their values, a
    secret-looking one only as "set", and how many other variables there are (no names: a
    name can be telling, its value never appears)."""
    lines = [describe(name, env) if name in env else f"{name} not set" for name in sorted(shown)]
    others = len(set(env) - shown)
    lines.append(f"({others} other variables, values not shown)")
    return "\n".join(lines)


def expect_hsts_agrees_with_app_env(app_env: str | None, hsts: str | None, remedy: str) -> None:
    """SecurityHeaders.php:52-54 sends Strict-Transport-Security exactly when
    config('app.env') === 'production': what printenv says and what the outside sees agree."""
    __tracebackhide__ = True
    production = app_env == "production"
    if production == (hsts is not None):
        return
    said = f"APP_ENV={app_env}" if app_env is not None else "APP_ENV null"
    if production:
        seen = f"{said} in the environment, but the login page has no Strict-Transport-Security"
    else:
        seen = f"{said} in the environment, but the login page sends Strict-Transport-Security"
    fail(
        "the HSTS header seen from outside agrees with APP_ENV in the deployment",
        "HSTS exactly when APP_ENV=production (app/Http/Middleware/SecurityHeaders.php:52)",
        seen + ": the running app's config is not its environment (a config cached before "
        "the variable changed, a baked .env), or a proxy adds or strips the header",
        remedy,
    )


def expect_debug_headers_agree_with_app_debug(
    app_debug: str | None, debug_headers: Mapping[str, str], remedy: str
) -> None:
    """PerformanceMonitoringMiddleware.php:59-63 adds X-Execution-Time/X-Memory-Usage/
    X-Request-ID when config('app.debug') is on, or a request carries X-Debug-Performance."""
    __tracebackhide__ = True
    debug = app_debug == "true"
    if debug == bool(debug_headers):
        return
    said = f"APP_DEBUG={app_debug}" if app_debug is not None else "APP_DEBUG null"
    if debug:
        seen = f"{said} in the environment, but no debug header from outside"
    else:
        names = ", ".join(sorted(debug_headers))
        seen = (
            f"{said} in the environment, but responses carry {names}: the running app's "
            "config is not its environment (a config cached while debugging, a baked .env), "
            "or something in front adds X-Debug-Performance to requests "
            "(PerformanceMonitoringMiddleware.php:59)"
        )
    fail(
        "the debug headers seen from outside agree with APP_DEBUG in the deployment",
        "debug headers exactly when APP_DEBUG=true",
        seen,
        remedy,
    )
