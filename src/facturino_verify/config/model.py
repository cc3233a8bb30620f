"""The validated shape of an environment file.

Every section is a frozen pydantic model with unknown keys forbidden, so a typo is an error, not a
silently ignored setting. Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from .database import Database
from .dns import Dns
from .features import Browser, Features
from .notify import Notify
from .ops import Backups, Queue, Shell
from .perf import Monitoring, Perf
from .predeploy import Predeploy
from .section import Section
from .variables import Caches, Variables

APP_KEY_EXAMPLE = "base64:kgk/4DW1vEVy7aEvet5FPp5un6PIGe/so8H0mvoUtW0="
HEALTH_CHECKS = (
    "database",
    "redis",
    "queues",
    "signer",
    "bank_sync",
    "storage",
    "backup",
    "certificates",
    "paddle",
)
# The five /health sub-checks the real HealthController (d5d901d7) returns true for whatever
# the state of what they are named after.
HEALTH_CHECKS_CANNOT_FAIL = ("redis", "signer", "bank_sync", "certificates", "paddle")
# The runbook's production FEATURE_* matrix (FEATURE_PARTNER_MOCKED_DATA is checked separately).
RUNBOOK_FEATURE_FLAGS = {
    "accounting_backbone": True,
    "migration_wizard": True,
    "psd2_banking": True,
    "partner_portal": True,
    "advanced_payments": True,
    "mcp_ai_tools": False,
    "monitoring": True,
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data:; "
        "connect-src 'self' https://api.postmarkapp.com wss:; "
        "frame-src 'self' blob: https://*.r2.dev https://*.r2.cloudflarestorage.com; "
        "object-src 'self' blob: https://*.r2.dev https://*.r2.cloudflarestorage.com; "
        "worker-src 'self' blob:; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# PrometheusController's gauges as the exporter names them: its namespace (`fakturino`,
# PrometheusServiceProvider.php / config/prometheus-exporter.php) + the controller's names.
DEFAULT_METRIC_FAMILIES = (
    "fakturino_invoiceshelf_database_healthy",
    "fakturino_invoiceshelf_queue_jobs_pending",
)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL with a scheme and host")
    return value.rstrip("/")


class EnvironmentInfo(Section):
    name: str = ""
    """Its name in messages and in the history file's name (default: the file's name)."""
    description: str = ""
    """Free text for the file's readers (no check reads it)."""


