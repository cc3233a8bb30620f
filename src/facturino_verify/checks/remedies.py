"""What to do when a check fails: the runbook's Common Issues and rollback scenarios, as text.

Kept in one place so every message points at the same, reviewed advice.
"""

from __future__ import annotations

REDEPLOY = (
    "bad deployment: redeploy the last known good release "
    "(`railway status`, `railway rollback <deployment-id>`)"
)
SERVER_ERROR = (
    "500 Internal Server Error: check `railway logs --follow` for a missing .env variable, "
    "a failed database connection or storage permissions "
    "(`railway run chmod -R 775 storage bootstrap/cache`); if it persists, " + REDEPLOY
)
MAINTENANCE = "maintenance mode is on: `railway run php artisan up` once the window is over"
DATABASE = (
    "database unreachable: check DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD and "
    "`railway run php artisan db:show`; if the release broke it, " + REDEPLOY
)
MIGRATIONS = (
    "migrations pending or missing: `railway run php artisan migrate:status`, then "
    "`railway run php artisan migrate --force`; if a migration failed, restore the backup "
    "(rollback scenario 2 prints the command for the database's engine: `psql < backup.sql` on "
    "PostgreSQL, `gunzip | mysql` on MySQL) and `php artisan migrate:rollback --step=1`"
)
REDIS = (
    "Redis unreachable or not round-tripping: check REDIS_HOST/REDIS_PORT/REDIS_PASSWORD and "
    "try `Cache::put('deployment_test', now())` in `railway run php artisan tinker`"
)
QUEUE = (
    "queue not processing: `railway run php artisan queue:restart`, check "
    "`supervisorctl status`, process one job with `railway run php artisan queue:work --once`"
)
FAILED_JOBS = "jobs are failing: inspect `php artisan queue:failed` and the logs before retrying"
HEALTH = "a /health subsystem is down: see that subsystem's check for the fix; " + SERVER_ERROR


def health_caused_by(subsystems: list[str]) -> str:
    """/health failed only because of named sub-checks: their checks carry the fix (a stale
    backup is not fixed by redeploying)."""
    if not subsystems:
        return HEALTH
    named = ", ".join(f"test_health_check_passes[{name}]" for name in subsystems)
    return f"caused by /health's {', '.join(subsystems)} check(s): {named} say(s) what to fix"


