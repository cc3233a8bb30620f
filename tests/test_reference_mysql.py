"""`facturino-reference up --db mysql`: the reference deployment on MariaDB, as production runs
MySQL. A private server (own data directory, own port, a password), the app on it, backups as
the app's PHP mysqldump writes them, the smoke gate GO, the database faults caught, `down`
leaving nothing behind."""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pymysql
import pytest

from facturino_reference import Deployment, free_port_base, mariadb
from facturino_reference.procs import pid_alive, port_accepts
from facturino_reference.state import State

from .reference_runs import claimed_ports, run_suite
from .test_fault_matrix import EXPECTED_FAILURES, not_judged_under, reference_on_a_free_base

DB_PASSWORD = "reference-db-secret"  # appenv.Secrets' default
# The faults that change the database or stop it: each must trip the same checks as on PostgreSQL.
DATABASE_FAULTS = ("db_down", "migrations_pending", "queue_stuck", "failed_jobs_spike")


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """One healthy `up --db mysql` shared by the module (under /tmp: `mysql` must reach it)."""
    with claimed_ports():
        home = Path(tempfile.mkdtemp(prefix="fr-mysql-", dir="/tmp"))
        dep = Deployment(home, free_port_base(), db="mysql")
        try:
            dep.up()
        except BaseException:
            dep.down()
            raise
    yield dep
    dep.down()


def _state(dep: Deployment) -> State:
    state = State.load(dep.layout.state_file)
    assert state is not None
    return state


def test_the_database_is_a_private_mariadb(deployment: Deployment) -> None:
    port = deployment.ports["mysql"]
    assert "postgres" not in deployment.ports and port == deployment.port_base + 306
    with (
        pymysql.connect(
            host="127.0.0.1",
            port=port,
            user="facturino",
            password=DB_PASSWORD,
            database="facturino",
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT @@datadir, @@bind_address, @@version, @@time_zone")
        datadir, bind, version, zone = cur.fetchone() or ()
        cur.execute("SELECT count(*) FROM migrations")
        migrations = (cur.fetchone() or (0,))[0]
    assert Path(datadir) == deployment.layout.mysql_data and bind == "127.0.0.1"
    assert "MariaDB" in version and zone == "+00:00"
    assert migrations > 400  # the app's migration rows, as on PostgreSQL
    assert (deployment.layout.mysql_data / mariadb.SOCKET_NAME).is_socket()
    assert _state(deployment).pids["mysql"] == mariadb.server_pid(deployment.layout.mysql_data)


def test_the_app_user_needs_its_password(deployment: Deployment) -> None:
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(
            host="127.0.0.1", port=deployment.ports["mysql"], user="facturino", password=""
        )
    assert refused.value.args[0] == 1045


def test_the_app_answers_from_mysql(deployment: Deployment) -> None:
    verify = ssl.create_default_context(cafile=str(deployment.ca_file))
    with httpx.Client(base_url=deployment.url, verify=verify, timeout=10.0) as client:
        health = client.get("/health", headers={"Accept": "application/json"})
        login = client.get("/login")
    assert health.status_code == 200, health.text
    assert health.json()["checks"]["database"] is True and health.json()["checks"]["queues"]
    assert login.status_code == 200


def test_the_environment_file_names_the_engine(deployment: Deployment) -> None:
    database = tomllib.loads(deployment.env_file.read_text())["database"]
    assert database["engine"] == "mysql" and database["port"] == deployment.ports["mysql"]
    app_env = deployment.layout.app_env.read_text()
    assert "DB_CONNECTION=mysql" in app_env


def test_the_backup_is_a_php_mysqldump_that_restores(deployment: Deployment) -> None:
    """`db-dumps/mysql-facturino.sql.gz` (spatie's name for a mysql connection), the PHP
    dumper's format, loaded by the mariadb client into a fresh server with every table."""
    archive = next((deployment.layout.backup_dir("Facturino")).glob("*.zip"))
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.namelist() == ["db-dumps/mysql-facturino.sql.gz"]
        dump = gzip.decompress(bundle.read("db-dumps/mysql-facturino.sql.gz"))
    text = dump.decode()
    assert text.startswith("-- PHP-based mysqldump") and "SET FOREIGN_KEY_CHECKS = 0;" in text
    assert "LOCK TABLES `invoices` WRITE;" in text
    assert text.rstrip().endswith("SET FOREIGN_KEY_CHECKS = 1;")
    work = Path(tempfile.mkdtemp(prefix="fr-mysql-restore-", dir="/tmp"))
    work.chmod(0o755)
    try:
        server = mariadb.start(_installed(work), free_port_base() + 306, "restore-secret")
        try:
            restored = _load(server, dump)
        finally:
            mariadb.stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert restored == {"invoices": 4, "users": 2}


def _installed(work: Path) -> Path:
    mariadb.install(work / "data")
    return work / "data"


def _load(server: mariadb.MariaDB, dump: bytes) -> dict[str, int]:
    subprocess.run(
        [
            *("mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(server.port)),
            *("-u", server.user, f"-p{server.password}", server.database),
        ],
        input=dump,
        check=True,
        capture_output=True,
    )
    counts: dict[str, int] = {}
    with server.connect() as conn, conn.cursor() as cur:
        for table in ("invoices", "users"):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = int((cur.fetchone() or (0,))[0])
    return counts


def test_the_smoke_gate_is_go_on_mysql(deployment: Deployment) -> None:
    run = run_suite(deployment.home)
    assert run.exit_code == 0, run.output[-3000:]
    assert run.named("failed") | run.named("error") | run.named("skipped") == set()
    recorded = run.properties["test_database_answers_select_1"]  # no PostgreSQL-only name
    assert recorded["database_engine"] == "mysql"
    assert "MariaDB" in recorded["database_server_version"]


@pytest.mark.parametrize("fault", DATABASE_FAULTS)
def test_a_database_fault_fails_the_same_checks_as_on_postgresql(fault: str) -> None:
    with reference_on_a_free_base([fault], ("--db", "mysql")) as home:
        run = run_suite(home)
    failing = run.named("failed") | run.named("error")
    not_judged = not_judged_under(EXPECTED_FAILURES[fault])  # a failed sign-in's checks
    assert run.exit_code != 0, run.output[-3000:]
    assert failing == EXPECTED_FAILURES[fault] - not_judged, run.output[-3000:]
    assert run.named("skipped") == not_judged


def test_down_stops_mariadb_and_removes_the_home() -> None:
    with claimed_ports():
        home = Path(tempfile.mkdtemp(prefix="fr-mysql-down-", dir="/tmp"))
        dep = Deployment(home, free_port_base(), ["db_down"], db="mysql")
        state = dep.up()
    assert not pid_alive(state.pids["mysql"])  # the fault stopped it on purpose
    assert dep.down() is True and not home.exists()
    assert not any(pid_alive(pid) for pid in state.pids.values())
    assert not any(port_accepts(port) for port in state.ports.values())