class Target(Section):
    url: str
    """The deployment's base URL (scheme required), e.g. https://app.facturino.mk."""
    http_url: str | None = None
    """Where the HTTP→HTTPS redirect is probed; unset: `url` with scheme http."""
    login_path: str = "/admin/login"
    """The page that must render the SPA's sign-in form."""
    ca_file: Path | None = None
    """A CA bundle to trust for the target (private CAs); unset: the system's."""
    verify_tls: bool = True
    """Verify the target's certificate; false only for throwaway targets."""
    connect_timeout: float = Field(3.0, gt=0)
    """Seconds to connect (part of every request's total deadline)."""
    read_timeout: float = Field(10.0, gt=0)
    """Seconds for the answer (the rest of every request's total deadline)."""
    concurrency: int = Field(32, ge=1)
    """Requests the smoke probes may have in flight at once."""
    # An answer's body is read up to this size; past it the check fails (a deployment must not
    # exhaust the runner's memory with an endless body).
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)

    _url = field_validator("url")(_http_url)

    @field_validator("http_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def plain_http_url(self) -> str:
        """Where the HTTP→HTTPS redirect is probed: ``http_url`` or the URL with scheme http."""
        if self.http_url:
            return self.http_url
        parts = urlsplit(self.url)
        return f"http://{parts.hostname}" + ("" if parts.port in (None, 443) else f":{parts.port}")


class App(Section):
    env: str = "production"
    """The expected APP_ENV (/health `environment`; HSTS is expected only in production)."""
    name: str = "Facturino"
    """The app's APP_NAME (the session cookie's name derives from it)."""
    # The app's APP_TIMEZONE (config('app.timezone'), UTC by default): Laravel stores naive
    # timestamps on that clock and Carbon's now() reads it (bank imports, partner months).
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone '{value}' (an IANA name such as Europe/Skopje)"
            raise ValueError(message) from None
        return value


class Redis(Section):
    url: SecretStr | None = None
    """A whole redis:// or rediss:// URL instead of host/port/username/password."""
    host: str | None = None
    """The Redis server (a `redis` capability)."""
    port: int = Field(6379, gt=0, lt=65536)
    """The server's port."""
    username: str | None = None
    """The ACL user, if any."""
    password: SecretStr | None = None
    """The password."""
    tls: bool = False
    """Connect with TLS."""
    prefix: str = "facturino_"
    """The app's REDIS_PREFIX: the start of the keys it writes."""
    cache_prefix: str = "mkaccounting_cache"
    """The app's CACHE_PREFIX."""
    default_db: int = Field(0, ge=0)
    """REDIS_DB: the `default` connection's database."""
    cache_db: int = Field(1, ge=0)
    """REDIS_CACHE_DB: the `cache` connection's database."""
    # Redis sessions live on the connection SESSION_CONNECTION names; unset (the app's
    # .env.example), Laravel's `default` connection: REDIS_DB.
    session_db: int = Field(0, ge=0)
    queue_db: int = Field(3, ge=0)
    """The database of the `redis` queue connection's lists."""
    # What the app uses Redis for: its CACHE_STORE and SESSION_DRIVER (its QUEUE_CONNECTION is
    # [queue] connection; queue_connection here is its deprecated alias). The defaults are the
    # image's baked .env.example (database); the runbook's production .env sets redis.
    cache_store: Literal["database", "redis", "file", "array"] = "database"
    session_driver: Literal["database", "redis", "file", "cookie", "array"] = "database"
    """The app's SESSION_DRIVER."""
    queue_connection: Literal["database", "redis"] = "database"
    """Deprecated alias of `[queue] connection` (read with a warning)."""
    queues: tuple[str, ...] = ("default", "high", "banking", "einvoice", "background", "migration")
    """The queues looked at on Redis."""
    # config/queue.php: a popped job's reservation on the `redis` connection expires this long
    # after it began (the score of `queues:{q}:reserved`).
    queue_retry_after: int = Field(90, ge=1)
    connect_timeout: float = Field(3.0, gt=0)
    """Seconds to connect."""
    read_timeout: float = Field(3.0, gt=0)
    """Seconds for an answer."""

    @model_validator(mode="after")
    def _url_or_host(self) -> Redis:
        if self.url is None and not self.host:
            raise ValueError("set either url or host")
        if self.url is not None:
            _check_redis_url(self.url.get_secret_value())
        return self


def _check_redis_url(url: str) -> None:
    """A URL redis-py would misread. A reserved character left raw in the password (``/``
    first of all) ends the host part early: the driver then echoes a piece of the password as
    the port. The message never quotes the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError("url: the scheme must be redis://, rediss:// or unix:// (URL not shown)")
    if parts.scheme != "unix" and not _parses_as_tcp(parts):
        raise ValueError(
            "url cannot be parsed (URL not shown): percent-encode reserved characters "
            "(/ : @ ? #) in its password, e.g. / as %2F"
        )


def _parses_as_tcp(parts: SplitResult) -> bool:
    """A host, a numeric port if any, and at most a database number as the path."""
    try:
        parts.port  # noqa: B018 - urlsplit parses the port only when asked, raising then
    except ValueError:
        return False
    return bool(parts.hostname) and re.fullmatch(r"/?\d*", parts.path) is not None


class Account(Section):
    email: str
    """The account's sign-in e-mail."""
    password: SecretStr
    """Its password."""
    company_id: int | None = None
    """The company its API calls are scoped to; unset: the first it belongs to."""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value


class Metrics(Section):
    path: str = "/metrics"
    """Where the app serves its Prometheus exposition."""
    # What an anonymous GET must get: "auth_required" (the runbook: 401, or a 403 that is not
    # the feature switch; the real app has no auth, so only a proxy in front can give it),
    # "open" (200: what the real app does with FEATURE_MONITORING on), "disabled" (403
    # "Feature not available": FEATURE_MONITORING off).
    expect: Literal["auth_required", "disabled", "open"] = "auth_required"
    # Credentials for a proxy that adds auth in front of /metrics (the app ignores them).
    token: SecretStr | None = None
    username: str | None = None
    """Basic-auth user for that proxy."""
    password: SecretStr | None = None
    """Basic-auth password for that proxy."""
    families: tuple[str, ...] = DEFAULT_METRIC_FAMILIES
    """Metric families the exposition must contain."""

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or self.username)


