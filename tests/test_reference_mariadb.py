"""The private MariaDB server (facturino_reference.mariadb): its own datadir, port and password."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from facturino_reference import mariadb
from facturino_reference.errors import DeploymentError
from facturino_reference.procs import pid_alive, port_accepts

PASSWORD = "mariadb-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """A directory under /tmp (pytest's 0700 tmp dirs keep the `mysql` user out)."""
    path = Path(tempfile.mkdtemp(prefix="fr-mariadb-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[mariadb.MariaDB]:
    """One private server shared by the module, stopped at the end."""
    datadir = workdir / "data"
    mariadb.install(datadir)
    started = mariadb.start(datadir, _free_port(), PASSWORD, log=workdir / "mariadb.log")
    yield started
    mariadb.stop(started)


def test_app_user_signs_in_over_tcp_with_its_password(server: mariadb.MariaDB) -> None:
    with server.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER(), DATABASE(), @@time_zone, @@character_set_server")
        assert cur.fetchone() == ("facturino@127.0.0.1", "facturino", "+00:00", "utf8mb4")


def test_wrong_or_missing_password_is_refused(server: mariadb.MariaDB) -> None:
    for password in ("wrong", ""):
        with pytest.raises(pymysql.err.OperationalError) as refused:
            pymysql.connect(host="127.0.0.1", port=server.port, user="facturino", password=password)
        assert refused.value.args[0] == 1045  # ER_ACCESS_DENIED_ERROR


def test_no_anonymous_or_password_less_accounts(server: mariadb.MariaDB) -> None:
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host="127.0.0.1", port=server.port, user="", password="")
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host="127.0.0.1", port=server.port, user="root", password="")


def test_server_is_private(server: mariadb.MariaDB) -> None:
    """Its own data directory, port, socket and bind address: nothing of the system server."""
    with server.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT @@datadir, @@port, @@socket, @@bind_address, @@log_bin")
        datadir, port, sock, bind, log_bin = cur.fetchone() or ()
    assert Path(datadir) == server.datadir and port == server.port
    assert Path(sock) == server.socket and server.socket.is_socket()
    assert bind == "127.0.0.1" and log_bin == 0
    assert mariadb.server_pid(server.datadir) == server.pid
    assert not (server.datadir / "init.sql").exists(), "the init file holds the password"


def test_socket_connection_needs_the_password_too(server: mariadb.MariaDB) -> None:
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(unix_socket=str(server.socket), user="facturino", password="wrong")
    with (
        pymysql.connect(
            unix_socket=str(server.socket), user="facturino", password=PASSWORD
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT CURRENT_USER()")
        assert cur.fetchone() == ("facturino@localhost",)


def test_dsn_names_the_engine_and_the_port(server: mariadb.MariaDB) -> None:
    assert server.dsn == f"mysql://facturino:{PASSWORD}@127.0.0.1:{server.port}/facturino"


def test_stop_ends_the_server_and_a_restart_keeps_data(workdir: Path) -> None:
    datadir = workdir / "restart"
    mariadb.install(datadir)
    first = mariadb.start(datadir, _free_port(), PASSWORD)
    with first.connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE kept (id INT PRIMARY KEY)")
        cur.execute("INSERT INTO kept VALUES (7)")
    mariadb.stop(first)
    assert not pid_alive(first.pid) and not port_accepts(first.port)
    second = mariadb.start(datadir, first.port, PASSWORD)
    try:
        with second.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT id FROM kept")
            assert cur.fetchall() == ((7,),)
    finally:
        mariadb.stop(second)


def test_a_taken_port_is_a_deployment_error(workdir: Path) -> None:
    datadir = workdir / "busy"
    mariadb.install(datadir)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(DeploymentError, match="did not start on port"):
            mariadb.start(datadir, holder.getsockname()[1], PASSWORD, timeout=10)
    assert mariadb.server_pid(datadir) == 0 or not pid_alive(mariadb.server_pid(datadir))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to the mysql user")
def test_a_directory_mysql_cannot_enter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="cannot enter"):
        mariadb.install(tmp_path / "private" / "data")
