"""The app's auth rate limit as a budget the run spends consciously.

Facturino throttles every ``/api/v1/auth/*`` call to 5 per minute per IP (``throttle:auth``). A
run that went over would see 429s that look like a broken login, so each auth call is booked here
first, with its purpose. With a ledger (``ledger.py``) the booking holds across every run on this
machine: a call beyond the minute's allowance waits for a free slot when that fits the run's time
budget, else it is refused (``AuthThrottled``: the checks needing it are not judged).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .ledger import AuthLedger, AuthThrottled


class AuthBudgetExhausted(AuthThrottled):
    kind = "auth budget exhausted"


@dataclass
class AuthBudget:
    per_minute: int = 5
    clock: Callable[[], float] = time.monotonic
    spent: list[tuple[float, str]] = field(default_factory=list)
    ledger: AuthLedger | None = None  # shared by every run on this machine
    deadline: float | None = None  # wall clock: a booking may wait until then, not longer
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spend(self, purpose: str) -> None:
        """Book one auth call for ``purpose``; wait or refuse if the last minute is full."""
        with self._lock:
            if self.ledger is not None:
                self.ledger.book(purpose, self.deadline)
                self.spent.append((self.clock(), purpose))
                return
            now = self.clock()
            recent = [why for at, why in self.spent if now - at < 60.0]
            if len(recent) >= self.per_minute:
                raise AuthBudgetExhausted(
                    purpose,
                    f"would be auth call {len(recent) + 1} within 60 s; the app allows "
                    f"{self.per_minute}/min per IP (already: {', '.join(recent)})",
                    "spend real logins only in tests about login; reuse the shared sessions",
                )
            self.spent.append((now, purpose))

    @property
    def purposes(self) -> list[str]:
        with self._lock:
            return [why for _, why in self.spent]
