"""``[database]``: which server the read-only checks ask, on which engine, and what the release
expects of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from .section import Section

Engine = Literal["postgresql", "mysql"]
DEFAULT_PORTS: dict[str, int] = {"postgresql": 5432, "mysql": 3306}
# What a DSN's scheme says about the engine (a libpq keyword string has no scheme and says
# nothing). mysql+pymysql:// is SQLAlchemy's spelling, which teams copy from the app's tooling.
SCHEME_ENGINES: dict[str, Engine] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mysql+pymysql": "mysql",
    "mariadb": "mysql",
}


def dsn_engine(dsn: str) -> Engine | None:
    """The engine a DSN's scheme names, or None when it names none."""
    scheme, found, _ = dsn.partition("://")
    return SCHEME_ENGINES.get(scheme.strip().lower()) if found else None


class Database(Section):
    engine: Engine = "postgresql"
    """The server's engine: the app's DB_CONNECTION (production runs `mysql`, MariaDB included).
    A `dsn` whose scheme is mysql://, mysql+pymysql:// or mariadb:// implies `mysql`; one that
    disagrees with an explicit engine is an error."""
    dsn: SecretStr | None = None
    """A whole connection string instead of host/port/name/user/password (for `mysql` a URL:
    mysql://user:password@host:port/name)."""
    host: str | None = None
    """The database server (read-only checks; a `db` capability)."""
    port: int = Field(5432, gt=0, lt=65536)
    """The server's port (unset: 5432 for `postgresql`, 3306 for `mysql`)."""
    name: str | None = None
    """The database name."""
    user: str | None = None
    """A read-only user (the suite never writes to the database)."""
    password: SecretStr | None = None
    """The user's password."""
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = "prefer"
    """libpq's sslmode; on `mysql` the same meaning: disable (plain), allow/prefer (TLS when
    the server offers it), require (TLS, certificate not checked), verify-ca (trusted
    certificate), verify-full (and the host name)."""
    connect_timeout: float = Field(5.0, gt=0)
    """Seconds to connect."""
    statement_timeout_ms: int = Field(5000, gt=0)
    """Every query of the run is cancelled past this."""
    newest_migration: str | None = None
    """The release's newest migration, which must have run."""
    migrations_manifest: Path | None = None
    """The release's migration list (one name a line): none may be pending."""

    @model_validator(mode="before")
    @classmethod
    def _engine_and_port(cls, data: Any) -> Any:
        """The engine a DSN names (an explicit one must agree), and the engine's port."""
        if not isinstance(data, dict):
            return data
        dsn = data.get("dsn")
        raw = dsn.get_secret_value() if isinstance(dsn, SecretStr) else dsn
        implied = dsn_engine(raw) if isinstance(raw, str) else None
        engine = data.get("engine")
        if implied and engine and implied != engine:
            # The scheme only: the DSN itself holds the password.
            scheme = str(raw).partition("://")[0]
            raise ValueError(
                f"dsn's scheme {scheme}:// says {implied}, engine says {engine}"
                " (drop engine or make them agree)"
            )
        engine = engine or implied or "postgresql"
        if engine in DEFAULT_PORTS and "port" not in data:
            data = {**data, "port": DEFAULT_PORTS[engine]}
        return {**data, "engine": engine}

    @model_validator(mode="after")
    def _dsn_or_host(self) -> Database:
        if self.dsn is None and not (self.host and self.name and self.user):
            raise ValueError("set either dsn, or host, name and user")
        if not (self.newest_migration or self.migrations_manifest):
            raise ValueError(
                "set newest_migration and/or migrations_manifest (what the release expects)"
            )
        if self.engine == "mysql" and self.dsn is not None:
            _check_mysql_url(self.dsn.get_secret_value())
        return self


def _check_mysql_url(dsn: str) -> None:
    """A MySQL DSN is a URL naming a host and a database (no libpq keyword string); its text
    is never quoted, it holds the password."""
    if dsn_engine(dsn) != "mysql":
        raise ValueError("a mysql dsn is a URL: mysql://user:password@host:port/name")
    try:
        parts = urlsplit(dsn)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise ValueError(
            "the mysql dsn is not a valid URL (is its password percent-encoded?)"
        ) from None
    if not parts.hostname or not parts.path.strip("/"):
        raise ValueError("a mysql dsn names a host and a database: mysql://user:pw@host:port/name")
    if parts.query:
        raise ValueError("a mysql dsn takes no ?parameters (TLS: [database] sslmode)")
