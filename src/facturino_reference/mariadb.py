"""A private, throwaway MariaDB server in a directory of its own (Debian's mariadb-server 10.11).

`install(datadir)` once, then `start(datadir, port, password)` returns a running `MariaDB` with
its connection details; `stop(server)` ends it. Nothing is shared with a system MariaDB on 3306:
no option files are read (`--no-defaults`), the data directory, socket, pid file and log are the
caller's, and the server listens on 127.0.0.1 only.

When we are root the server drops to the `mysql` user (as Debian runs it), so the data
directory's parents must be enterable by `mysql` (`check_reachable`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pymysql
from pymysql.cursors import Cursor

from facturino_reference.errors import DeploymentError
from facturino_reference.procs import Target, log_tail, pid_alive, spawn_detached, stop_many

MARIADBD = Path(os.environ.get("FACTURINO_REFERENCE_MARIADBD", "/usr/sbin/mariadbd"))
APP_USER = "facturino"
APP_DATABASE = "facturino"
SOCKET_NAME = "mysqld.sock"
PID_NAME = "mariadbd.pid"
_INIT_NAME = "init.sql"
# A disposable server that must start in well under a second: small InnoDB files, no
# doublewrite, no flush per commit, no binary log, no performance schema. UTC like the app
# (Laravel writes naive UTC timestamps), utf8mb4 like its config/database.php.
_FAST_INNODB = (
    "--innodb-log-file-size=8M",
    "--innodb-buffer-pool-size=16M",
    "--innodb-data-file-path=ibdata1:4M:autoextend",
    "--innodb-doublewrite=0",
    "--innodb-flush-log-at-trx-commit=0",
    "--skip-innodb-buffer-pool-load-at-startup",
    "--skip-log-bin",
)
_SERVER_OPTS = (
    *_FAST_INNODB,
    "--skip-name-resolve",
    "--performance-schema=OFF",
    "--default-time-zone=+00:00",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
)


@dataclass(frozen=True)
class MariaDB:
    """A running private server: where it is and how the app user signs in."""

    datadir: Path
    port: int
    password: str
    pid: int
    user: str = APP_USER
    database: str = APP_DATABASE
    host: str = "127.0.0.1"

    @property
    def socket(self) -> Path:
        return self.datadir / SOCKET_NAME

    @property
    def dsn(self) -> str:
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        return f"mysql://{user}:{password}@{self.host}:{self.port}/{self.database}"

    def connect(self, timeout: float = 10.0) -> pymysql.connections.Connection[Cursor]:
        """A PyMySQL connection as the app user over TCP (autocommit, UTC session)."""
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=self.database,
            autocommit=True,
            init_command="SET time_zone = '+00:00'",
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
        )


def _is_root() -> bool:
    return os.geteuid() == 0


def _give_to_mysql(path: Path) -> None:
    if _is_root():
        entry = pwd.getpwnam("mysql")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def check_reachable(datadir: Path) -> None:
    """As root the server runs as `mysql`, which must walk down to `datadir` (pytest's 0700)."""
    if not _is_root():
        return
    for ancestor in datadir.parents:
        if ancestor.exists() and not ancestor.stat().st_mode & stat.S_IXOTH:
            raise DeploymentError(
                f"MariaDB runs as user mysql, which cannot enter {ancestor} "
                f"(mode {oct(ancestor.stat().st_mode & 0o777)}); use a directory under a "
                "world-traversable one such as /tmp"
            )


def tmpdir_of(datadir: Path) -> Path:
    """The server's own temporary directory, beside its data directory. Not the shared /tmp:
    bootstraps running side by side there fail now and then with `Could not remove temporary
    table: '/tmp/#sql-temptable-...', error: 2` and `Unknown table 'mysql.tmp_user_sys'` (3 of
    12 parallel installs failed; 0 of 16 with a private tmpdir)."""
    return datadir.with_name(f"{datadir.name}-tmp")


def _private_tmpdir(datadir: Path) -> Path:
    tmp = tmpdir_of(datadir)
    tmp.mkdir(mode=0o750, exist_ok=True)
    _give_to_mysql(tmp)
    return tmp


def _user_args() -> list[str]:
    # mariadbd refuses to run as root unless told a user; drop to `mysql` like Debian does.
    return ["--user=mysql"] if _is_root() else []


def install(datadir: Path) -> None:
    """Create the system tables in a new, empty `datadir` (about 2 s)."""
    installer = shutil.which("mariadb-install-db")
    if installer is None or not MARIADBD.exists():
        raise DeploymentError("MariaDB not found (apt-get install mariadb-server)")
    check_reachable(datadir)
    datadir.mkdir(mode=0o750)
    _give_to_mysql(datadir)
    argv = [
        installer,
        "--no-defaults",
        f"--datadir={datadir}",
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
        "--skip-name-resolve",
        f"--tmpdir={_private_tmpdir(datadir)}",
        *_user_args(),
        *_FAST_INNODB,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        # The first error says why (a failed bootstrap statement prints `ERROR: 1051 ...`
        # without brackets); the last line is only "[ERROR] Aborting".
        errors = [line for line in lines if "ERROR" in line] or lines[-1:] or ["no output"]
        raise DeploymentError(f"mariadb-install-db failed: {errors[0]}")


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _init_sql(user: str, database: str, password: str) -> str:
    """Run by the server at start as superuser: the app user exists before anyone connects.

    An init file instead of a root session: no root password to invent, no socket-auth
    dependence on who we run as. Idempotent, so a restart runs it again harmlessly.
    """
    pw = _quote(password)
    return "\n".join(
        [
            "DELETE FROM mysql.global_priv WHERE User = '';",  # anonymous users
            "FLUSH PRIVILEGES;",
            f"CREATE USER IF NOT EXISTS '{user}'@'127.0.0.1' IDENTIFIED BY {pw};",
            f"CREATE USER IF NOT EXISTS '{user}'@'localhost' IDENTIFIED BY {pw};",
            f"CREATE DATABASE IF NOT EXISTS `{database}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
            f"GRANT ALL PRIVILEGES ON `{database}`.* "
            f"TO '{user}'@'127.0.0.1', '{user}'@'localhost';",
            "",
        ]
    )


def _server_argv(datadir: Path, port: int, log: Path, init_file: Path) -> list[str]:
    return [
        str(MARIADBD),
        "--no-defaults",  # must come first: never read /etc/mysql (the system server's)
        f"--datadir={datadir}",
        f"--socket={datadir / SOCKET_NAME}",
        f"--pid-file={datadir / PID_NAME}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--log-error={log}",
        f"--init-file={init_file}",
        f"--secure-file-priv={datadir}",
        f"--tmpdir={_private_tmpdir(datadir)}",
        *_user_args(),
        *_SERVER_OPTS,
    ]


def start(
    datadir: Path,
    port: int,
    password: str,
    log: Path | None = None,
    user: str = APP_USER,
    database: str = APP_DATABASE,
    timeout: float = 30.0,
) -> MariaDB:
    """Start the server on 127.0.0.1:`port`; return once `user` can sign in with `password`."""
    log = log or datadir.parent / "mariadb.log"
    log.touch()
    _give_to_mysql(log)
    init_file = datadir / _INIT_NAME
    init_file.write_text(_init_sql(user, database, password), encoding="utf-8")
    init_file.chmod(0o600)
    _give_to_mysql(init_file)
    pid = spawn_detached(_server_argv(datadir, port, log, init_file), log)
    server = MariaDB(datadir, port, password, pid, user, database)
    try:
        _wait_ready(server, log, timeout)
    finally:
        init_file.unlink(missing_ok=True)  # it holds the password; the server has read it
    return server


def _wait_ready(server: MariaDB, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    # Read timeout too: whatever else listens on a taken port may accept and never greet.
    while time.monotonic() < deadline and pid_alive(server.pid):
        try:
            server.connect(timeout=1).close()
            return
        except pymysql.MySQLError:
            time.sleep(0.02)
    stop(server)
    raise DeploymentError(
        f"MariaDB did not start on port {server.port}: {log_tail(log) or 'no log output'}"
    )


def server_pid(datadir: Path) -> int:
    """The pid from the server's pid file (0 if none): finds a server `state.json` missed."""
    try:
        return int((datadir / PID_NAME).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def stop_target(datadir: Path, pid: int) -> Target:
    """SIGTERM is mariadbd's clean shutdown; recognised by its --datadir argument."""
    return Target(pid, f"--datadir={datadir} ", sig=signal.SIGTERM, group=False)


def stop(server: MariaDB, timeout: float = 10.0) -> None:
    stop_many([stop_target(server.datadir, server.pid)], timeout=timeout)
