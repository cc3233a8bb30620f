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
    "(`railway run psql < backup_YYYYMMDD_HHMMSS.sql`) and `php artisan migrate:rollback --step=1`"
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
BACKUP = "backups are stale: check the scheduler and `railway run php artisan backup:list`"
TLS = (
    "certificate problem: Railway provisions Let's Encrypt certificates automatically; check the "
    "domain's DNS (A/CNAME) and the certificate status in the Railway dashboard"
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
METRICS = (
    "/metrics exposure differs from the expectation: set FEATURE_MONITORING / PROMETHEUS_ENABLED "
    "and put /metrics behind admin auth as the runbook requires"
)
FEATURE_FLAGS = (
    "feature flags drifted: compare `railway variables` FEATURE_* with the runbook's list and the "
    "DB overrides in settings (feature_flag.<key>)"
)
PARTNER_MOCKED = (
    "partner data is mocked: set FEATURE_PARTNER_MOCKED_DATA=false (IMPORTANT in production) "
    "and redeploy"
)
