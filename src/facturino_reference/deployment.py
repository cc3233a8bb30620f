"""Start and stop a whole reference deployment: the Python API behind the CLI."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

import psycopg

from facturino_reference import (
    assets,
    buildcache,
    dnsserver,
    mariadb,
    mysqlconn,
    postgres,
    redisproc,
    seed,
    tls,
)
from facturino_reference.appenv import (
    Secrets,
    base_env,
    new_app_key,
    read_env_file,
    write_env_file,
)
from facturino_reference.envfile import write_environment_file
from facturino_reference.errors import DeploymentError
from facturino_reference.faults import apply_rows, env_overrides, parse_fault_args
from facturino_reference.faults import ops as ops_faults
from facturino_reference.faults import perf as perf_faults
from facturino_reference.paths import HomeLayout, resolve_home
from facturino_reference.procs import (
    is_ours,
    log_tail,
    pid_alive,
    port_in_use,
    spawn_detached,
    stop_many,
    wait_for_ports,
)
from facturino_reference.profiles import DEFAULT_PROFILE, profile_named
from facturino_reference.state import DB_ENGINES, PORT_LABELS, State, ports_for
from facturino_reference.teardown import child_fingerprint, down_home, status_of, stop_processes
from facturino_reference.web.crypto import parse_app_key

DEFAULT_PORT_BASE = 18000
# routes/webhooks.php as the build ships it (the app registers these routes when it is there).
WEBHOOK_ROUTES = """<?php
Route::post('/webhooks/paddle', [WebhookController::class, 'paddle']);
Route::post('/webhooks/stripe', [WebhookController::class, 'stripe']);
Route::post('/webhooks/cpay', [WebhookController::class, 'cpay']);
"""
DEFAULT_USER_RATE = 10.0  # requests/s of the simulated users (users.py)
QUEUE_CONNECTIONS = ("database", "redis")  # QUEUE_CONNECTION: the baked default, the runbook's
_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


def _web_mode(faults: Mapping[str, str | None]) -> str:
    if "app_down" in faults:
        return "off"
    return "hung" if "hung" in faults else "serve"


def _check_app_key(app_key: str) -> None:
    """AES-256-CBC needs 32 bytes; a bad FACTURINO_LOCAL_APP_KEY would only crash the server."""
    try:
        size = len(parse_app_key(app_key))
    except ValueError:
        size = -1
    if size != 32:
        raise DeploymentError(
            "FACTURINO_LOCAL_APP_KEY must be `base64:` + 32 base64-encoded bytes "
            '(generate one with: python -c "import os,base64;'
            "print('base64:'+base64.b64encode(os.urandom(32)).decode())\")"
        )


def free_port_base(start: int = 28000, stop: int = 32000, step: int = 500) -> int:
    """A port base whose four ports are all free now (racy, like any such probe).

    Stays below 32768: Linux hands out ephemeral client ports above that, and a client's
    TIME-WAIT on, say, 59080 blocks a listener there for a minute.
    """
    for base in range(start, stop, step):
        if not any(port_in_use(port) for port in ports_for(base).values()):
            return base
    raise DeploymentError(f"no free port base between {start} and {stop}")


class Deployment:
    """One reference deployment: `Deployment(home, port_base, faults).up()` ... `.down()`.

    `faults` is `{"name": value-or-None}` or an iterable of `"name[=value]"` strings. `users`
    starts simulated users making that many requests per second (users.py; `error_burst`
    starts them at the default rate). Also a context manager: `with Deployment(...) as dep:`
    runs `up()` and always `down()`.
    """

    def __init__(
        self,
        home: str | Path | None = None,
        port_base: int = DEFAULT_PORT_BASE,
        faults: Mapping[str, str | None] | Iterable[str] = (),
        users: float = 0.0,
        queue_connection: str = "database",
        profile: str = DEFAULT_PROFILE,
        db: str | None = None,
    ) -> None:
        self.layout = HomeLayout(resolve_home(str(home) if home is not None else None))
        if not 0 < port_base <= 65535 - 443:
            raise DeploymentError(f"--port-base {port_base} puts ports outside 1..65535")
        self.profile = profile_named(profile)  # which Facturino: upstream as it is, or fixed
        db = db or self.profile.db  # upstream runs on MySQL as production does
        if db not in DB_ENGINES:
            raise DeploymentError(f"--db {db!r}: choose one of " + ", ".join(DB_ENGINES))
        self.db = db  # the database engine: PostgreSQL 15, or MariaDB as production's MySQL
        self.port_base = port_base
        self.ports = ports_for(port_base, db)
        self.faults = dict(faults) if isinstance(faults, Mapping) else parse_fault_args(faults)
        parse_fault_args(self.faults)  # validates names given as a mapping, too
        self.users = users or (DEFAULT_USER_RATE if "error_burst" in self.faults else 0.0)
        if queue_connection not in QUEUE_CONNECTIONS:
            raise DeploymentError(
                f"--queue-connection {queue_connection!r}: choose one of "
                + ", ".join(QUEUE_CONNECTIONS)
            )
        self.queue_connection = queue_connection  # where the app dispatches its jobs
        self._intended: dict[str, str] = {}  # the `.env` before faults (up() fills it)

    @property
    def home(self) -> Path:
        return self.layout.root

    @property
    def url(self) -> str:
        return f"https://localhost:{self.ports['https']}"

    @property
    def http_url(self) -> str:
        return f"http://localhost:{self.ports['http']}"

    @property
    def ca_file(self) -> Path:
        return self.layout.ca_pem

    @property
    def env_file(self) -> Path:
        return self.layout.environment_toml

    def __enter__(self) -> Deployment:
        self.up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    def down(self) -> bool:
        """Stop everything this home started and delete it; False if nothing was there."""
        return down_home(self.layout.root)

    def status(self) -> dict[str, object]:
        return status_of(self.layout.root)

    def up(self) -> State:
        """Start everything in the background; return once HTTPS answers (or is meant not to)."""
        creds = Secrets.from_environ()
        overrides = env_overrides(self.faults)
        intended = {**base_env(self.ports, new_app_key(), creds), **self.profile.env()}
        env = {**intended, **overrides}
        # --queue-connection, unless a fault's configuration names the connection itself.
        self.queue_connection = overrides.get("QUEUE_CONNECTION", self.queue_connection)
        env["QUEUE_CONNECTION"] = intended["QUEUE_CONNECTION"] = self.queue_connection
        self._intended = intended  # what the deployment is meant to be: environment.toml
        _check_app_key(env["APP_KEY"])
        self._replace_previous()
        if self.db == "mysql":
            mariadb.check_reachable(self.layout.mysql_data)
        else:
            postgres.check_reachable(self.home)
        self._check_ports()
        self._prepare_home()
        state = State(
            str(self.home),
            self.port_base,
            self.ports,
            self.faults,
            env["APP_KEY"],
            _web_mode(self.faults),
            started_at=time.time(),
            profile=self.profile.name,
            db=self.db,
        )
        write_env_file(self.layout.app_env, env)
        state.save(self.layout.state_file)
        try:
            self._start_all(state, env, creds)
        except BaseException:
            self._abort(state)
            raise
        return state

    def _start_all(self, state: State, env: dict[str, str], creds: Secrets) -> None:
        ca = tls.write_tls(
            self.layout,
            server_days=3 if "tls_expiring" in self.faults else 90,
            server_host="app.facturino.mk" if "tls_wrong_host" in self.faults else None,
            ca_organization=tls.OTHER_ORGANIZATION
            if "unexpected_issuer" in self.faults
            else tls.ORGANIZATION,
        )
        tls.write_signer(
            self.layout,
            ca,
            days=5 if "signer_cert_expiring" in self.faults else 365,
            with_key=not {"xml_unsigned", "xml_signer_key_missing"} & set(self.faults),
        )
        if "signer_cert_missing" in self.faults:  # configured, but never uploaded
            self.layout.signer_cert.unlink()
        self._write_app_files()
        buildcache.build(self.layout, env)  # the entrypoint's cache steps (profile and faults)
        if state.web_mode != "off":  # importing the web stack takes ~0.7 s: start it first
            self._spawn(state, "server")
        bank = ["--bank-failing"] if "bank_sync_fails" in self.faults else []
        self._spawn(state, "sandbox", *bank)  # the PSD2 bank and other third parties
        # The DNS provider's records for the app's host (its own process: DNS is not the app).
        dnsserver.write_zone(self.layout, "localhost", set(self.faults))
        self._spawn(state, "dnsserver")
        state.pids["redis"] = redisproc.start(
            self.layout, self.ports["redis"], creds.redis_password
        )
        state.save(self.layout.state_file)
        self._start_database(state, creds)
        perf_faults.apply_cache(env, self.faults)
        if {"queue_worker_dead", "bank_worker_dead", *ops_faults.NO_WORKER} & set(self.faults):
            state.stopped.append("worker")
        else:
            self._spawn(state, "worker")
        # The shell entry, the bucket (when asked), the last scheduled backup, ops faults.
        ops_faults.after_start(self.layout, self.port_base, state.pids, env, self.faults)
        state.save(self.layout.state_file)
        self._apply_outages(state)
        self._wait_web(state)
        self._wait_sandbox(state)
        self._wait_dns(state)
        if self.users > 0 and state.web_mode == "serve":
            self._spawn(state, "users", "--rate", str(self.users))
        write_environment_file(self.layout, self.port_base, self.ports, self._intended)
        state.ready = True
        state.save(self.layout.state_file)

    def _replace_previous(self) -> None:
        """A deployment already in this home is stopped first (documented in --help)."""
        root = self.layout.root
        if root.exists() and any(root.iterdir()) and not self.layout.marker.exists():
            raise DeploymentError(
                f"{root} exists and is not a facturino-reference home; choose another --home"
            )
        down_home(root)

    def _check_ports(self) -> None:
        for name, port in self.ports.items():
            if port_in_use(port):
                raise DeploymentError(
                    f"port {port} ({PORT_LABELS[name]}) is already in use on 127.0.0.1; run "
                    "`facturino-reference down` for the deployment using it, or choose "
                    "another --port-base"
                )

    def _prepare_home(self) -> None:
        root = self.layout.root
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # the postgres user must traverse it to reach pgdata
        self.layout.marker.write_text("facturino-reference deployment home\n")
        ops_faults.prepare_storage(self.layout, self.faults)  # before anything is written there
        for directory in (
            self.layout.logs,
            self.layout.public_disk,
            self.layout.storage / "framework",
            self.layout.backups,
        ):
            directory.mkdir(parents=True, exist_ok=True)

    def _write_app_files(self) -> None:
        """State files the app reads: install marker, maintenance marker, front-end build."""
        if "installer_open" not in self.faults:
            self.layout.install_marker.write_text(str(int(time.time())))
        if "maintenance_mode" in self.faults:
            # The payload `php artisan down --retry=60` writes to storage/framework/down.
            payload: dict[str, object] = {
                "except": [],
                "redirect": None,
                "retry": 60,
                "refresh": None,
                "secret": None,
                "status": 503,
                "template": None,
            }
            self.layout.maintenance_file.write_text(json.dumps(payload))
        assets.build(self.layout, include_js="login_assets_missing" not in self.faults)
        if "env_file_public" in self.faults:  # a deploy step's `cp .env public/`
            shutil.copyfile(self.layout.app_env, self.layout.public / ".env")
        if "webhook_unrouted" not in self.faults:  # a build that lost routes/webhooks.php
            self.layout.route_files.mkdir(parents=True, exist_ok=True)
            self.layout.webhook_routes.write_text(WEBHOOK_ROUTES, encoding="utf-8")
        perf_faults.write_version_file(self.layout.root, self.faults)

    def _spawn(self, state: State, module: str, *args: str) -> None:
        env = dict(os.environ)
        # Works whether or not the package is installed (e.g. run from a source checkout).
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_PARENT, env.get("PYTHONPATH")]))
        argv = [sys.executable, "-m", f"facturino_reference.{module}", "--home", str(self.home)]
        argv += args
        log = self.layout.logs / f"{module}.log"
        state.pids[module] = spawn_detached(argv, log, env=env, cwd=self.home)
        state.save(self.layout.state_file)

    def _start_database(self, state: State, creds: Secrets) -> None:
        if self.db == "mysql":
            self._start_mysql(state, creds)
            return
        postgres.init_cluster(self.layout)
        state.pids["postgres"] = postgres.start(self.layout, self.ports["postgres"])
        state.save(self.layout.state_file)
        postgres.create_app_database(self.layout, self.ports["postgres"], creds.db_password)
        with psycopg.connect(
            host="127.0.0.1",
            port=self.ports["postgres"],
            dbname="facturino",
            user="facturino",
            password=creds.db_password,
        ) as conn:
            seed.apply_schema(conn)
            seed.record_migrations(conn)
            env = read_env_file(self.layout.app_env)
            seed.seed(conn, creds, state.app_key, env.get("MK_HASHIDS_SALT", "key_then_class"))
            apply_rows(conn, self.layout, env, self.faults, self.queue_connection)

    def _start_mysql(self, state: State, creds: Secrets) -> None:
        """MariaDB in the home: the same schema, migration rows, seed and fault rows."""
        mariadb.install(self.layout.mysql_data)
        server = mariadb.start(
            self.layout.mysql_data,
            self.ports["mysql"],
            creds.db_password,
            log=self.layout.logs / "mariadb.log",
        )
        state.pids["mysql"] = server.pid
        state.save(self.layout.state_file)
        info = mysqlconn.MySQLInfo(
            server.host, server.port, server.database, server.user, server.password
        )
        with mysqlconn.connect(info) as conn:
            seed.apply_mysql_schema(conn)
            seed.record_migrations(conn)
            env = read_env_file(self.layout.app_env)
            seed.seed(conn, creds, state.app_key, env.get("MK_HASHIDS_SALT", "key_then_class"))
            apply_rows(conn, self.layout, env, self.faults, self.queue_connection)

    def _apply_outages(self, state: State) -> None:
        if "db_down" in self.faults and self.db == "mysql":
            stop_many([mariadb.stop_target(self.layout.mysql_data, state.pids["mysql"])])
            state.stopped.append("mysql")
        elif "db_down" in self.faults:
            postgres.stop(self.layout, state.pids["postgres"])
            state.stopped.append("postgres")
        if "redis_down" in self.faults:
            redisproc.stop(self.ports["redis"], state.pids["redis"])
            state.stopped.append("redis")
        state.save(self.layout.state_file)

    def _wait_web(self, state: State) -> None:
        if state.web_mode == "off":
            return
        pid = state.pids["server"]
        fingerprint = child_fingerprint("server", self.home)
        ports = [self.ports["https"], self.ports["http"]]
        if not wait_for_ports(ports, 15.0, lambda: is_ours(pid, fingerprint)):
            tail = log_tail(self.layout.logs / "server.log")
            raise DeploymentError(
                f"the web server did not start on ports {ports[0]}/{ports[1]}: "
                f"{tail or 'no output'} (see {self.layout.logs}/server.log)"
            )

    def _wait_sandbox(self, state: State) -> None:
        pid, port = state.pids["sandbox"], self.ports["psd2"]
        fingerprint = child_fingerprint("sandbox", self.home)
        if not wait_for_ports([port], 10.0, lambda: is_ours(pid, fingerprint)):
            tail = log_tail(self.layout.logs / "sandbox.log")
            raise DeploymentError(
                f"the sandbox services did not start on port {port}: {tail or 'no output'}"
            )

    def _wait_dns(self, state: State) -> None:
        pid, port = state.pids["dnsserver"], self.ports["dns"]
        fingerprint = child_fingerprint("dnsserver", self.home)
        if not wait_for_ports([port], 10.0, lambda: is_ours(pid, fingerprint)):
            tail = log_tail(self.layout.logs / "dnsserver.log")
            raise DeploymentError(
                f"the DNS server did not start on port {port}: {tail or 'no output'}"
            )

    def _abort(self, state: State) -> None:
        """Stop what started, but keep the home (and its logs) for a post-mortem."""
        stop_processes(self.layout, state)
        for name, pid in state.pids.items():
            if pid_alive(pid):
                print(f"warning: {name} (pid {pid}) still running", file=sys.stderr)