BACKUP = "backups are stale: check the scheduler and `railway run php artisan backup:list`"
TLS = (
    "certificate problem: Railway provisions Let's Encrypt certificates automatically; check the "
    "domain's DNS (A/CNAME) and the certificate status in the Railway dashboard"
)
# The runbook's Domain Configuration. Production at d5d901d7 runs on a Hetzner VPS, where
# www.facturino.mk serves the Next.js marketing site (.claude/CLAUDE.md) from the same host.
DNS_A = (
    "at the DNS provider, set the A record of the app's host to the server's address (the "
    "runbook: Type A, Name app, Value the Railway IP or CNAME target; on the Hetzner VPS its IP); "
    "allow for the record's TTL before re-running"
)
DNS_CNAME = (
    "at the DNS provider, point the CNAME (the runbook: Type CNAME, Name www, Value "
    "app.facturino.mk) at the app's host, or set [dns] cnames to what this deployment really uses"
)
DNS_RESOLVER = (
    "the resolver did not answer: check that the domain's name servers are up (the DNS "
    "provider's status page, `dig @<server> <name>`) and that [dns] resolver is the right server"
)
TLS_ISSUER = (
    "the certificate was not issued by the expected CA: check which certificate the proxy serves "
    "(Railway/Caddy/certbot renew with Let's Encrypt) and remove a manually installed one, or set "
    "[expect.tls] issuer_organization to the CA this deployment uses"
)
HTTPS_REDIRECT = "plain HTTP is served: force HTTPS at the proxy (Railway domain settings / nginx)"
HEADERS = (
    "security headers missing or wrong: the SecurityHeaders middleware or the proxy in front of "
    "the app changed; HSTS is sent only with APP_ENV=production"
)
COOKIES = (
    "session cookie flags wrong: set SESSION_SECURE_COOKIE=true, SESSION_HTTP_ONLY=true, "
    "SESSION_SAME_SITE=lax (runbook SEC-01-03) and redeploy"
)
BAKED_ENV = (
    "the image's baked .env defaults are in use: set APP_NAME, APP_ENV=production, APP_DEBUG=false "
    "and APP_KEY in the deployment's environment variables and redeploy"
)
DEBUG = (
    "debug mode is on: set APP_DEBUG=false (and APP_ENV=production) and redeploy; critical bug "
    "procedure: `railway run php artisan down`, roll back, hotfix"
)
PRIVATE_FILE = (
    "the web server serves a file outside public/: point nginx's root at public/, add "
    "`location ~ /\\. { deny all; }`, remove the copy, redeploy; then rotate every secret the "
    "file held (APP_KEY, database, Redis, API keys)"
)
APP_KEY = (
    "the public example APP_KEY is in use: generate a new key (`php artisan key:generate --show`), "
    "set APP_KEY in the deployment's variables and redeploy; rotate sessions"
)
INSTALLER = (
    "the installer is open: restore storage/app/database_created and settings.profile_complete, "
    "or put the app in maintenance mode (`railway run php artisan down`) until fixed"
)
LOGIN = (
    "the login page is broken: check that the build ran `npm run build` and that /build is deployed"
)
BROWSER = (
    "Chromium could not start for the rendered-page check: install Debian's chromium (or set "
    "[browser] executable_path), or deny the capability where no browser can run "
    "([allow] browser = false)"
)
METRICS = (
    "/metrics exposure differs from the expectation: set FEATURE_MONITORING / PROMETHEUS_ENABLED "
    "and put /metrics behind admin auth as the runbook requires"
)
# The real app has no auth on /metrics (routes/web.php:170): only a proxy can add it.
METRICS_AUTH = (
    "the app itself has no auth on /metrics (routes/web.php:170 gates it only on the monitoring "
    "feature): require credentials in front of it (the proxy's basic auth or bearer check on "
    "location /metrics) and give them to [metrics] token or username; if /metrics is meant to "
    'be public, say so with [metrics] expect = "open"'
)
METRICS_BROKEN = (
    "PrometheusController is broken in this release: register each gauge once and set it "
    "through the Gauge registerGauge() returns (the exporter has no clear()/setGauge()), render "
    "export() with Prometheus\\RenderTextFormat, then redeploy; until then "
    'FEATURE_MONITORING=false stops the 500s ([metrics] expect = "disabled")'
)
METRICS_FEATURE = (
    "the monitoring feature is off: set FEATURE_MONITORING=true in the deployment's variables "
    "and redeploy (the route reads only config: a toggle in Settings -> Feature flags does not "
    'open it), or expect it off with [metrics] expect = "disabled"'
)
METRICS_FEATURE_ON = (
    "the monitoring feature is on (FEATURE_MONITORING=true): set it to false and redeploy if "
    'monitoring is meant to be off, else expect it on ([metrics] expect = "open" or '
    '"auth_required")'
)
FEATURE_FLAGS = (
    "feature flags drifted: compare `railway variables` FEATURE_* with the runbook's list and the "
    "DB overrides in settings (feature_flag.<key>)"
)
PARTNER_MOCKED = (
    "partner data is mocked: set FEATURE_PARTNER_MOCKED_DATA=false (IMPORTANT in production) "
    "and redeploy"
)
# Feature flows (runbook "Feature Testing"; contract §4-§9).
AUTH_FLOW = (
    "the SPA login flow is broken: check SESSION_DOMAIN, SANCTUM_STATEFUL_DOMAINS (must list the "
    "app host) and the HTTPS cookie settings (a 419 is a CSRF/cookie mismatch, a 401 after a "
    "200 login means the session did not persist); `railway logs --follow` shows the cause"
)
LOGIN_REJECTED = (
    "valid credentials are rejected: check the test account (`php artisan tinker`: the user "
    "exists, is_active, password), the users table after the release's migrations, and the "
    "auth rate limit (429: wait a minute)"
)
INVOICE = (
    "invoice creation failed: check `railway logs` for validation or SQL errors, the company's "
    "plan limit (402 invoice_limit_reached) and pending migrations"
)
PDF = (
    "PDF generation is broken: check PDF_DRIVER (dompdf/gotenberg), storage permissions "
    "(`railway run chmod -R 775 storage bootstrap/cache`) and `railway logs` for the renderer"
)
CLEANUP = (
    "test data was left behind: delete the listed rows through the API (POST /api/v1/"
    "{invoices,items,customers}/delete) or by hand; they all carry the run tag"
)
EFAKTURA_EXPORT = (
    "the e-Faktura export failed: check `railway logs` for 'XML export failed' and the "
    "MkUblMapper/num-num/ubl-invoice dependency of this release"
)
EFAKTURA_UBL = (
    "the UBL document is wrong: this release's MkUblMapper produces XML that differs from the "
    "invoice or from UBL 2.1; roll back (`railway rollback <deployment-id>`) and fix the mapper"
)
EFAKTURA_SIGNER_MISSING = (
    "the server signing key is not configured: set MK_XML_PRIVATE_KEY_PATH, "
    "MK_XML_CERTIFICATE_PATH and MK_XML_PASSPHRASE (the export silently falls back to unsigned)"
)
EFAKTURA_SIGNATURE = (
    "the XML signature is not valid: the document was changed after signing, or the signer uses "
    "other algorithms than exc-c14n/RSA-SHA256/SHA-256; check MkXmlSigner and the key pair"
)
EFAKTURA_CERTIFICATE = (
    "the signing certificate is expiring or not issued by the expected CA: renew it and replace "
    "storage/certificates/certificate.pem and private.key (MK_XML_* paths), then redeploy"
)
BANKING = (
    "banking is not answering: check the Business tier of the company, bank_tokens for the "
    "account, and `railway logs` for PSD2 client errors"
)
BANK_SYNC = (
    "the bank sync did not complete: check the queue worker (`supervisorctl status`, "
    "`railway run php artisan queue:work --once --queue=banking`), `php artisan queue:failed` "
    "for SyncBankTransactions and the bank's token (bank_tokens.expires_at)"
)
WEBHOOKS = (
    "webhook routing differs from the contract: check routes/webhooks.php is loaded after web.php "
    "(POST /webhooks/paddle must reach WebhookController::paddle), STRIPE_WEBHOOK_SECRET and "
    "CPAY_SECRET_KEY; an endpoint accepting unsigned payloads is a security incident"
)
PAYMENT = (
    "the subscription/checkout API failed: check the STRIPE_* keys and price ids of this "
    "environment and `railway logs` for Stripe API errors"
)
PARTNER = (
    "the partner portal disagrees with its data: check PartnerDashboardController against "
    "affiliate_events/payouts, FEATURE_PARTNER_MOCKED_DATA=false, and the partner-scope middleware"
)
# Scheduled operations checks (runbook "Manual Health Checks", daily and weekly).
BACKUP_CONTENT = (
    "the newest backup is not a usable database backup: run `railway run php artisan backup:run "
    "--only-db` and read its output; check config/backup.php (source.databases), the dump binary "
    "in the image (pg_dump/mysqldump) and storage/logs/scheduler.log"
)
RESTORE = (
    "the newest backup does not restore: take a fresh one now "
    "(`php artisan backup:run --only-db`), check the dumper (PostgreSQL: pg_dump's major "
    "version matches the server; MySQL: the image's PHP mysqldump, docker-mysqldump-php.sh, "
    "ran to the end) and that the disk did not fill during the backup; until a backup restores, "
    "rollback scenario 2 has nothing to restore from"
)
QUEUE_BACKLOG = (
    "queue backlog: check that both workers run (`supervisorctl status`), look at "
    "`railway run php artisan queue:monitor database:default,...`, restart them with "
    "`railway run php artisan queue:restart`"
)
ERROR_RATE = (
    "5xx responses above the alert level (runbook HighErrorRate): read `railway logs --tail 100` "
    "for the failing route; if the last release caused it, " + REDEPLOY
)
DISK = (
    "disk almost full (`railway run df -h`): clear storage/logs and old backups "
    "(`php artisan backup:clean`), or grow the volume before uploads and backups fail"
)
SHELL = (
    "the shell command did not run: check [shell] prefix (railway CLI logged in and linked, ssh "
    "key, container name) and that the command exists in the image"
)
PERFORMANCE = (
    "the dashboard is slower than its budget: check the slow query log and missing indexes "
    "(`railway run php artisan db:show`), the queue and cache drivers (CACHE_STORE=redis), "
    "`php artisan optimize`; if the release made it slower, " + REDEPLOY
)
PERF_REGRESSION = (
    "slower than the stored baseline: compare the release's queries and caching with the "
    "baseline's commit; record a new baseline only when the slowdown is accepted"
)
NETWORK = (
    "setting up a connection is slow (DNS, TCP or TLS): check the TLS terminator / proxy in "
    "front of the app and where the runner is; the app itself is timed separately"
)
PROMETHEUS = (
    "Prometheus does not see the target as configured: check its scrape config (URL, bearer "
    "token, CA), `up{...}` on its Targets page and [monitoring] prometheus_selector"
)
ALERTS = (
    "an alert is firing for the release: open Prometheus' Alerts page, follow the alert's "
    "runbook (HighErrorRate / SlowResponseTime: " + REDEPLOY + "; QueueBacklog: queue:restart)"
)
QUEUE_CONNECTION = (
    "jobs are on a queue connection the app does not use: compare QUEUE_CONNECTION "
    "(`php artisan about --only=drivers`) with the environment's [queue] connection, and "
    "find the producer or worker configured for the other one; jobs on a connection no worker "
    "serves are never processed"
)
REDIS_UNUSED = (
    "the app keeps nothing in Redis where the environment says it does: set CACHE_STORE=redis "
    "and SESSION_DRIVER=redis in the deployment's environment (the image's baked .env.example "
    "says database), or correct [redis] cache_store / session_driver"
)
# HealthController::checkStorage writes and deletes a file on the default disk and wants 10 %
# free: a full or read-only volume, which a redeploy does not fix.
STORAGE = (
    "storage is not writable or nearly full: check the volume behind storage/ (free space, "
    "mount) and its permissions (`railway run chmod -R 775 storage bootstrap/cache`)"
)
PADDLE = (
    "Paddle is not configured: set the PADDLE_* (Cashier) keys in the deployment's variables; "
    "subscriptions cannot be billed until then"
)
CERTIFICATES = (
    "a company's QES signing certificate expires soon: upload the renewed certificate "
    "(Settings → Certificates) before it expires, or e-invoices cannot be signed"
)
