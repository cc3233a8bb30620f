"""A private, throwaway PostgreSQL 15 cluster inside the deployment home."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import stat
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from facturino_reference.errors import DeploymentError
from facturino_reference.paths import HomeLayout
from facturino_reference.procs import Target, stop_many

PG_BIN = Path(os.environ.get("FACTURINO_REFERENCE_PG_BIN", "/usr/lib/postgresql/15/bin"))
_HBA = (
    "# written by facturino-reference: superuser only over the private socket,\n"
    "# the app role with a password over TCP (as the app and the suite connect)\n"
    "local all postgres trust\n"
    "host all facturino 127.0.0.1/32 scram-sha-256\n"
)
# fsync/full_page_writes off: the cluster is disposable and `up` must be fast.
_SERVER_OPTS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c timezone=UTC -c log_timezone=UTC"
)


def _as_postgres() -> list[str]:
    """initdb refuses to run as root: run the server binaries as `postgres` when we are root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(_as_postgres() + argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DeploymentError(f"PostgreSQL {what} failed: {detail[0]}")


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def check_reachable(home: Path) -> None:
    """The `postgres` user must be able to walk down to the home (pytest tmp dirs are 0700)."""
    if os.geteuid() != 0:
        return
    for ancestor in home.parents:
        if ancestor.exists() and not ancestor.stat().st_mode & stat.S_IXOTH:
            raise DeploymentError(
                f"PostgreSQL runs as user postgres, which cannot enter {ancestor} "
                f"(mode {oct(ancestor.stat().st_mode & 0o777)}); use a --home under a "
                "world-traversable directory such as /tmp"
            )


def init_cluster(layout: HomeLayout) -> None:
    if shutil.which("runuser") is None and os.geteuid() == 0:
        raise DeploymentError("running as root needs `runuser` to start PostgreSQL as postgres")
    if not (PG_BIN / "initdb").exists():
        raise DeploymentError(f"PostgreSQL 15 binaries not found in {PG_BIN}")
    layout.pgdata.mkdir(mode=0o700)
    _give_to_postgres(layout.pgdata)
    _run(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(layout.pgdata),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "--no-instructions",
        ],
        "initdb",
    )
    (layout.pgdata / "pg_hba.conf").write_text(_HBA, encoding="utf-8")


def start(layout: HomeLayout, port: int) -> int:
    """Start the server (pg_ctl -w waits until it accepts connections); return its pid."""
    log = layout.logs / "postgres.log"
    log.touch()
    _give_to_postgres(log)
    opts = f"-p {port} -k {layout.pgdata} {_SERVER_OPTS}"
    _run(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(layout.pgdata),
            "-l",
            str(log),
            "-w",
            "-t",
            "15",
            "-o",
            opts,
            "start",
        ],
        f"start on port {port}",
    )
    return postmaster_pid(layout)


def postmaster_pid(layout: HomeLayout) -> int:
    try:
        return int((layout.pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return 0


def create_app_database(layout: HomeLayout, port: int, password: str) -> None:
    """Role `facturino` (password auth over TCP) owning database `facturino`."""
    with psycopg.connect(
        host=str(layout.pgdata), port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE facturino LOGIN PASSWORD {}").format(sql.Literal(password))
        )
        conn.execute("CREATE DATABASE facturino OWNER facturino")


def stop_target(layout: HomeLayout, pid: int) -> Target:
    """Fast shutdown (SIGINT) of the postmaster, recognised by its -D argument."""
    return Target(pid, f"-D {layout.pgdata} ", sig=signal.SIGINT, group=False)


def stop(layout: HomeLayout, pid: int) -> None:
    stop_many([stop_target(layout, pid)], timeout=10.0)
