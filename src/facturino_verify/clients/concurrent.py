"""Run independent probes at once and hand each result to whichever check asks first.

The gate answers in seconds because every network question of a run is asked concurrently at
the start; a check waits only for the answer it asserts on.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Prefetch:
    """Named futures over a thread pool; ``result(name)`` re-raises the probe's own error."""

    def __init__(self, workers: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe")
        self._futures: dict[str, Future[Any]] = {}

    def submit(self, name: str, probe: Callable[[], Any]) -> None:
        if name not in self._futures:
            self._futures[name] = self._pool.submit(probe)

    def result(self, name: str) -> Any:
        return self._futures[name].result()

    def __contains__(self, name: str) -> bool:
        return name in self._futures

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
