"""Process and port helpers: start detached, recognise our own pids, stop them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


def spawn_detached(
    argv: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start `argv` in its own session (it outlives the CLI), output appended to `log_path`."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    return proc.pid


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our child (a Python-API caller), so it is gone."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def pid_alive(pid: int) -> bool:
    _reap(pid)
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def is_ours(pid: int, fingerprint: str) -> bool:
    """True if `pid` runs and its command line contains `fingerprint` (guards pid reuse)."""
    return pid > 0 and pid_alive(pid) and fingerprint in cmdline(pid)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.02)
    return not pid_alive(pid)


@dataclass(frozen=True)
class Target:
    """A process to stop: its pid, a command-line fingerprint, the signal, group or not."""

    pid: int
    fingerprint: str
    sig: int = signal.SIGTERM
    group: bool = True


def _send(target: Target, sig: int) -> None:
    kill: Callable[[int, int], None] = os.killpg if target.group else os.kill
    with contextlib.suppress(ProcessLookupError, PermissionError):
        kill(target.pid, sig)


def stop_many(targets: Sequence[Target], timeout: float = 5.0) -> None:
    """Signal all of our processes at once, wait for them together, SIGKILL stragglers.

    Pids whose command line lacks the fingerprint are left alone (the pid was reused).
    """
    ours = [target for target in targets if is_ours(target.pid, target.fingerprint)]
    for target in ours:
        _send(target, target.sig)
    deadline = time.monotonic() + timeout
    for target in ours:
        if not wait_gone(target.pid, max(0.0, deadline - time.monotonic())):
            _send(target, signal.SIGKILL)
            wait_gone(target.pid, 2.0)


def stop_pid(
    pid: int,
    fingerprint: str,
    sig: int = signal.SIGTERM,
    group: bool = True,
    timeout: float = 5.0,
) -> None:
    stop_many([Target(pid, fingerprint, sig, group)], timeout)


def port_in_use(port: int) -> bool:
    """Whether 127.0.0.1:`port` cannot be bound (SO_REUSEADDR, as our servers use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_ports(ports: Sequence[int], timeout: float, alive: Callable[[], bool]) -> bool:
    """Poll until every port accepts a connection; False on timeout or when `alive()` fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(port_accepts(port) for port in ports):
            return True
        if not alive():
            return False
        time.sleep(0.02)
    return False


def log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
