"""The app's own configuration: a Laravel-style `.env` in the home, read by server and worker.

Faults that are "the deployment was configured wrong" only change values here, so the web
app's behaviour follows from configuration the way Laravel's does.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from facturino_reference import mysqlconn
from facturino_reference.mysqlconn import MySQLConnection, MySQLInfo
from facturino_reference.paths import HomeLayout

FEATURE_FLAGS: tuple[str, ...] = (
    "accounting_backbone",
    "migration_wizard",
    "psd2_banking",
    "partner_portal",
    "advanced_payments",
    "redis_queues",
    "mcp_ai_tools",
    "monitoring",
    "stock",
    "payroll",
)
# The runbook's production matrix (runbook "Feature Flags"; stock is always on in config).
PRODUCTION_FLAGS_ON = frozenset(
    {
        "accounting_backbone",
        "migration_wizard",
        "psd2_banking",
        "partner_portal",
        "advanced_payments",
        "monitoring",
        "stock",
    }
)


@dataclass(frozen=True)
class Secrets:
    """Credentials, from FACTURINO_LOCAL_* env vars with the reference defaults."""

    db_password: str
    redis_password: str
    admin_password: str
    partner_password: str

    @classmethod
    def from_environ(cls) -> Secrets:
        env = os.environ
        return cls(
            db_password=env.get("FACTURINO_LOCAL_DB_PASSWORD", "reference-db-secret"),
            redis_password=env.get("FACTURINO_LOCAL_REDIS_PASSWORD", "reference-redis-secret"),
            admin_password=env.get("FACTURINO_LOCAL_ADMIN_PASSWORD", "reference-admin-secret"),
            partner_password=env.get(
                "FACTURINO_LOCAL_PARTNER_PASSWORD", "reference-partner-secret"
            ),
        )


def new_app_key() -> str:
    """`FACTURINO_LOCAL_APP_KEY` or a fresh `base64:` key, like `artisan key:generate`."""
    given = os.environ.get("FACTURINO_LOCAL_APP_KEY")
    if given:
        return given
    return "base64:" + base64.b64encode(secrets.token_bytes(32)).decode()


def base_env(ports: dict[str, int], app_key: str, creds: Secrets) -> dict[str, str]:
    """The correct production configuration, before any fault overrides it."""
    https = ports["https"]
    env = {
        "APP_NAME": "Facturino",
        "APP_ENV": "production",
        "APP_DEBUG": "false",
        "APP_KEY": app_key,
        "APP_URL": f"https://localhost:{https}",
        "APP_LOCALE": "en",
        "HTTPS_PORT": str(https),
        "HTTP_PORT": str(ports["http"]),
        # Laravel's connection names: `pgsql`, or `mysql` (what production runs)
        "DB_CONNECTION": "mysql" if "mysql" in ports else "pgsql",
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(ports["mysql"] if "mysql" in ports else ports["postgres"]),
        "DB_DATABASE": "facturino",
        "DB_USERNAME": "facturino",
        "DB_PASSWORD": creds.db_password,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(ports["redis"]),
        "REDIS_PASSWORD": creds.redis_password,
        "REDIS_PREFIX": "facturino_",
        "REDIS_DB": "0",
        "REDIS_CACHE_DB": "1",
        "REDIS_SESSION_DB": "2",
        "REDIS_QUEUE_DB": "3",
        "CACHE_STORE": "redis",
        "CACHE_PREFIX": "mkaccounting_cache",
        "SESSION_DRIVER": "redis",
        "SESSION_LIFETIME": "120",
        "SESSION_SECURE_COOKIE": "true",
        "SESSION_HTTP_ONLY": "true",
        "SESSION_SAME_SITE": "lax",
        "QUEUE_CONNECTION": "database",
        "SANCTUM_STATEFUL_DOMAINS": (
            f"localhost,127.0.0.1,127.0.0.1:8000,::1,app.facturino.mk,"
            f"localhost:{https},127.0.0.1:{https}"
        ),
        "FEATURE_PARTNER_MOCKED_DATA": "false",
        # The runbook's monitoring pair: config/telescope.php:19 defaults to true when unset
        # (Telescope itself is require-dev, absent from the --no-dev image); PROMETHEUS_ENABLED
        # is read by no config file.
        "PROMETHEUS_ENABLED": "true",
        "TELESCOPE_ENABLED": "false",
        # Reference-only knobs (see faults/): the `auth` limiter's size, the HSTS switch,
        # nginx's redirect and the /up listener. (/metrics has no auth: routes/web.php:170.)
        "AUTH_RATE_LIMIT": os.environ.get("FACTURINO_REFERENCE_AUTH_RATE_LIMIT", "5"),
        "SECURITY_HSTS": "true",
        "HTTP_REDIRECT_HTTPS": "true",
        "HEALTH_DIAGNOSTICS": "ok",
        **_feature_env(ports),
    }
    for flag in FEATURE_FLAGS:
        env[f"FEATURE_{flag.upper()}"] = "true" if flag in PRODUCTION_FLAGS_ON else "false"
    return env


SUBSCRIPTION_TIERS: tuple[str, ...] = ("starter", "standard", "business", "max")


def _feature_env(ports: dict[str, int]) -> dict[str, str]:
    """Invoices/PDF, e-Faktura signing, payments and banking (contract sections 5-8)."""
    sandbox = f"http://127.0.0.1:{ports['psd2']}"
    env = {
        "SESSION_DOMAIN": "null",
        "NLB_API_URL": f"{sandbox}/nlb/v1",
        "STOPANSKA_API_URL": f"{sandbox}/stopanska/v1",
        "PDF_DRIVER": "dompdf",
        "GOTENBERG_URL": "http://127.0.0.1:3000",
        # config/mk.php: the server-level XML signer (paths relative to the app's root).
        "MK_XML_PRIVATE_KEY_PATH": "storage/certificates/private.key",
        "MK_XML_CERTIFICATE_PATH": "storage/certificates/certificate.pem",
        "MK_XML_PASSPHRASE": "",
        "STRIPE_KEY": "pk_test_reference",
        "STRIPE_SECRET": "sk_test_reference_" + secrets.token_hex(12),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "CPAY_MERCHANT_ID": "reference-merchant",
        "CPAY_SECRET_KEY": secrets.token_hex(16),
        "CPAY_PAYMENT_URL": f"{sandbox}/cpay/payment",
        "PADDLE_SANDBOX": "true",
        # Reference-only: where Cashier's Paddle API lives (the sandbox's simulator; upstream
        # hard-codes https://api.paddle.com in HealthController). Paddle is not configured
        # (no PADDLE_SELLER_ID/API_KEY/...), as in .env.example.
        "PADDLE_API_URL": f"{sandbox}/paddle",
        # Reference-only knobs (see faults/ and the package README): the XML export's
        # algorithms, file naming, element order and output filter; the sync job's backoff
        # (upstream 60,300 s; seconds here so a failing job settles within a test's deadline);
        # the size of the `strict` limiter.
        "MK_XML_SIGNATURE_METHOD": "rsa-sha256",
        "MK_XML_DIGEST_METHOD": "sha256",
        "MK_XML_EXPORT_NAMING": "result",
        "MK_XML_OUTPUT_FILTER": "none",
        "MK_UBL_ELEMENT_ORDER": "ubl-2.1",
        "BANK_SYNC_BACKOFF": "1,2",
        "STRICT_RATE_LIMIT": os.environ.get("FACTURINO_REFERENCE_STRICT_RATE_LIMIT", "10"),
    }
    for tier in SUBSCRIPTION_TIERS:
        for interval in ("monthly", "yearly"):
            env[f"STRIPE_PRICE_{tier.upper()}_{interval.upper()}"] = f"price_ref_{tier}_{interval}"
    return env


def write_env_file(path: Path, env: dict[str, str]) -> None:
    lines = [f"{key}={value}" for key, value in env.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)  # it holds the DB/Redis passwords and the APP_KEY


_NESTED = re.compile(r"\$\{([A-Z0-9_]+)\}")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `${OTHER}` in a value is replaced by OTHER's value defined above it
    (phpdotenv's nested variables)."""
    env: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = _NESTED.sub(lambda m: env.get(m.group(1), ""), value)
    return env


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def mysql_info(env: Mapping[str, str]) -> MySQLInfo | None:
    """Where the MySQL database is when DB_CONNECTION=mysql (`up --db mysql`), else None."""
    if env.get("DB_CONNECTION", "pgsql") != "mysql":
        return None
    return MySQLInfo(
        env["DB_HOST"],
        int(env["DB_PORT"]),
        env["DB_DATABASE"],
        env["DB_USERNAME"],
        env["DB_PASSWORD"],
    )


