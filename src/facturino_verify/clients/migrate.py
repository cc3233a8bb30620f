"""The migration rehearsal's runner: the release's ``php artisan migrate …`` run on this
machine, in the release checkout, against a throwaway copy the suite started itself.

Deliberately not the deployment's shell (``clients/shell.py`` runs only read-only commands,
inside the deployment): this runner writes, so it is given no way to reach production. The
command's environment is built from scratch (PATH, HOME, the locale) plus the throwaway's
connection in the DB_* variables Laravel's config/database.php reads, with DB_URL emptied
(it would override them); nothing of the operator's own environment (a DB_HOST exported for
other work, a DATABASE_URL) reaches it.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .mysqlrestore import ThrowawayMariaDB
from .restore import SOCKET_PORT, ThrowawayPostgres

# What a PHP process needs from the caller's environment to start at all.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "TZ")


@dataclass(frozen=True)
class MigrateRun:
    """One migrate command: its arguments, exit code (None: it did not finish), raw output
    (for parsing; ``shown`` is the masked one for reports) and wall time."""

    args: tuple[str, ...]
    exit_code: int | None
    output: str
    shown: str
    seconds: float

    @property
    def label(self) -> str:
        return " ".join(self.args)

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


def connection_env(server: ThrowawayPostgres | ThrowawayMariaDB) -> dict[str, str]:
    """The throwaway's connection as Laravel reads it: PostgreSQL's socket folder is its
    DB_HOST (PDO's pgsql takes a folder as host); MySQL's socket is DB_SOCKET."""
    if isinstance(server, ThrowawayPostgres):
        return {
            "DB_CONNECTION": "pgsql",
            **{"DB_HOST": str(server.root), "DB_PORT": str(SOCKET_PORT), "DB_SOCKET": ""},
            **{"DB_DATABASE": server.database, "DB_USERNAME": "postgres", "DB_PASSWORD": ""},
        }
    user = "root" if os.geteuid() == 0 else getpass.getuser()  # MariaDB's socket auth
    return {
        "DB_CONNECTION": "mysql",
        **{"DB_HOST": "localhost", "DB_PORT": "3306", "DB_SOCKET": str(server.socket)},
        **{"DB_DATABASE": server.database, "DB_USERNAME": user, "DB_PASSWORD": ""},
    }


class MigrationRunner:
    """``runner.run("migrate", "--pretend")``: ``command + args`` in ``workdir`` with only
    ``connection`` as its database, killed (with its children) after ``timeout`` seconds."""

    def __init__(
        self,
        command: Sequence[str],
        workdir: Path,
        timeout: float,
        connection: Mapping[str, str],
        redact: Callable[[str], str],
    ) -> None:
        self.command, self.workdir, self.timeout = tuple(command), workdir, timeout
        self.redact = redact
        passed = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        self.env = {
            **passed,
            **{"COLUMNS": "160", "NO_COLOR": "1", "DB_URL": "", "DATABASE_URL": ""},
            **connection,
        }

    def run(self, *args: str) -> MigrateRun:
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [*self.command, *args],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # Laravel prints a failed migration's error on stdout
                start_new_session=True,
            )
        except OSError as error:
            return self._result(args, None, f"{self.command[0]}: {error.strerror}", started)
        try:
            out, _ = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            said = out.decode(errors="replace")
            return self._result(args, None, f"{said}\n(no exit within {self.timeout:g} s)", started)
        return self._result(args, proc.returncode, out.decode(errors="replace"), started)

    def _result(
        self, args: tuple[str, ...], code: int | None, output: str, started: float
    ) -> MigrateRun:
        return MigrateRun(
            args, code, output, self.redact(output.strip()), time.monotonic() - started
        )


__all__ = ["MigrateRun", "MigrationRunner", "connection_env"]
