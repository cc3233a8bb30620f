"""Run independent probes at once and hand each result to whichever check asks first.

The gate answers in seconds because every network question of a run is asked concurrently at
the start; a check waits only for the answer it asserts on, and never past the run's deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from .errors import TimedOut


class Prefetch:
    """Named futures, each run on a daemon thread of its own; ``result(name)`` re-raises the
    probe's own error. Daemon threads: a probe stuck on a hanging target never keeps the
    process alive after the run (or after Ctrl-C)."""

    def __init__(self, deadline: Callable[[], float | None] = lambda: None) -> None:
        self._futures: dict[str, Future[Any]] = {}
        self._deadline = deadline  # time.monotonic() after which no answer is waited for
        self._lock = threading.Lock()

    def submit(self, name: str, probe: Callable[[], Any]) -> None:
        with self._lock:
            if name in self._futures:
                return
            future: Future[Any] = Future()
            self._futures[name] = future
        threading.Thread(
            target=_settle, args=(future, probe), name=f"probe {name}", daemon=True
        ).start()

    def result(self, name: str) -> Any:
        deadline = self._deadline()
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            return self._futures[name].result(timeout)
        except FutureTimeout:
            raise TimedOut(
                f"probe '{name}'", "no answer within the run's time budget ([run] budget_seconds)"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self._futures

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()


def _settle(future: Future[Any], probe: Callable[[], Any]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(probe())
    except BaseException as error:
        future.set_exception(error)
