"""Where a reference deployment keeps its files (the "home")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "/tmp/facturino-reference"
HOME_ENV_VAR = "FACTURINO_REFERENCE_HOME"
# Written at `up`; `down` only deletes a directory that carries it, so a mistyped
# `--home /` can never be wiped.
MARKER_NAME = ".facturino-reference"


def resolve_home(cli_value: str | None) -> Path:
    """`--home`, else $FACTURINO_REFERENCE_HOME, else the default; always absolute."""
    raw = cli_value or os.environ.get(HOME_ENV_VAR) or DEFAULT_HOME
    return Path(raw).expanduser().resolve()


@dataclass(frozen=True)
class HomeLayout:
    """Every path a deployment uses, derived from its home directory."""

    root: Path

    @property
    def marker(self) -> Path:
        return self.root / MARKER_NAME

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def app_env(self) -> Path:
        """The app's Laravel-style `.env` (its configuration, read by server and worker)."""
        return self.root / ".env"

    @property
    def environment_toml(self) -> Path:
        return self.root / "environment.toml"

    @property
    def tls(self) -> Path:
        return self.root / "tls"

    @property
    def ca_pem(self) -> Path:
        return self.tls / "ca.pem"

    @property
    def server_pem(self) -> Path:
        return self.tls / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.tls / "server.key"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def mysql_data(self) -> Path:
        """MariaDB's data directory (`up --db mysql`); its socket is mysqld.sock in it."""
        return self.root / "mysqldata"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    @property
    def storage(self) -> Path:
        return self.root / "storage"

    @property
    def storage_app(self) -> Path:
        return self.storage / "app"

    @property
    def public_disk(self) -> Path:
        """Laravel's default `public` filesystem disk (used by the /health storage probe)."""
        return self.storage_app / "public"

    @property
    def install_marker(self) -> Path:
        """`storage/app/database_created`: InvoiceShelf's "installation finished" file."""
        return self.storage_app / "database_created"

    @property
    def maintenance_file(self) -> Path:
        """`storage/framework/down`, the file driver's maintenance-mode marker."""
        return self.storage / "framework" / "down"

    @property
    def signer_cert(self) -> Path:
        return self.storage / "certificates" / "certificate.pem"

    @property
    def signer_key(self) -> Path:
        return self.storage / "certificates" / "private.key"

    @property
    def media(self) -> Path:
        """spatie/medialibrary's local disk: generated PDFs under `<media id>/<file name>`."""
        return self.storage_app / "media"

    @property
    def route_files(self) -> Path:
        """`routes/`: route files of the build that are loaded at boot (webhooks.php)."""
        return self.root / "routes"

    @property
    def webhook_routes(self) -> Path:
        return self.route_files / "webhooks.php"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def backup_dir(self, app_name: str) -> Path:
        """Spatie names the backup folder after APP_NAME."""
        return self.backups / app_name

    @property
    def public(self) -> Path:
        """The document root nginx serves files from (`try_files $uri`)."""
        return self.root / "public"

    @property
    def public_build(self) -> Path:
        """The Vite build output that nginx serves as /build/..."""
        return self.public / "build"