class Cookies(Section):
    session_name: str | None = None
    """The session cookie's name; unset: derived from `[app] name`."""
    secure: bool = True
    """Cookies must carry Secure."""
    http_only: bool = True
    """The session cookie must carry HttpOnly."""
    same_site: Literal["lax", "strict", "none"] = "lax"
    """The SameSite value the cookies must carry."""


class Tls(Section):
    min_days_valid: int = Field(14, ge=0)
    """The certificate must stay valid at least this many days."""
    https_redirect: bool = True
    """Plain HTTP must redirect to HTTPS."""
    # The runbook: "Railway automatically provisions SSL certificates via Let's Encrypt". The
    # real production (d5d901d7) runs on a Hetzner VPS (deploy-hetzner.yml: the app container on
    # port 8080) behind a TLS proxy the repository does not hold, so nothing there says who
    # issues it: the runbook's issuer stays the default.
    issuer_organization: str = "Let's Encrypt"
    """The organization (O=) of the CA that must have issued the server certificate (Let's
    Encrypt's intermediates R10-R14 and E5-E9 all carry O=Let's Encrypt); "": any issuer."""


class Expect(Section):
    health_checks: tuple[str, ...] = HEALTH_CHECKS
    """The /health sub-checks that must be present and true."""
    # /health sub-checks this app's HealthController cannot make false (the real one at
    # d5d901d7: checks/health.py says why for each): their `true` is not evidence. A release
    # whose controller can fail them all sets [].
    health_checks_cannot_fail: tuple[str, ...] = HEALTH_CHECKS_CANNOT_FAIL
    headers: dict[str, str] = Field(default_factory=lambda: dict(SECURITY_HEADERS))
    """Security headers and their exact values on every page."""
    hsts: str | None = None
    """The expected Strict-Transport-Security; unset: the runbook's, in production only."""
    cookies: Cookies = Cookies()
    tls: Tls = Tls()
    feature_flags: dict[str, bool] = Field(default_factory=lambda: dict(RUNBOOK_FEATURE_FLAGS))
    """FEATURE_* flags as the admin must see them (name = on/off)."""
    debug_paths: tuple[str, ...] = ("/_ignition/health-check", "/_debugbar/open", "/telescope")
    """Debug tools that must not answer (Ignition, Debugbar, Telescope)."""
    # Files of the project that must never be served (judged by content, not status: a
    # catch-all SPA route may answer 200 with its page for any path).
    private_paths: tuple[str, ...] = ("/.env", "/.git/config", "/storage/logs/laravel.log")


