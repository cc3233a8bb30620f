"""What the suite remembers between runs on this machine: its auth calls and its sessions.

The app allows 5 calls per minute per IP on ``/api/v1/auth/*``. Counting them inside one process
was not enough: a second run a minute later, a CI retry, smoke right after features or ``-n 4``
spent the same minute again and got 429s that looked like a broken login. So every auth call of
every run against a target is booked in one lock-protected ledger file (per target, under the
user's cache directory), and the sessions a run logged in are kept (in a file only the user can
read, until they are older than the app's session lifetime) for the next run to reuse instead of
logging in again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import NotJudged

WINDOW_SECONDS = 60.0
# A booking is made just before its call; the app counts the call when it arrives (a browser
# fills and submits the form first). The app's window opens at its first hit, so a slot is held
# this much longer than the window (measured: with 0.05 s, the browser's sign-out still got a 429
# after the ledger's wait in 1 of 5 features runs right after a smoke run).
ARRIVAL_MARGIN_SECONDS = 5.0
HELD_SECONDS = WINDOW_SECONDS + ARRIVAL_MARGIN_SECONDS
CACHE_ENV = "FACTURINO_VERIFY_CACHE_DIR"


class AuthThrottled(NotJudged):
    """A sign-in the suite could not make without being throttled: never the deployment's fault,
    so the checks that need it are *not judged* rather than failed."""

    kind = "sign-in throttled"


def cache_dir() -> Path:
    """``$FACTURINO_VERIFY_CACHE_DIR``, else ``$XDG_CACHE_HOME/facturino-verify``, else
    ``~/.cache/facturino-verify``; created for the user only."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        path = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "facturino-verify"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


@contextmanager
def _locked_json(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON document at ``path``, read and written back under an exclusive lock."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = path.with_suffix(".lock")
    with open(os.open(lock_path, os.O_CREAT | os.O_WRONLY, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            data = {}  # a torn or foreign file: start again rather than fail the run
        if not isinstance(data, dict):
            data = {}
        yield data
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.chmod(0o600)
        os.replace(tmp, path)


@dataclass
class AuthLedger:
    """Auth calls against one target from every run on this machine, over the last minute."""

    path: Path
    per_minute: int = 5
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def for_target(cls, target_url: str, per_minute: int) -> AuthLedger:
        return cls(cache_dir() / "auth" / f"{_key(target_url)}.json", per_minute)

    def book(self, purpose: str, deadline: float | None) -> float:
        """Book one call; wait for a free slot if one frees before ``deadline`` (wall clock),
        else raise ``AuthThrottled``. Returns the seconds waited."""
        waited = 0.0
        while True:
            with _locked_json(self.path) as data:
                now = self.clock()
                recent = [c for c in data.get("calls", []) if now - float(c[0]) < HELD_SECONDS]
                if len(recent) < self.per_minute:
                    data["calls"] = [*recent, [now, purpose, os.getpid()]]
                    return waited
                data["calls"] = recent
                free_at = min(float(c[0]) for c in recent) + HELD_SECONDS
            pause = free_at - now + 0.05
            if deadline is None or now + pause > deadline:
                raise AuthThrottled(
                    purpose,
                    f"the app allows {self.per_minute} auth calls per minute per IP and runs "
                    f"on this machine made {len(recent)} in the last minute "
                    f"({', '.join(str(c[1]) for c in recent)}); the next slot frees in "
                    f"{pause:.0f} s, after this run's time budget",
                    "run again in a minute; the checks that need a sign-in were not judged",
                )
            self.sleep(pause)
            waited += pause


@dataclass
class SessionStore:
    """Signed-in sessions (their cookies) kept between runs, per target and account."""

    directory: Path
    target_url: str
    max_age_seconds: float
    clock: Callable[[], float] = time.time
    _files: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def for_target(cls, target_url: str, max_age_seconds: float) -> SessionStore:
        return cls(cache_dir() / "sessions", target_url, max_age_seconds)

    def _path(self, email: str) -> Path:
        return self.directory / f"{_key(self.target_url, email)}.json"

    def load(self, email: str) -> list[dict[str, Any]] | None:
        """The cookies saved for ``email``, unless reuse is off or they are too old."""
        if self.max_age_seconds <= 0:
            return None
        with _locked_json(self._path(email)) as data:
            saved_at, cookies = data.get("saved_at"), data.get("cookies")
        if not isinstance(saved_at, int | float) or not isinstance(cookies, list):
            return None
        if self.clock() - saved_at > self.max_age_seconds:
            return None
        return [c for c in cookies if isinstance(c, dict)]

    def save(self, email: str, cookies: list[dict[str, Any]]) -> None:
        if self.max_age_seconds <= 0:
            return
        with _locked_json(self._path(email)) as data:
            data.clear()
            data.update(saved_at=self.clock(), cookies=cookies)

    def forget(self, email: str) -> None:
        with _locked_json(self._path(email)) as data:
            data.clear()