@dataclass(frozen=True)
class AppConfig:
    """Typed view of the `.env`, as the server and the worker use it."""

    env: dict[str, str]
    layout: HomeLayout

    @classmethod
    def load(cls, home: Path) -> AppConfig:
        layout = HomeLayout(home)
        return cls(read_env_file(layout.app_env), layout)

    def get(self, key: str, default: str = "") -> str:
        return self.env.get(key, default)

    def nullable(self, key: str) -> str | None:
        """env() semantics: unset, empty or the literal `null` are null."""
        value = self.env.get(key, "")
        return None if value in {"", "null", "(null)"} else value

    def path(self, key: str) -> Path:
        """A path setting; relative values are relative to the app's root (base_path())."""
        value = Path(self.get(key))
        return value if value.is_absolute() else self.layout.root / value

    @property
    def app_url(self) -> str:
        return self.get("APP_URL").rstrip("/")

    def flag(self, key: str) -> bool:
        return _flag(self.env.get(key, "false"))

    def int(self, key: str) -> int:
        return int(self.env[key])

    @property
    def name(self) -> str:
        return self.get("APP_NAME", "Laravel")

    @property
    def debug(self) -> bool:
        return self.flag("APP_DEBUG")

    @property
    def session_cookie(self) -> str:
        """Laravel's default: Str::slug(APP_NAME, '_') . '_session'."""
        slug = "".join(ch if ch.isalnum() else "_" for ch in self.name.lower()).strip("_")
        return f"{slug}_session"

    @property
    def cache_prefix(self) -> str:
        """Redis key prefix of cache (and session) entries: REDIS_PREFIX + CACHE_PREFIX."""
        return self.get("REDIS_PREFIX") + self.get("CACHE_PREFIX")

    @property
    def stateful_domains(self) -> tuple[str, ...]:
        return tuple(d.strip() for d in self.get("SANCTUM_STATEFUL_DOMAINS").split(",") if d)

    def db_conninfo(self) -> str:
        return make_conninfo(
            host=self.get("DB_HOST"),
            port=self.get("DB_PORT"),
            dbname=self.get("DB_DATABASE"),
            user=self.get("DB_USERNAME"),
            password=self.get("DB_PASSWORD"),
            connect_timeout=2,
        )

    def mysql_info(self) -> MySQLInfo | None:
        return mysql_info(self.env)

    def connect(self) -> psycopg.Connection[Any] | MySQLConnection:
        """A synchronous autocommit connection to the app's database, whichever engine."""
        info = self.mysql_info()
        if info is not None:
            return mysqlconn.connect(info)
        return psycopg.connect(self.db_conninfo(), autocommit=True)

    def feature_config(self) -> dict[str, bool]:
        return {flag: self.flag(f"FEATURE_{flag.upper()}") for flag in FEATURE_FLAGS}
