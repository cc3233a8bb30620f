"""`HOME/environment.toml`: an environment file for the suite that targets this instance.

Same content as the repository's environments/local.toml, except the ports, an absolute
`ca_file` and an absolute migrations manifest (the package's own list). Secrets stay
`${VAR:-default}` references, as the house style requires.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from facturino_reference import tls
from facturino_reference.appenv import read_env_file
from facturino_reference.faults.perf import VERSION as RELEASE
from facturino_reference.paths import HomeLayout
from facturino_reference.release import FOLDER as RELEASE_FOLDER
from facturino_reference.release import previous_release
from facturino_reference.state import db_port

_TEMPLATE = """\
# Written by `facturino-reference up` for the instance in {home}.
# Point the suite at it with: --env-file={env_file}
# Secrets are ${{VAR}} references; the `:-` defaults are the reference deployment's own
# throwaway credentials, never real ones.

[environment]
name = "local"
description = "Bundled reference deployment (facturino-reference up, port base {base})"

[target]
url = "https://localhost:{https}"
http_url = "http://localhost:{http}"
ca_file = "{ca_file}"
connect_timeout = 2.0
read_timeout = 8.0

[app]
env = "production"
name = "Facturino"

[database]
{engine}host = "127.0.0.1"
port = {db_port}
name = "facturino"
user = "facturino"
password = "${{FACTURINO_LOCAL_DB_PASSWORD:-reference-db-secret}}"
newest_migration = "2026_08_18_000001_make_audit_logs_company_id_nullable"
migrations_manifest = "{manifest}"

[redis]
host = "127.0.0.1"
port = {redis}
password = "${{FACTURINO_LOCAL_REDIS_PASSWORD:-reference-redis-secret}}"
prefix = "facturino_"
cache_prefix = "mkaccounting_cache"
cache_db = 1
session_db = {session_db}
queue_db = 3
# What the app uses Redis for (its CACHE_STORE, SESSION_DRIVER; QUEUE_CONNECTION: [queue]).
cache_store = "{cache_store}"
session_driver = "{session_driver}"

[queue]
connection = "{queue_connection}"

[accounts.admin]
email = "admin@facturino.test"
password = "${{FACTURINO_LOCAL_ADMIN_PASSWORD:-reference-admin-secret}}"

[accounts.partner]
email = "partner@facturino.test"
password = "${{FACTURINO_LOCAL_PARTNER_PASSWORD:-reference-partner-secret}}"

[metrics]
# The real app has no auth on /metrics (routes/web.php:170: only the monitoring feature
# flag gates it), and neither has this deployment: anonymous scrapes are expected to work.
# The runbook wants "admin auth required": prod.toml and staging.toml keep that demand.
expect = "open"

[run]
budget_seconds = 20

[dns]
# The deployment's DNS provider: its own authoritative server (dnsserver.py), serving the
# runbook's records for its host (A localhost, CNAME www.localhost -> localhost).
resolver = "127.0.0.1:{dns}"
cnames = {{ "www.localhost" = "localhost" }}

[release]
# The release this build is: its version.md (a deployment reporting another did not go out).
version = "{release}"
{expect}
[expect.tls]
# The local CA issues its certificate (a reference has no Let's Encrypt one; the suite's
# default issuer stays Let's Encrypt, the runbook's).
issuer_organization = "{issuer}"

[shell]
prefix = ["{home}/bin/app-shell"]

[variables]
# printenv in the "container" (the default); source = "railway" reads the service's variables
# from the stand-in CLI instead (railwaycli.py: `railway variables --kv`).
railway = ["{home}/bin/railway"]

[backups]
folder = "{backups}"
{bucket}
[predeploy]
# The next release's checkout and its artisan (release.py): the rehearsal migrates a restored
# copy of the newest backup with it, never this deployment's database.
migrate = ["{release_dir}/artisan"]
workdir = "{release_dir}"
timeout = 120
{last_good}
[features.efaktura]
# The deployment's own CA issued the XML signer's certificate (storage/certificates).
trust_anchor = "{ca_file}"

