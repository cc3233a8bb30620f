"""Wait for something observable, with a deadline: never a blind sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Polled(Generic[T]):
    """The last value seen, whether it satisfied the condition, and how long it took."""

    value: T
    met: bool
    seconds: float
    attempts: int


def poll(
    read: Callable[[], T],
    until: Callable[[T], bool],
    deadline_seconds: float,
    interval_seconds: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Polled[T]:
    """Call ``read`` until ``until(value)`` holds or the deadline passes; the last value either
    way (the caller turns an unmet condition into a failed check that says what was seen)."""
    start = clock()
    attempts = 0
    while True:
        value = read()
        attempts += 1
        elapsed = clock() - start
        if until(value):
            return Polled(value, True, elapsed, attempts)
        if elapsed >= deadline_seconds:
            return Polled(value, False, elapsed, attempts)
        sleep(min(interval_seconds, max(0.0, deadline_seconds - elapsed)))