class Thresholds(Section):
    pending_jobs_max: int = Field(100, ge=0)
    """Jobs waiting in the queue before the smoke gate fails."""
    failed_jobs_last_hour_max: int = Field(100, ge=0)
    """Failed jobs in the last hour before it fails."""
    reserved_job_max_age_seconds: int = Field(600, ge=0)
    """A job reserved longer than this is stuck."""
    # What HealthController's bank_sync and certificates checks were written for (more than
    # 10 sync errors a day; certificates expiring within 30 days), judged from the database.
    bank_sync_failures_24h_max: int = Field(10, ge=0)
    company_certificate_min_days: int = Field(30, ge=0)
    """Company QES certificates must stay valid this long."""
    # Daily/weekly: the runbook's HighErrorRate alert (5 %) and the docs' disk alert (90 %).
    error_rate_5xx_max: float = Field(0.05, ge=0, le=1)
    disk_usage_percent_max: float = Field(90.0, gt=0, le=100)
    """The weekly disk check's limit."""


class Allow(Section):
    writes: bool = False
    """Checks that create data may run (tagged, removed at the end); never on prod."""
    browser: bool = True
    """Checks that drive Chromium may run."""
    shell: bool = False
    """Checks that run the fixed read-only commands through `[shell] prefix` may run."""
    # `php artisan queue:work --once` processes one real job: only where that is acceptable.
    queue_work: bool = False


class Retries(Section):
    """Network-class errors only (refused, reset, timeout, DNS); never assertion failures."""

    attempts: int = Field(2, ge=0, le=5)
    """Retries of a network-class error (never of a failed assertion)."""
    backoff_seconds: float = Field(0.2, ge=0)
    """The first retry's wait, doubled for each next one."""
    flaky_is_failure: bool = False
    """Count a check that passed only after a retry as failed."""


class Run(Section):
    # A whole run against a hanging target must end with a verdict within this budget.
    budget_seconds: float = Field(60.0, gt=0)
    location: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    """Where this runner verifies from (e.g. eu-central): written to summary.json, so that
    `facturino-verify merge` can say from which locations a check failed."""


class Release(Section):
    """The release the deployment must report (GET /api/v1/app/version, read from the build's
    version.md). `--expect-release` overrides both keys."""

    version: str | None = Field(None, min_length=1)
    """The expected release, exactly as version.md holds it (e.g. 2.1.1)."""
    checkout: Path | None = None
    """A checkout of the app at the release: the expected release is `git describe --tags` of it."""

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and value != value.strip():
            raise ValueError(
                f"{value!r} has surrounding spaces; the app strips only line breaks from "
                "version.md, so write the version exactly as the app reports it"
            )
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Release:
        if self.version is not None and self.checkout is not None:
            raise ValueError("give version or checkout, not both: keep the one you release by")
        return self


class Rollback(Section):
    """How the runbook's rollback commands look for this environment."""

    run_prefix: str = "railway run"
    """Prefixes the runbook's commands in the printed rollback scenario."""
    status: str = "railway status"
    """The command that shows the deployment's state."""
    redeploy: str = "railway rollback <last-good-deployment-id>"
    """The command that redeploys the last good release."""
    backup_file: str = "backup_YYYYMMDD_HHMMSS.sql"
    """The backup the migration-failure scenario restores (on MySQL a `.zip` is spatie's: its
    db-dumps/mysql-*.sql.gz is unzipped, gunzipped and loaded with `mysql`)."""


class Report(Section):
    pushgateway_url: str | None = None
    """Push the run's figures to this Prometheus Pushgateway."""
    job: str = "facturino_verify"
    """The Pushgateway job name."""

    @field_validator("pushgateway_url")
    @classmethod
    def _push(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)


class Waiver(Section):
    """A known defect the team lives with for now: its failure is shown as WAIVED and does not
    change the verdict until ``expires`` (inclusive); from the day after, it counts again."""

    reason: str = Field(min_length=1)
    """Why the release ships with this defect (shown with the waived failure)."""
    expires: date
    """The last day the waiver holds (inclusive); from the next the check counts."""
    ticket: str | None = None
    """Where the fix is tracked."""

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the failure is accepted (the report shows it)")
        return value.strip()

    @field_validator("ticket")
    @classmethod
    def _ticket(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)


