"""The faults the smoke gate was built around: the web server, the front end, cookies, TLS,
/health, /metrics, migrations, feature flags and the queue, and the rows some of them change.

`trips` are the smoke tests each one fails (tests/test_fault_matrix.py proves it).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import psycopg

from facturino_reference.faults.model import (
    APP_KEYS,
    COOKIES,
    HTTP_EVERYTHING,
    HTTPS_VERIFIED,
    METRICS,
    NOT_IN_MAINTENANCE,
    Fault,
)
from facturino_reference.jobs import backfill_tax_returns_payload, make_payload
from facturino_reference.mysqlconn import MySQLConnection

Conn = psycopg.Connection[Any] | MySQLConnection  # mysqlconn on `up --db mysql`

# The committed `.env.example` key (contract, preamble): public, so "critically misconfigured".
PUBLIC_EXAMPLE_APP_KEY = "base64:kgk/4DW1vEVy7aEvet5FPp5un6PIGe/so8H0mvoUtW0="

FAULTS: tuple[Fault, ...] = (
    Fault(
        "app_down",
        "web server not started: HTTPS and HTTP ports refuse connections "
        "(PostgreSQL, Redis and the worker still run)",
        (*HTTP_EVERYTHING, APP_KEYS),
    ),
    Fault(
        "hung",
        "HTTPS and HTTP ports accept TCP connections and never answer (timeouts)",
        (*HTTP_EVERYTHING, APP_KEYS),
    ),
    Fault(
        "up_500",
        "a DiagnosingHealth listener throws, so GET /up answers 500",
        ("test_up_returns_200_application_up",),
        {"HEALTH_DIAGNOSTICS": "fail"},
    ),
    Fault(
        "maintenance_mode",
        "`artisan down --retry=60`: every route incl. /up is 503 with "
        "Retry-After: 60, custom 503 page, no security headers (HTTP->HTTPS redirect and TLS "
        "are in front of the app and still work)",
        (*(p for p in HTTP_EVERYTHING if p not in NOT_IN_MAINTENANCE), APP_KEYS),
    ),
    Fault(
        "debug_mode",
        "APP_DEBUG=true: X-Execution-Time/X-Memory-Usage/X-Request-ID on every "
        "response, JSON errors with exception/file/line/trace, /_ignition/health-check 200",
        (
            "test_no_debug_headers_on_ordinary_responses[*]",
            "test_json_error_carries_no_exception_trace",
            "test_debug_endpoint_is_not_served[/_ignition/health-check]",
        ),
        {"APP_DEBUG": "true"},
    ),
    Fault(
        "db_down",
        "PostgreSQL stopped after setup: /health 503 (database, queues false; bank_sync and "
        "certificates too where the controller is fixed); routes that read the DB (/login's "
        "install check, bootstrap, partner) answer 500",
        (
            "test_database_answers_select_1",
            "test_newest_expected_migration_has_run",
            "test_no_migration_is_pending",
            "test_no_job_reserved_for_more_than_10_minutes[*]",
            "test_pending_jobs_below_threshold[*]",
            "test_failed_jobs_last_hour_below_threshold",
            "test_jobs_are_only_on_the_configured_queue_connection",
            "test_company_certificates_do_not_expire_within_30_days",
            "test_bank_sync_jobs_are_not_failing",
            "test_health_returns_200",
            "test_health_status_is_healthy",
            "test_health_check_passes[database]",
            "test_health_check_passes[queues]",
            "test_health_check_passes[bank_sync]",
            "test_health_check_passes[certificates]",
            "test_installer_*",
            "test_login_page_*",
            *METRICS,
            "test_sign_in_*",
            *COOKIES,
            "test_deployment_reports_the_expected_release",  # its channel setting is a query
        ),
    ),
    Fault(
        "redis_down",
        "Redis stopped after setup: every web-group route (sessions live in "
        "Redis) answers 500; /up and /api/ping stay up; /api/v1/app/version reads its "
        "setting through the cache (CACHE_STORE=redis): 500",
        (
            "test_redis_*",
            "test_deployment_reports_the_expected_release",
            "test_jobs_are_only_on_the_configured_queue_connection",
            "test_health_*",
            "test_installer_page_redirects_away",
            "test_login_page_*",
            *METRICS,
            "test_sign_in_*",
            *COOKIES,
        ),
    ),
    Fault(
        "migrations_pending",
        "the newest migration's row is deleted and its schema change "
        "reverted (audit_logs.company_id NOT NULL again)",
        ("test_newest_expected_migration_has_run", "test_no_migration_is_pending"),
    ),
    Fault(
        "older_migration_pending",
        "an older migration with a non-standard name "
        "(2025_08_52_add_linked_fields_to_bank_transactions) never ran; the newest did",
        ("test_no_migration_is_pending",),
    ),
    Fault(
        "no_hsts",
        "Strict-Transport-Security is not sent (APP_ENV stays production)",
        ("test_hsts_matches_app_env",),
        {"SECURITY_HSTS": "false"},
    ),
    Fault(
        "insecure_session_cookie",
        "SESSION_SECURE_COOKIE and SESSION_HTTP_ONLY off: session "
        "cookie without Secure and HttpOnly (XSRF-TOKEN without Secure)",
        ("test_session_cookie_secure_flag", "test_session_cookie_http_only_flag"),
        {"SESSION_SECURE_COOKIE": "false", "SESSION_HTTP_ONLY": "false"},
    ),
    Fault(
        "baked_env_defaults",
        "APP_NAME=InvoiceShelf and APP_ENV=local from the baked .env: "
        "cookie `invoiceshelf_session`, /health environment `local`, no HSTS, backups "
        "under backups/InvoiceShelf/",
        (
            "test_session_cookie_*",
            "test_health_reports_expected_environment",
            "test_hsts_matches_app_env",
        ),
        {"APP_NAME": "InvoiceShelf", "APP_ENV": "local"},
    ),
    Fault(
        "default_app_key",
        "APP_KEY is the public key from .env.example, so the XSRF-TOKEN MAC validates with it",
        ("test_app_key_is_not_the_public_example",),
        {"APP_KEY": PUBLIC_EXAMPLE_APP_KEY},
    ),
    Fault(
        "installer_open",
        "install marker storage/app/database_created missing: /installation "
        "and /api/v1/installation/* answer 200; /, /login, /admin/* redirect to /installation "
        "(the same SPA shell, its build served: the installer is drawn, not the login form)",
        (
            "test_installer_*",
            "test_login_page_serves_the_spa_shell",
            "test_login_page_shows_login_form",
        ),
    ),
    Fault(
        "env_file_public",
        "a deploy step copied .env into public/: nginx serves /.env (APP_KEY, the database "
        "and Redis passwords, every API key) as a static file",
        ("test_private_file_is_not_served[/.env]",),
    ),
    Fault(
        "monitoring_disabled",
        "FEATURE_MONITORING=false in the environment while Settings -> Feature flags still has "
        "monitoring on (feature_flag.monitoring = true in the settings table): bootstrap "
        "reports the flag on, but the route reads only config (FeatureMiddleware), so "
        "/metrics and /metrics/health answer 403 'Feature not available'",
        (
            "test_metrics_anonymous_access_matches_expectation",
            "test_metrics_exposition_has_expected_families",
            "test_metrics_route_agrees_with_monitoring_flag",
        ),
        {"FEATURE_MONITORING": "false"},
    ),
    Fault(
        "partner_mocked_data",
        "FEATURE_PARTNER_MOCKED_DATA=true: partner API answers the "
        "historical mocked payload (mocked, warning, 12/85000/234/127500/458300)",
        ("test_partner_data_is_not_mocked[*]",),
        {"FEATURE_PARTNER_MOCKED_DATA": "true"},
    ),
    Fault(
        "feature_flag_drift",
        "DB settings feature_flag.mcp_ai_tools=true and "
        "feature_flag.partner_portal=false override the config in bootstrap's feature_flags",
        ("test_feature_flags_match_expected_matrix",),
    ),
    Fault(
        "queue_stuck",
        "a `default` job reserved 15 minutes ago and never released: a jobs row, or with "
        "`--queue-connection redis` a payload in facturino_queues:default:reserved",
        (
            "test_no_job_reserved_for_more_than_10_minutes[*]",
            "test_health_returns_200",
            "test_health_status_is_healthy",
            "test_health_check_passes[queues]",
        ),
    ),
    Fault(
        "failed_jobs_spike",
        "150 bank sync jobs (SyncBankTransactions) failed within the last hour",
        (
            "test_failed_jobs_last_hour_below_threshold",
            "test_bank_sync_jobs_are_not_failing",
            "test_health_returns_200",
            "test_health_status_is_healthy",
            "test_health_check_passes[queues]",
            "test_health_check_passes[bank_sync]",
        ),
    ),
    Fault(
        "tls_expiring",
        "the server certificate expires in 3 days",
        ("test_certificate_does_not_expire_soon",),
    ),
    Fault(
        "tls_wrong_host",
        "the server certificate is for app.facturino.mk (signed by the trusted local CA), "
        "not localhost: hostname verification fails. Every verified HTTPS check fails with "
        "it; with `[target] verify_tls = false` only the certificate check does",
        (*HTTPS_VERIFIED, APP_KEYS),
    ),
    Fault(
        "unexpected_issuer",
        "the server certificate is issued by another CA (O=Unexpected Issuer Ltd, in the "
        "trusted ca.pem): valid and trusted, but not from the issuer the environment expects",
        ("test_certificate_is_issued_by_expected_ca",),
    ),
    Fault(
        "wrong_cname",
        "the DNS provider's www CNAME points at parked.facturino.invalid (a host of the past), "
        "not at the app's host; the app itself still answers",
        ("test_dns_cname_points_at_the_app*",),
    ),
    Fault(
        "dns_a_missing",
        "the DNS provider lost the app host's A record (its name is NXDOMAIN at the "
        "deployment's DNS server); the suite reaches the app by its address all the same",
        ("test_dns_app_host_has_a_record",),
    ),
    Fault(
        "no_https_redirect",
        "the HTTP port serves the app (200) instead of a 301 to https",
        ("test_http_redirects_to_https",),
        {"HTTP_REDIRECT_HTTPS": "false"},
    ),
    Fault(
        "login_assets_missing",
        "the SPA's entry chunk (main-*.js) referenced by the shell is absent from the build "
        "(404): the shell still answers, the front end never starts, no form is drawn",
        ("test_login_page_js_bundle_is_served", "test_login_page_shows_login_form"),
    ),
    Fault(
        "stale_release",
        "the deploy did not go out: the previous build still serves, and its version.md says "
        "2.1.0, so GET /api/v1/app/version reports the old release (everything else is healthy)",
        ("test_deployment_reports_the_expected_release",),
    ),
    Fault(
        "health_degraded",
        "the newest backup zip is 3 days old: /health backup=false, 503",
        (
            "test_health_check_passes[backup]",
            "test_health_returns_200",
            "test_health_status_is_healthy",
        ),
    ),
)


def migrations_pending(conn: Conn) -> None:
    """Forget the newest migration and undo what it did, as if it never ran."""
    row = conn.execute("SELECT max(migration) FROM migrations").fetchone()
    newest = row[0] if row else None
    conn.execute("DELETE FROM migrations WHERE migration = %s", (newest,))
    if newest == "2026_08_18_000001_make_audit_logs_company_id_nullable":
        if isinstance(conn, MySQLConnection):  # MySQL restates the column's type to change it
            conn.execute("ALTER TABLE audit_logs MODIFY company_id int NOT NULL")
        else:
            conn.execute("ALTER TABLE audit_logs ALTER COLUMN company_id SET NOT NULL")


# Not the newest, and one of the four names outside Laravel's usual date_time_name pattern.
OLDER_PENDING_MIGRATION = "2025_08_52_add_linked_fields_to_bank_transactions"


def older_migration_pending(conn: Conn) -> None:
    """An older migration never ran (a deploy that skipped it, a failed `migrate` retried past
    it): its row is missing while the newest one ran. (The reference's bank_transactions has no
    linked_type/linked_id/reconciled_at columns, so there is no schema change to revert.)"""
    conn.execute("DELETE FROM migrations WHERE migration = %s", (OLDER_PENDING_MIGRATION,))


def feature_flag_drift(conn: Conn) -> None:
    """DB toggles (Settings -> Feature flags) win over config in Setting::getFeatureFlags()."""
    conn.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) VALUES "
        "('feature_flag.mcp_ai_tools', 'true', now(), now()), "
        "('feature_flag.partner_portal', 'false', now(), now())"
    )


def monitoring_disabled(conn: Conn) -> None:
    """The flag switched on in Settings (a DB toggle) while FEATURE_MONITORING is false."""
    conn.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) VALUES "
        "('feature_flag.monitoring', 'true', now(), now())"
    )


def queue_stuck(conn: Conn) -> None:
    """A job reserved 15 minutes ago by a worker that never finished or released it."""
    now = int(time.time())
    conn.execute(
        "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
        "VALUES ('default', %s, 1, %s, %s, %s)",
        (backfill_tax_returns_payload(), now - 900, now - 905, now - 905),
    )


def failed_jobs_spike(conn: Conn) -> None:
    """150 jobs that failed within the last hour (the /health threshold is 100)."""
    exception = (
        "Illuminate\\Http\\Client\\ConnectionException: cURL error 28: Operation timed out "
        "after 30001 milliseconds in /var/www/html/vendor/laravel/framework/src/Illuminate/"
        "Http/Client/PendingRequest.php:1566"
    )
    rows = []
    for index in range(150):
        payload = json.loads(make_payload("sync_bank_transactions"))
        payload["displayName"] = "App\\Jobs\\SyncBankTransactions"
        rows.append((str(uuid.uuid4()), "banking", json.dumps(payload), exception, index * 20))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, failed_at) "
            "VALUES (%s, 'database', %s, %s, %s, "
            "(now() at time zone 'UTC') - make_interval(secs => %s))",
            rows,
        )


ROW_EFFECTS = {
    "migrations_pending": migrations_pending,
    "older_migration_pending": older_migration_pending,
    "feature_flag_drift": feature_flag_drift,
    "monitoring_disabled": monitoring_disabled,
    "queue_stuck": queue_stuck,
    "failed_jobs_spike": failed_jobs_spike,
}

# Faults about the queue's own state: on the redis connection perf.py puts it in Redis.
DATABASE_QUEUE_ONLY = frozenset({"queue_stuck"})


def apply_db(conn: Conn, active: Mapping[str, str | None], connection: str = "database") -> None:
    """Change the rows of the active faults above (after seeding)."""
    for name, change in ROW_EFFECTS.items():
        if name in active and (connection == "database" or name not in DATABASE_QUEUE_ONLY):
            change(conn)
