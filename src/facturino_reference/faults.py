"""The faults a reference deployment can be started with, and what each one breaks.

A fault is honest: it changes configuration (`env`, written to the app's `.env`), stored
state (database rows, files, certificates) or which processes run. The web app never asks
"is fault X on?"; it reads its configuration and state like the real Laravel app does.
`Deployment` applies the non-`env` effects by name (see `deployment.py`, `seed.py`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from facturino_reference.appenv import SUBSCRIPTION_TIERS
from facturino_reference.errors import DeploymentError
from facturino_reference.faults_ops import OPS_FAULT_SPECS

# The committed `.env.example` key (contract, preamble): public, so "critically misconfigured".
PUBLIC_EXAMPLE_APP_KEY = "base64:kgk/4DW1vEVy7aEvet5FPp5un6PIGe/so8H0mvoUtW0="


@dataclass(frozen=True)
class Fault:
    """One named fault: what it does and which smoke checks it must trip.

    A fault with a `default` takes a value (`NAME=VALUE`, a whole number); `{value}` in its
    `env` values is replaced by the given value or the default.
    """

    name: str
    description: str
    trips: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None


# `trips` are patterns of smoke test ids (tests_smoke/, `pytest -m smoke`) in which `*` is the
# only wildcard (brackets are literal, unlike fnmatch; see `trips_match`). Each fault fails
# exactly the matching tests and every other smoke test still passes: measured by running the
# smoke suite against a deployment with that one fault.
# /metrics as anyone asks it (the session's question about it is the admin's, below).
_METRICS = ("test_metrics_anonymous_*", "test_metrics_exposition_*")
# A failed sign-in fails its own check, `test_sign_in_as_<account>_succeeds`; the checks asked in
# that account's session (feature flags, the metrics flag, the partner's data) are then not
# judged (skipped with the reason), so they are in no fault's `trips` that breaks the sign-in.
_HTTP_EVERYTHING = (
    "test_up_*",
    "test_health_*",
    "test_session_cookie_*",
    "test_xsrf_cookie_*",
    "test_security_header_*",
    "test_hsts_*",
    "test_http_redirects_to_https",
    "test_certificate_*",
    "test_debug_endpoint_*",
    "test_no_debug_headers_*",
    "test_json_error_*",
    "test_installer_*",
    "test_login_page_*",
    *_METRICS,
    "test_sign_in_*",
    "test_app_key_*",
)
_NOT_IN_MAINTENANCE = (
    "test_http_redirects_to_https",
    "test_certificate_*",
    "test_no_debug_headers_*",
)
_HTTPS_VERIFIED = (
    *(
        p
        for p in _HTTP_EVERYTHING
        if p not in {"test_http_redirects_to_https", "test_certificate_*"}
    ),
    "test_certificate_is_valid_for_host",
)
_COOKIES = ("test_session_cookie_*", "test_xsrf_cookie_*", "test_app_key_*")
# On a fresh deployment the app writes Redis keys only while serving the run's requests.
_APP_KEYS = "test_redis_holds_keys_the_app_wrote"

# Performance and monitoring faults (tests/test_fault_matrix_perf.py proves what they break in
# the perf and monitoring suites; `trips` are still the smoke tests). Effects outside `.env`:
# deployment.py (worker, users, version.md) and perffaults.py (rows, the queue pause key).
PERF_FAULTS: tuple[Fault, ...] = (
    Fault(
        "slow_dashboard",
        "the dashboard's statistics query takes VALUE ms longer (default 250; the planner lost "
        "the index it needs): /admin/dashboard and /api/v1/dashboard slow down by that much",
        (),
        {"DASHBOARD_STATS_DELAY_MS": "{value}"},
        default="250",
    ),
    Fault(
        "slow_tls",
        "the TLS terminator in front of the app answers each new connection's ClientHello "
        "VALUE ms late (default 800): every TLS handshake is slow, requests on an open "
        "connection are not",
        (),
        {"TLS_HANDSHAKE_DELAY_MS": "{value}"},
        default="800",
    ),
    Fault(
        "error_burst",
        "the build lacks version.md, so GET /api/v1/app/version answers 500; the simulated "
        "users (started with this fault) request it on every page view: well over 5 % of all "
        "requests answer 5xx",
        (),
    ),
    Fault(
        "queue_backlog",
        "`queue:pause database:default` left on and VALUE jobs (default 1500) waiting on "
        "`default` since 15 minutes: the backlog is over every threshold and does not drain",
        ("test_pending_jobs_below_threshold[*]",),
        default="1500",
    ),
    Fault(
        "queue_worker_dead",
        "the queue worker process is not running and 5 jobs were dispatched after it died: "
        "nothing drains (the rows are young, nothing is reserved, /health stays healthy)",
        (),
    ),
    Fault(
        "metrics_broken",
        "the metrics controller reads bank-sync errors from telescope_entries, as d5d901d7 "
        "does, and this database has no such table: the QueryException is caught, so /metrics "
        "answers 500 text/plain '# Error collecting metrics' with # Message/# File/# Class "
        "lines (with MK_METRICS_CONTROLLER=upstream the earlier clear() Error wins: 500 page)",
        (
            "test_metrics_anonymous_access_matches_expectation",
            "test_metrics_exposition_has_expected_families",
        ),
        {"METRICS_BANKING_SOURCE": "telescope_entries"},
    ),
    Fault(
        "metrics_malformed",
        "/metrics formats numbers for the mk locale (decimal comma, e.g. 1234,50): the "
        "exposition no longer parses (prometheus-client and Prometheus reject it)",
        ("test_metrics_exposition_has_expected_families",),
        {"METRICS_NUMBER_FORMAT": "mk"},
    ),
)

# /health's sub-checks and the app's use of Redis (issue 10). Under `--profile default` the
# fixed HealthController reports each fault below; under `--profile upstream` the real one
# cannot (its lines are named in each description), and `trips` are the default profile's.
# Effects outside `.env`: deployment.py (the signer file) and dbfaults.py (rows).
_HEALTH_503 = ("test_health_returns_200", "test_health_status_is_healthy")
HEALTH_FAULTS: tuple[Fault, ...] = (
    Fault(
        "signer_cert_missing",
        "the XML signer's certificate (MK_XML_CERTIFICATE_PATH, storage/certificates/"
        "certificate.pem) is missing on the server: fixed /health signer false (503); the "
        "real controller keeps it true ('might not be uploaded yet', HealthController.php:139)",
        (*_HEALTH_503, "test_health_check_passes[signer]"),
    ),
    Fault(
        "company_certificate_expiring",
        "company 1's active QES certificate (certificates.valid_to) expires in 10 days: fixed "
        "/health certificates false (503); the real controller asks for certificates."
        "expires_at, a column no migration creates (HealthController.php:304), and stays true",
        (
            *_HEALTH_503,
            "test_health_check_passes[certificates]",
            "test_company_certificates_do_not_expire_within_30_days",
        ),
    ),
    Fault(
        "bank_sync_failing",
        "12 SyncBankTransactions jobs failed over the last 24 h (one every 2 h; too few per "
        "hour for /health's queue check): fixed /health bank_sync false (503); the real "
        "controller counts Telescope log entries, which nothing writes in production "
        "(HealthController.php:182), and stays true",
        (
            *_HEALTH_503,
            "test_health_check_passes[bank_sync]",
            "test_bank_sync_jobs_are_not_failing",
        ),
    ),
    Fault(
        "paddle_unusable",
        "Paddle is configured (PADDLE_SELLER_ID, PADDLE_API_KEY, PADDLE_CLIENT_SIDE_TOKEN, "
        "PADDLE_WEBHOOK_SECRET) with a revoked API key: Paddle's API answers 403; fixed "
        "/health paddle false (503); the real controller returns true on every path "
        "(HealthController.php:359, 377, 385)",
        (*_HEALTH_503, "test_health_check_passes[paddle]"),
        {
            "PADDLE_SELLER_ID": "24680",
            "PADDLE_API_KEY": "pdl_sdbx_apikey_revoked_0000000000000000",
            "PADDLE_CLIENT_SIDE_TOKEN": "test_reference0000000000000000",
            "PADDLE_WEBHOOK_SECRET": "pdl_ntfset_reference_secret",
        },
    ),
    Fault(
        "redis_queue_db_invalid",
        "the app queues on Redis (QUEUE_CONNECTION=redis) with REDIS_QUEUE_DB=16, a database "
        "Redis does not have (0-15): every dispatch fails, the cache and sessions still work; "
        "fixed /health redis (every connection the app uses) false (503); the real one tests "
        "only the cache store (HealthController.php:69-75) and stays true; /metrics cannot "
        "count the queue (500)",
        (*_HEALTH_503, "test_health_check_passes[redis]", *_METRICS),
        {"QUEUE_CONNECTION": "redis", "REDIS_QUEUE_DB": "16"},
    ),
    Fault(
        "baked_cache_drivers",
        "the deploy's environment lacks CACHE_STORE and SESSION_DRIVER, so the image's baked "
        ".env.example values apply (database): cache entries and sessions go to PostgreSQL's "
        "cache and sessions tables and the app writes nothing to Redis, though the runbook's "
        "environment says it uses Redis for both",
        ("test_redis_holds_keys_the_app_wrote",),
        {"CACHE_STORE": "database", "SESSION_DRIVER": "database"},
    ),
)

# Feature-flow faults (issue 3; tests/test_fault_matrix_features.py proves what they break in
# the features suite; `trips` are the smoke tests each fails, measured). Effects outside `.env`:
# deployment.py (signer files, webhook route file, the worker, the PSD2 bank) and
# featurefaults.py (rows, media files, the cache store).
FEATURE_FAULTS: tuple[Fault, ...] = (
    Fault(
        "login_broken",
        "the admin's stored password hash is for another password (a reset overwrote it): "
        "the valid credentials get 422 `These credentials do not match our records.` (smoke: "
        "the admin's session checks are then not judged)",
        ("test_sign_in_as_admin_succeeds",),
    ),
    Fault(
        "csrf_misconfigured",
        "SESSION_DOMAIN=.facturino.mk: the session and XSRF-TOKEN cookies are set for another "
        "domain, clients drop them, and POST /api/v1/auth/login answers 419 `CSRF token "
        "mismatch.` (the browser stays on /login; smoke: the session checks are not judged)",
        ("test_sign_in_*",),
        {"SESSION_DOMAIN": ".facturino.mk"},
    ),
    Fault(
        "pdf_broken",
        "PDF_DRIVER=gotenberg with GOTENBERG_URL=${NLB_API_URL} (a copy/paste slip): the "
        "'conversion' is answered 200 by the bank sandbox's HTML front page, so "
        "/invoices/pdf/{hash} answers 200 application/pdf with an HTML body",
        (),
        {"PDF_DRIVER": "gotenberg", "GOTENBERG_URL": "${NLB_API_URL}"},
    ),
    Fault(
        "pdf_wrong_invoice",
        "the media disk kept the PDFs of a previous database (media rows and files for the "
        "next 40 invoice ids): a new invoice's PDF URL serves an old invoice's PDF",
        (),
    ),
    Fault(
        "invoice_saved_as_sent",
        "the invoice store request behaves as if `invoiceSend` were always present "
        "(MK_INVOICE_DEFAULT_STATUS=SENT): new invoices are saved as SENT, which mails them "
        "and posts them to the ledger",
        (),
        {"MK_INVOICE_DEFAULT_STATUS": "SENT"},
    ),
    Fault(
        "xml_unsigned",
        "the signer's private key is missing and the export names the file after the requested "
        "format (the pre-HEAD ExportXmlController): `ubl_signed` answers "
        "invoice-<n>-ubl-signed.xml without any ds:Signature",
        (),
        {"MK_XML_EXPORT_NAMING": "request"},
    ),
    Fault(
        "xml_signer_key_missing",
        "the signer's private key is missing (contract 21): `ubl_signed` silently answers the "
        "unsigned document as invoice-<n>-ubl.xml",
        (),
    ),
    Fault(
        "xml_tampered",
        "a post-signing step rewrites the signed export's PayableAmount in whole denars: the "
        "signature no longer covers the bytes sent (digest mismatch); the plain UBL export is "
        "untouched",
        (),
        {"MK_XML_OUTPUT_FILTER": "round_amounts"},
    ),
    Fault(
        "xml_weak_algorithm",
        "the signer uses RSA-SHA1 with a SHA-1 digest (a valid but weak signature)",
        (),
        {"MK_XML_SIGNATURE_METHOD": "rsa-sha1", "MK_XML_DIGEST_METHOD": "sha1"},
    ),
    Fault(
        "xml_schema_invalid",
        "an older UBL mapper writes DocumentCurrencyCode before InvoiceTypeCode: the export "
        "no longer validates against the OASIS UBL 2.1 schema (content is unchanged)",
        (),
        {"MK_UBL_ELEMENT_ORDER": "legacy"},
    ),
    Fault(
        "signer_cert_expiring",
        "the XML signer's certificate (storage/certificates/certificate.pem) expires in 5 "
        "days; /health's signer check (> 7 days) turns false",
        (
            "test_health_returns_200",
            "test_health_status_is_healthy",
            "test_health_check_passes[signer]",
        ),
    ),
    Fault(
        "banking_tier_downgraded",
        "the test company's plan was downgraded to Standard (a billing data fix): every "
        "/api/v1/banking/* route answers 402 `upgrade_required`",
        (),
    ),
    Fault(
        "bank_token_expired",
        "the bank's OAuth token expired and nobody re-authorised: SyncBankTransactions finds "
        "no valid bank_tokens row and silently imports nothing (no failed job; contract 7)",
        (),
    ),
    Fault(
        "admin_is_super_admin",
        "the verify admin account has the role 'super admin' (InvoiceShelf's installer gives "
        "the first user that role): it passes the partner scope and gets the 200 aggregate "
        "with is_super_admin (PartnerScopeMiddleware.php:28), so it cannot show the 403",
        (),
    ),
    Fault(
        "bank_sync_stale",
        "the scheduler stopped 3 days ago: the 4-hourly sync-bank-transactions never ran "
        "since, so what the bank booked since was never imported (the newest psd2 import is "
        "4 days old); the API's last_sync_at (the account's updated_at) looks as it always does",
        (),
    ),
    Fault(
        "bank_worker_dead",
        "the queue worker is not running: a bank sync's job stays queued on `banking`",
        (),
    ),
    Fault(
        "bank_sync_fails",
        "the bank's PSD2 API answers 500: SyncBankTransactions fails its 3 tries (backoff "
        "1 s, 2 s) and lands in failed_jobs; no transactions are imported",
        (),
    ),
    Fault(
        "stripe_prices_missing",
        "the STRIPE_PRICE_* variables are missing from the environment: the subscription "
        "endpoint offers no plan and checkout answers 400 `Invalid tier or price not "
        "configured`",
        (),
        {
            f"STRIPE_PRICE_{tier.upper()}_{interval.upper()}": ""
            for tier in SUBSCRIPTION_TIERS
            for interval in ("monthly", "yearly")
        },
    ),
    Fault(
        "webhook_unrouted",
        "the build lacks routes/webhooks.php: POST /webhooks/paddle|stripe|cpay answer 404",
        (),
    ),
    Fault(
        "webhook_accepts_unsigned",
        "STRIPE_WEBHOOK_SECRET and CPAY_SECRET_KEY unset: /webhooks/stripe and /webhooks/cpay "
        "accept unsigned payloads with 200 and store a gateway_webhook_events row",
        (),
        {"STRIPE_WEBHOOK_SECRET": "", "CPAY_SECRET_KEY": ""},
    ),
    Fault(
        "partner_commissions_wrong",
        "a stale partner-dashboard cache entry (written before the last clawback, kept a day): "
        "total_earnings and pending_payout disagree with affiliate_events",
        (),
    ),
    Fault(
        "partner_scope_open",
        "the partner route group lost its partner-scope middleware (MK_PARTNER_SCOPE=off): "
        "any signed-in user reads the partner API (200 with zero figures) instead of 403",
        (),
        {"MK_PARTNER_SCOPE": "off"},
    ),
    Fault(
        "partner_commission_fields_missing",
        "a release brought back the upstream commissions mapping "
        "(MK_PARTNER_COMMISSION_FIELDS=upstream): /api/v1/partner/commissions sends event_type "
        "and no type/status, so the dashboard's Status badges show the raw key "
        "partner_dashboard.status_undefined",
        (),
        {"MK_PARTNER_COMMISSION_FIELDS": "upstream"},
    ),
    Fault(
        "partner_forbidden",
        "the partner record is inactive: the partner API answers 403 `Partner account is "
        "inactive`; /admin/partner/dashboard (the shell) shows the SPA's empty state, whose "
        "store turns the refused calls into zeros",
        ("test_partner_data_is_not_mocked[*]",),
    ),
)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "app_down",
        "web server not started: HTTPS and HTTP ports refuse connections "
        "(PostgreSQL, Redis and the worker still run)",
        (*_HTTP_EVERYTHING, _APP_KEYS),
    ),
    Fault(
        "hung",
        "HTTPS and HTTP ports accept TCP connections and never answer (timeouts)",
        (*_HTTP_EVERYTHING, _APP_KEYS),
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
        (*(p for p in _HTTP_EVERYTHING if p not in _NOT_IN_MAINTENANCE), _APP_KEYS),
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
            *_METRICS,
            "test_sign_in_*",
            *_COOKIES,
        ),
    ),
    Fault(
        "redis_down",
        "Redis stopped after setup: every web-group route (sessions live in "
        "Redis) answers 500; /up and /api/* stay up",
        (
            "test_redis_*",
            "test_jobs_are_only_on_the_configured_queue_connection",
            "test_health_*",
            "test_installer_page_redirects_away",
            "test_login_page_*",
            *_METRICS,
            "test_sign_in_*",
            *_COOKIES,
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
        (*_HTTPS_VERIFIED, _APP_KEYS),
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
        "health_degraded",
        "the newest backup zip is 3 days old: /health backup=false, 503",
        (
            "test_health_check_passes[backup]",
            "test_health_returns_200",
            "test_health_status_is_healthy",
        ),
    ),
    *PERF_FAULTS,
    *HEALTH_FAULTS,
    *FEATURE_FAULTS,
    *(Fault(*spec) for spec in OPS_FAULT_SPECS),
)

FAULTS_BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}


def trips_match(pattern: str, test_id: str) -> bool:
    """Whether a `trips` pattern covers a test id (`*` matches any run of characters)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, test_id) is not None


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
        if sep:
            _check_value(FAULTS_BY_NAME[name], value)
        parsed[name] = value if sep else None
    return parsed