class Environment(Section):
    """One deployment to verify: where it is, how to reach it, what it must look like."""

    environment: EnvironmentInfo = EnvironmentInfo()
    target: Target
    app: App = App()
    database: Database | None = None
    redis: Redis | None = None
    accounts: dict[str, Account] = Field(default_factory=dict)
    metrics: Metrics = Metrics()
    expect: Expect = Expect()
    thresholds: Thresholds = Thresholds()
    allow: Allow = Allow()
    shell: Shell = Shell()
    backups: Backups = Backups()
    queue: Queue = Queue()
    variables: Variables = Variables()
    caches: Caches = Caches()
    browser: Browser = Browser()
    features: Features = Features()
    dns: Dns = Dns()
    # Test name pattern (``*`` wildcard) → critical / major / warning; overrides the defaults.
    severity: dict[str, Literal["critical", "major", "warning"]] = Field(default_factory=dict)
    # Test name pattern (``*`` wildcard) → why its failure is accepted, until when.
    waivers: dict[str, Waiver] = Field(default_factory=dict)
    retries: Retries = Retries()
    run: Run = Run()
    release: Release = Release()
    rollback: Rollback = Rollback()
    report: Report = Report()
    notify: Notify = Notify()
    perf: Perf = Perf()
    monitoring: Monitoring = Monitoring()
    predeploy: Predeploy = Predeploy()

    @model_validator(mode="after")
    def _one_queue_connection(self) -> Environment:
        alias = self._queue_connection_alias
        if alias is not None and self.queue.connection not in (None, alias):
            raise ValueError(
                f"[queue] connection = {self.queue.connection!r} and [redis] queue_connection = "
                f"{alias!r} disagree: keep [queue] connection only"
            )
        return self

    @property
    def _queue_connection_alias(self) -> str | None:
        """``[redis] queue_connection`` where the file sets it (a deprecated alias)."""
        if self.redis is None or "queue_connection" not in self.redis.model_fields_set:
            return None
        return self.redis.queue_connection

    @property
    def deprecations(self) -> list[str]:
        """Keys this file uses that still work but will not forever, each with its fix."""
        if self._queue_connection_alias is None:
            return []
        return [
            "[redis] queue_connection is deprecated: write "
            f'connection = "{self._queue_connection_alias}" under [queue] instead'
        ]

    @property
    def name(self) -> str:
        return self.environment.name

    @property
    def queue_connection(self) -> str:
        """Where the app queues its jobs (its QUEUE_CONNECTION): ``[queue] connection``, else
        the deprecated ``[redis] queue_connection``, else "database" (the image's baked value)."""
        return self.queue.connection or self._queue_connection_alias or "database"

    @property
    def redis_uses(self) -> frozenset[str]:
        """What the app keeps in Redis ("cache", "sessions", "queue"): nothing without a
        [redis] section; the queue where its queue connection (queue_connection) is redis."""
        if self.redis is None:
            return frozenset()
        uses = {
            "cache": self.redis.cache_store == "redis",
            "sessions": self.redis.session_driver == "redis",
            "queue": self.queue_connection == "redis",
        }
        return frozenset(what for what, used in uses.items() if used)

    @property
    def queue_connection_said_by(self) -> str:
        """Which key of this file says where the app queues (for messages)."""
        if self.queue.connection:
            return "[queue] connection"
        if self._queue_connection_alias is not None:
            return "[redis] queue_connection"
        return "no [queue] connection: the image's baked QUEUE_CONNECTION=database"

    @property
    def session_cookie_name(self) -> str:
        """The expected session cookie: configured, or Laravel's ``slug(APP_NAME)_session``."""
        configured = self.expect.cookies.session_name
        return (
            configured or re.sub(r"[^a-z0-9]+", "_", self.app.name.lower()).strip("_") + "_session"
        )

    @property
    def expected_hsts(self) -> str | None:
        """HSTS is sent only when APP_ENV=production (contract §12)."""
        if self.expect.hsts is not None:
            return self.expect.hsts or None
        return HSTS if self.app.env == "production" else None
