"""Bounded retries for network-class errors only, within the run's time budget.

Assertion failures are never retried: a check that fails fails. A retry is always counted so the
report can call a check that passed only after one *flaky*.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import ConnectionRefused, DnsFailure, ProtocolFailure, TargetError, TimedOut

T = TypeVar("T")
RETRYABLE: tuple[type[TargetError], ...] = (
    ConnectionRefused,
    TimedOut,
    DnsFailure,
    ProtocolFailure,
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 2  # retries after the first try
    backoff_seconds: float = 0.2  # doubled after each retry
    deadline: float | None = None  # time.monotonic() after which nothing is retried


def with_retries(
    action: Callable[[], T], policy: RetryPolicy, on_retry: Callable[[TargetError], None]
) -> T:
    """Run ``action``; on a retryable error wait and try again while attempts and time remain."""
    for attempt in range(policy.attempts + 1):
        started = time.monotonic()
        try:
            return action()
        except RETRYABLE as error:
            pause = policy.backoff_seconds * (2**attempt)
            # A retry that may last as long as this attempt did must end within the budget
            # (a hanging target makes every attempt wait out its whole timeout).
            took = time.monotonic() - started
            out_of_time = policy.deadline is not None and (
                time.monotonic() + pause + took > policy.deadline
            )
            if attempt == policy.attempts or out_of_time:
                raise
            on_retry(error)
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