[perf]
# A probe may travel through the queue: the app's own harmless job, as the real app has it
# (BackfillTaxReturnsJob in dry-run mode only reads storage and logs).
queue_probe = "database"
queue_probe_job = "App\\\\Jobs\\\\BackfillTaxReturnsJob"

[monitoring]
window_seconds = 2.0

[allow]
writes = true
browser = true
shell = true
queue_work = true
"""
# Written only when the deployment runs its S3-compatible bucket (`up --with-bucket`).
_BUCKET = """
[backups.bucket]
bucket = "{bucket}"
endpoint = "{endpoint}"
region = "{region}"
access_key_id = "{key}"
secret_access_key = "${{FACTURINO_LOCAL_S3_SECRET:-reference-backup-secret}}"
"""


def _app_env(layout: HomeLayout) -> dict[str, str]:
    return read_env_file(layout.app_env) if layout.app_env.exists() else {}


def _bucket_section(layout: HomeLayout) -> str:
    env = _app_env(layout)
    if not env.get("R2_BACKUP_BUCKET"):
        return ""
    return _BUCKET.format(
        bucket=env["R2_BACKUP_BUCKET"],
        endpoint=env["R2_BACKUP_ENDPOINT"],
        region=env.get("R2_BACKUP_REGION", "auto"),
        key=env["R2_BACKUP_KEY"],
    )


def manifest_path() -> str:
    return str(resources.files("facturino_reference").joinpath("migrations.txt"))


# Under `MK_HEALTH_CHECKS=fixed` every /health sub-check can report a problem, so a `true` is
# evidence; the real controller's five that cannot fail are named by the suite's default.
_FIXED_HEALTH = """
[expect]
# This app's HealthController can fail every sub-check (MK_HEALTH_CHECKS=fixed).
health_checks_cannot_fail = []
"""
# config/database.php's Redis connections and the `.env` key of each one's DB number.
_CONNECTION_DBS = {"default": "REDIS_DB", "cache": "REDIS_CACHE_DB", "session": "REDIS_SESSION_DB"}


def _session_db(env: Mapping[str, str]) -> str:
    """Redis sessions live on the connection SESSION_CONNECTION names; unset: `default`."""
    key = _CONNECTION_DBS.get(env.get("SESSION_CONNECTION") or "default", "REDIS_DB")
    return env.get(key, "0")


def _last_good(layout: HomeLayout) -> str:
    """The release this deployment replaced, if any (a first deployment has none)."""
    previous = previous_release(layout)
    if previous is None:
        return "# No last_good_release: a first deployment has nothing to roll back to.\n"
    shows = "# The deployment to roll back to (`railway status` would show its id).\n"
    return f'{shows}last_good_release = "{previous}"\n'


def write_environment_file(
    layout: HomeLayout, base: int, ports: dict[str, int], intended: Mapping[str, str] | None = None
) -> None:
    """`intended`: the app's `.env` as the deployment means it, before any fault changed it
    (an environment file describes what the deployment should be, not its faults)."""
    env = intended if intended is not None else _app_env(layout)
    fixed = env.get("MK_HEALTH_CHECKS", "fixed") == "fixed"
    text = _TEMPLATE.format(
        home=layout.root,
        env_file=layout.environment_toml,
        base=base,
        ca_file=layout.ca_pem,
        manifest=manifest_path(),
        backups=layout.backups,
        bucket=_bucket_section(layout),
        queue_connection=env.get("QUEUE_CONNECTION", "database"),
        cache_store=env.get("CACHE_STORE", "database"),
        session_driver=env.get("SESSION_DRIVER", "database"),
        session_db=_session_db(env),
        expect=_FIXED_HEALTH if fixed else "",
        release=RELEASE,
        release_dir=layout.root / RELEASE_FOLDER,
        last_good=_last_good(layout),
        issuer=tls.ORGANIZATION,
        # Only MySQL names its engine: PostgreSQL is the suite's default (the contract).
        engine='engine = "mysql"\n' if "mysql" in ports else "",
        db_port=db_port(ports),
        **ports,
    )
    layout.environment_toml.write_text(text, encoding="utf-8")
