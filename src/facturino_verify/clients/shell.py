"""Commands inside the deployment, through the environment's prefix (``railway run``, ``ssh …
docker exec facturino_app``): a fixed allow-list of read-only commands, each with a timeout.

Nothing but the commands built here can run: :meth:`ShellClient.run` re-checks every argument
list against the allow-list, so a caller cannot smuggle in ``php artisan migrate`` or ``rm``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .errors import TargetError, TimedOut

NAME = re.compile(r"[A-Za-z0-9_.-]+")
# Shapes of every allowed command after the artisan prefix (or for df, the whole command).
_ARTISAN_SHAPES = (
    re.compile(r"migrate:status"),
    re.compile(r"backup:list"),
    re.compile(r"queue:monitor [A-Za-z0-9_.:,-]+ --max=\d+"),
    re.compile(r"queue:work --once --queue=[A-Za-z0-9_.,-]+ --stop-when-empty"),
    re.compile(r"about --only=drivers --json"),
    re.compile(r"about --only=cache --json"),
)
_DF = ("df", "-h")
# The whole environment, parsed and masked before anything of it is shown (checks/variables.py).
_PRINTENV = ("printenv",)
# The Railway CLI's one read: never `variables --set`, `run`, `up` or anything else.
_RAILWAY_SHAPE = re.compile(
    rf"variables --kv(?: --service {NAME.pattern})?(?: --environment {NAME.pattern})?"
)


class CommandUnavailable(TargetError):
    kind = "command not runnable"


@dataclass(frozen=True)
class Command:
    """One allowed command: what it is called in reports and the argv after the prefix (or
    the whole argv, for a command of this machine's own such as the Railway CLI)."""

    label: str
    argv: tuple[str, ...]
    prefixed: bool = True


@dataclass(frozen=True)
class ShellResult:
    command: Command
    exit_code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + (("\n" + self.stderr) if self.stderr.strip() else "")


def _names(values: Sequence[str], what: str) -> list[str]:
    for value in values:
        if not NAME.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not a plain name")
    return list(values)


def migrate_status(artisan: Sequence[str]) -> Command:
    return Command("php artisan migrate:status", (*artisan, "migrate:status"))


def backup_list(artisan: Sequence[str]) -> Command:
    return Command("php artisan backup:list", (*artisan, "backup:list"))


def queue_monitor(
    artisan: Sequence[str], connection: str, queues: Sequence[str], max_jobs: int
) -> Command:
    (connection,) = _names([connection], "connection")
    targets = ",".join(f"{connection}:{q}" for q in _names(queues, "queue"))
    return Command(
        f"php artisan queue:monitor {targets} --max={int(max_jobs)}",
        (*artisan, "queue:monitor", targets, f"--max={int(max_jobs)}"),
    )


def queue_work_once(artisan: Sequence[str], queue: str) -> Command:
    (queue,) = _names([queue], "queue")
    # --stop-when-empty: an empty queue ends the command at once instead of waiting for a job.
    args = ("queue:work", "--once", f"--queue={queue}", "--stop-when-empty")
    return Command("php artisan " + " ".join(args), (*artisan, *args))


def about_drivers(artisan: Sequence[str]) -> Command:
    """The app's cache store, queue connection and session driver as it runs (read-only)."""
    args = ("about", "--only=drivers", "--json")
    return Command("php artisan " + " ".join(args), (*artisan, *args))


def about_cache(artisan: Sequence[str]) -> Command:
    """Whether config, events, routes and views are cached (read-only)."""
    args = ("about", "--only=cache", "--json")
    return Command("php artisan " + " ".join(args), (*artisan, *args))


def printenv() -> Command:
    """The deployment's environment variables; its output holds secrets, so it is shown only
    masked, never raw."""
    return Command("printenv", _PRINTENV)


def railway_variables(
    cli: Sequence[str], service: str | None = None, environment: str | None = None
) -> Command:
    """The service's variables as Railway holds them (``railway variables --kv``), run on this
    machine: unlike ``railway run printenv``, none of the runner's own variables among them.
    Its output holds secrets, so it is shown only masked, never raw."""
    options: list[str] = ["variables", "--kv"]
    for flag, value in (("--service", service), ("--environment", environment)):
        if value is not None:
            options += [flag, *_names([value], flag.strip("-"))]
    return Command("railway " + " ".join(options), (*cli, *options), prefixed=False)


def disk_free() -> Command:
    return Command("df -h", _DF)


def is_allowed(
    argv: Sequence[str], artisan: Sequence[str], railway: Sequence[str] = ("railway",)
) -> bool:
    if tuple(argv) in (_DF, _PRINTENV):
        return True
    if tuple(argv[: len(railway)]) == tuple(railway):
        return bool(_RAILWAY_SHAPE.fullmatch(" ".join(argv[len(railway) :])))
    head, rest = tuple(argv[: len(artisan)]), argv[len(artisan) :]
    return head == tuple(artisan) and any(s.fullmatch(" ".join(rest)) for s in _ARTISAN_SHAPES)


class ShellClient:
    """Runs allowed commands as ``prefix + argv``; output is returned raw for parsing and
    redacted (``redact``) wherever it is shown."""

    def __init__(
        self,
        prefix: Sequence[str],
        artisan: Sequence[str],
        timeout: float,
        redact: Callable[[str], str] = lambda text: text,
        env: Mapping[str, str] | None = None,
        railway: Sequence[str] = ("railway",),
    ) -> None:
        self.prefix, self.artisan, self.timeout, self.redact = (
            tuple(prefix),
            tuple(artisan),
            timeout,
            redact,
        )
        self.railway = tuple(railway)
        self._env = dict(env or {})  # credentials for the prefix ([shell.env])

    def run(self, command: Command) -> ShellResult:
        if command.prefixed and not self.prefix:
            raise CommandUnavailable(command.label, "no [shell] prefix is configured")
        if not is_allowed(command.argv, self.artisan, self.railway):
            raise PermissionError(f"{command.argv!r} is not an allowed read-only command")
        argv = [*self.prefix, *command.argv] if command.prefixed else list(command.argv)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # a timeout kills the whole group (ssh and its children)
                env={**os.environ, **self._env, "COLUMNS": "160", "NO_COLOR": "1", "LC_ALL": "C"},
            )
        except OSError as error:
            where = "[shell] prefix" if command.prefixed else "[variables] railway"
            raise CommandUnavailable(
                command.label, f"{argv[0]}: {error.strerror}", f"check {where}"
            ) from None
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise TimedOut(command.label, f"no exit within {self.timeout:g} s") from None
        return ShellResult(
            command,
            proc.returncode,
            out.decode(errors="replace"),
            err.decode(errors="replace"),
            time.monotonic() - started,
        )

    def shown(self, result: ShellResult, limit: int = 1200) -> str:
        """The output as a report may show it: redacted, at most ``limit`` characters."""
        text = self.redact(result.output.strip())
        return text if len(text) <= limit else "…" + text[-limit:]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


__all__ = [
    "Command",
    "CommandUnavailable",
    "ShellClient",
    "ShellResult",
    "about_cache",
    "about_drivers",
    "backup_list",
    "disk_free",
    "is_allowed",
    "migrate_status",
    "printenv",
    "queue_monitor",
    "queue_work_once",
    "railway_variables",
]