def _check_value(fault: Fault, value: str) -> None:
    if fault.default is None:
        raise DeploymentError(f"fault '{fault.name}' takes no value (got '{fault.name}={value}')")
    if not value.isdigit():
        raise DeploymentError(
            f"fault '{fault.name}' takes a whole number (e.g. {fault.name}={fault.default}), "
            f"got '{value}'"
        )


# Names that no longer describe anything the real app can do, and what to use instead.
RETIRED_FAULTS = {
    "metrics_public": "the real app has no auth on /metrics to lose (routes/web.php:170 gates "
    "it only on the monitoring feature), so 'served without the bearer token' describes "
    "every deployment with monitoring on. For /metrics gone wrong use 'monitoring_disabled' "
    "(403 Feature not available), 'metrics_broken' (500) or 'metrics_malformed'.",
}


def unknown_fault_message(name: str) -> str:
    if name in RETIRED_FAULTS:
        return f"Fault '{name}' was retired: {RETIRED_FAULTS[name]}"
    known = sorted(FAULTS_BY_NAME)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown fault '{name}'.{hint} Known: {', '.join(known)}"


def env_overrides(active: Mapping[str, str | None]) -> dict[str, str]:
    """The `.env` changes of all active faults, in registry order."""
    merged: dict[str, str] = {}
    for fault in FAULTS:
        if fault.name in active:
            value = fault_value(fault.name, active)
            merged.update({k: v.replace("{value}", value) for k, v in fault.env.items()})
    return merged


def fault_value(name: str, active: Mapping[str, str | None]) -> str:
    """The value an active fault was given, or its default ("" for faults without one)."""
    given = active.get(name)
    return given if given else FAULTS_BY_NAME[name].default or ""
