"""The restore drill's throwaway MariaDB, for a MySQL dump (spatie's ``db-dumps/mysql-*.sql``):
a private server in a temporary directory, its own data directory, reachable only through its
Unix socket (``--skip-networking``), stopped and removed afterwards.

Never the production server, and never a server this machine happens to run: no option file
is read (``--no-defaults``). As root the server runs as ``mysql`` (as Debian runs it); the
caller signs in as itself over the socket (MariaDB's socket authentication), so there is no
password to invent.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dialect import MYSQL, Dialect
from .restore import DrillUnavailable, ThrowawayServer

if TYPE_CHECKING:
    from pymysql.connections import Connection

START_SECONDS = 30.0


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
        if found:
            return found
    return None


class ThrowawayMariaDB(ThrowawayServer):
    """``with ThrowawayMariaDB() as server:`` → install, start, database ``restore``."""

    dialect: Dialect = MYSQL

    def __init__(self, database: str = "restore") -> None:
        self.database = database
        self.root = Path()
        self._server: subprocess.Popen[bytes] | None = None
        self._user = "root" if os.geteuid() == 0 else getpass.getuser()

    @property
    def socket(self) -> Path:
        return self.root / "mysqld.sock"

    def _start(self) -> None:
        server, installer = _binary("mariadbd", "mysqld"), _binary("mariadb-install-db")
        if server is None or installer is None:
            raise DrillUnavailable(
                "no MariaDB server binaries for a MySQL dump (install `mariadb-server`)"
            )
        self.root.chmod(0o755)
        as_mysql = ["--user=mysql"] if os.geteuid() == 0 else []
        if as_mysql:
            entry = pwd.getpwnam("mysql")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        data, tmp = self.root / "data", self.root / "tmp"
        tmp.mkdir()
        if as_mysql:
            os.chown(tmp, entry.pw_uid, entry.pw_gid)
        # Its own tmpdir, not the shared /tmp: bootstraps side by side there lose their
        # temporary tables now and then ("Unknown table 'mysql.tmp_user_sys'").
        common = ["--no-defaults", f"--datadir={data}", f"--tmpdir={tmp}", *as_mysql]
        done = subprocess.run(
            [installer, *common, "--auth-root-authentication-method=socket", "--skip-test-db"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            detail = [line for line in lines if "ERROR" in line] or lines[-1:] or ["no output"]
            raise DrillUnavailable(f"throwaway MariaDB install failed: {detail[0]}")
        self._server = subprocess.Popen(
            [
                *(server, *common, f"--socket={self.socket}", "--skip-networking"),
                *(f"--pid-file={self.root / 'mariadbd.pid'}", "--skip-log-bin"),
                f"--log-error={self.root / 'server.log'}",
                *("--default-time-zone=+00:00", "--character-set-server=utf8mb4"),
                *("--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready()
        with self.connect(database="") as conn, conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")

    def _wait_ready(self) -> None:
        import pymysql

        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self._server and self._server.poll() is None:
            try:
                self.connect(database="").close()
                return
            except pymysql.Error:
                time.sleep(0.05)
        log = self.root / "server.log"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        raise DrillUnavailable(f"throwaway MariaDB did not start: {(tail or ['no log'])[0]}")

    def connect(self, database: str | None = None) -> Connection[Any]:
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket),
            user=self._user,
            database=self.database if database is None else (database or None),
            autocommit=True,
            connect_timeout=5,
            init_command="SET time_zone = '+00:00'",
        )

    def loader(self) -> list[str]:
        """The command that reads the dump on stdin: stops at the first error."""
        client = _binary("mariadb", "mysql")
        if client is None:
            raise DrillUnavailable("no MariaDB client (`mariadb`) to load the dump")
        return [
            *(client, "--no-defaults", f"--socket={self.socket}", f"--user={self._user}"),
            *("--binary-mode", self.database),
        ]

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]

    def records(self, sql: str) -> list[dict[str, Any]]:
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute(sql)
            names = [c[0] for c in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._server is not None:
            self._server.terminate()  # mariadbd's clean shutdown
            try:
                self._server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None
        if self.root != Path() and self.root.exists():
            with contextlib.suppress(OSError):
                shutil.rmtree(self.root, ignore_errors=True)
