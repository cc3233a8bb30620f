"""The faults a reference deployment can be started with, and what each one breaks.

A fault is honest: it changes configuration (`env`, written to the app's `.env`), stored
state (database rows, files, certificates) or which processes run. The web app never asks
"is fault X on?"; it reads its configuration and state like the real Laravel app does.
`Deployment` applies the non-`env` effects by name (see `deployment.py`, `seed.py`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from facturino_reference.errors import DeploymentError

# The committed `.env.example` key (contract, preamble): public, so "critically misconfigured".
PUBLIC_EXAMPLE_APP_KEY = "base64:kgk/4DW1vEVy7aEvet5FPp5un6PIGe/so8H0mvoUtW0="


@dataclass(frozen=True)
class Fault:
    """One named fault: what it does and which smoke checks it must trip."""

    name: str
    description: str
    trips: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


_ALL_HTTP = "every HTTP smoke test (e.g. test_up_returns_200, test_health_returns_200)"

FAULTS: tuple[Fault, ...] = (
    Fault("app_down", "web server not started: HTTPS and HTTP ports refuse connections "
          "(PostgreSQL, Redis and the worker still run)", (_ALL_HTTP,)),
    Fault("hung", "HTTPS and HTTP ports accept TCP connections and never answer",
          (_ALL_HTTP + " (by timeout)",)),
    Fault("up_500", "a DiagnosingHealth listener throws, so GET /up answers 500",
          ("test_up_returns_200",), {"HEALTH_DIAGNOSTICS": "fail"}),
    Fault("maintenance_mode", "`artisan down --retry=60`: every route incl. /up is 503 with "
          "Retry-After: 60, custom 503 page, no security headers",
          ("test_up_returns_200", "test_not_in_maintenance_mode", "test_health_returns_200",
           "test_security_headers_present[*]", "test_login_*")),
    Fault("debug_mode", "APP_DEBUG=true: X-Execution-Time/X-Memory-Usage/X-Request-ID on every "
          "response, JSON 500s with exception/trace, /_ignition/health-check answers 200",
          ("test_no_debug_headers", "test_server_error_does_not_leak_trace",
           "test_debug_endpoint_absent[/_ignition/health-check]"), {"APP_DEBUG": "true"}),
    Fault("db_down", "PostgreSQL stopped after setup (sessions live in Redis, so /health "
          "answers 503 with database=false and queues=false; /login needs the DB: 500)",
          ("test_database_connects", "test_health_check_passes[database]",
           "test_health_check_passes[queues]", "test_health_returns_200", "test_login_*",
           "test_migrations_*", "test_queue_*")),
    Fault("redis_down", "Redis stopped after setup: every web-group route (/health, /login, "
          "/ping, /sanctum/csrf-cookie) answers 500; /up and /api/ping stay 200",
          ("test_redis_connects", "test_health_returns_200", "test_ping_returns_ok",
           "test_login_*")),
    Fault("migrations_pending", "the newest migration's row is deleted and its schema change "
          "reverted (audit_logs.company_id NOT NULL again)",
          ("test_newest_migration_applied", "test_all_migrations_applied")),
    Fault("no_hsts", "Strict-Transport-Security is not sent (APP_ENV stays production)",
          ("test_security_header_present[Strict-Transport-Security]",),
          {"SECURITY_HSTS": "false"}),
    Fault("insecure_session_cookie", "SESSION_SECURE_COOKIE and SESSION_HTTP_ONLY off: session "
          "cookie without Secure and HttpOnly (XSRF-TOKEN without Secure)",
          ("test_session_cookie_is_secure", "test_session_cookie_is_httponly"),
          {"SESSION_SECURE_COOKIE": "false", "SESSION_HTTP_ONLY": "false"}),
    Fault("baked_env_defaults", "APP_NAME=InvoiceShelf and APP_ENV=local from the baked .env: "
          "cookie `invoiceshelf_session`, /health environment `local`, no HSTS, backups "
          "under backups/InvoiceShelf/",
          ("test_session_cookie_name", "test_health_environment_is_production",
           "test_security_header_present[Strict-Transport-Security]", "test_backup_*"),
          {"APP_NAME": "InvoiceShelf", "APP_ENV": "local"}),
    Fault("default_app_key", "APP_KEY is the public key from .env.example, so the XSRF-TOKEN "
          "MAC validates with it", ("test_app_key_is_not_the_public_example",),
          {"APP_KEY": PUBLIC_EXAMPLE_APP_KEY}),
    Fault("installer_open", "install marker storage/app/database_created missing: /installation "
          "and /api/v1/installation/* answer 200; /, /login, /admin/* redirect to /installation",
          ("test_installer_is_closed", "test_installer_api_is_closed", "test_login_page_*",
           "test_browser_login_*")),
    Fault("metrics_public", "/metrics served without the bearer token",
          ("test_metrics_requires_auth",), {"METRICS_TOKEN": ""}),
    Fault("partner_mocked_data", "FEATURE_PARTNER_MOCKED_DATA=true: partner API answers the "
          "historical mocked payload (mocked, warning, 12/85000/234/127500/458300)",
          ("test_partner_dashboard_is_not_mocked", "test_partner_commissions_match_database"),
          {"FEATURE_PARTNER_MOCKED_DATA": "true"}),
    Fault("feature_flag_drift", "DB settings feature_flag.mcp_ai_tools=true and "
          "feature_flag.partner_portal=false override the config in bootstrap's feature_flags",
          ("test_feature_flags_match_matrix",)),
    Fault("queue_stuck", "a `default` jobs row reserved 15 minutes ago (never released)",
          ("test_no_stuck_jobs", "test_health_check_passes[queues]", "test_health_returns_200")),
    Fault("failed_jobs_spike", "150 failed_jobs rows failed within the last hour",
          ("test_failed_jobs_below_threshold", "test_health_check_passes[queues]",
           "test_health_returns_200")),
    Fault("tls_expiring", "the server certificate expires in 3 days",
          ("test_tls_certificate_not_expiring",)),
    Fault("no_https_redirect", "the HTTP port serves the app (200) instead of a 301 to https",
          ("test_http_redirects_to_https",), {"HTTP_REDIRECT_HTTPS": "false"}),
    Fault("login_assets_missing", "the JS bundle referenced by /login is absent from the build "
          "(404)", ("test_login_assets_load", "test_browser_login_reaches_dashboard")),
    Fault("health_degraded", "the newest backup zip is 3 days old: /health backup=false, 503",
          ("test_health_check_passes[backup]", "test_health_returns_200",
           "test_newest_backup_is_recent")),
)

FAULTS_BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}


def parse_fault_args(raw: Iterable[str]) -> dict[str, str | None]:
    """`["hung", "slow_dashboard=250"]` -> `{"hung": None, "slow_dashboard": "250"}`.

    Unknown names are rejected with a close-match suggestion, before anything starts.
    """
    parsed: dict[str, str | None] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name not in FAULTS_BY_NAME:
            raise DeploymentError(unknown_fault_message(name))
        parsed[name] = value if sep else None
    return parsed


def unknown_fault_message(name: str) -> str:
    known = sorted(FAULTS_BY_NAME)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown fault '{name}'.{hint} Known: {', '.join(known)}"


def env_overrides(active: Mapping[str, str | None]) -> dict[str, str]:
    """The `.env` changes of all active faults, in registry order."""
    merged: dict[str, str] = {}
    for fault in FAULTS:
        if fault.name in active:
            merged.update(fault.env)
    return merged


def describe_faults() -> str:
    """The text of `facturino-reference faults`."""
    width = max(len(fault.name) for fault in FAULTS)
    lines: list[str] = []
    for fault in FAULTS:
        lines.append(f"{fault.name:<{width}}  {fault.description}")
        lines.append(f"{'':<{width}}  trips: {', '.join(fault.trips)}")
    return "\n".join(lines)
