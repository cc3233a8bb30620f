"""Where the app's jobs are: the queue connection it is configured with (its QUEUE_CONNECTION,
as the environment says) against where jobs are found — the ``jobs`` table, Redis's
``queues:*`` keys and ``failed_jobs.connection``. A queue that is empty because the app
queues somewhere else proves nothing; jobs on the other connection are a failure naming both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import remedies
from .base import fail

# config/queue.php at d5d901d7: every connection besides `database` and `sync` uses the
# redis driver (failed_jobs.connection holds the connection's name).
REDIS_CONNECTIONS = frozenset({"redis", "high", "migration", "background", "banking", "einvoice"})


def driver_of(connection: str) -> str | None:
    """``database`` or ``redis`` for a failed_jobs.connection name; None for others (sync)."""
    if connection == "database":
        return "database"
    return "redis" if connection in REDIS_CONNECTIONS else None


@dataclass(frozen=True)
class JobsFound:
    """Jobs found on one connection: waiting (ready or delayed) per queue, and held by a worker."""

    connection: str  # "database" or "redis"
    where: str  # "the jobs table", "Redis DB 3 (facturino_queues:*)"
    waiting_by_queue: Mapping[str, int]
    reserved: int = 0

    @property
    def total(self) -> int:
        return sum(self.waiting_by_queue.values()) + self.reserved

    def described(self) -> str:
        busy = {q: n for q, n in sorted(self.waiting_by_queue.items()) if n}
        held = f", {self.reserved} reserved" if self.reserved else ""
        return f"{self.total} job(s) in {self.where} (connection '{self.connection}'): {busy}{held}"


def connection_named(connection: str, said_by: str) -> str:
    """How messages name the connection the checks read: ``'database' ([redis] queue_...)``."""
    return f"queue connection '{connection}' ({said_by})"


def expect_jobs_only_on(
    configured: str,
    said_by: str,
    found: Sequence[JobsFound],
    failed_by_connection: Mapping[str, int] | None = None,
) -> None:
    """No job waits, runs or failed (last 24 h) on a connection other than ``configured``."""
    __tracebackhide__ = True
    elsewhere = [f.described() for f in found if f.connection != configured and f.total]
    failed = {
        name: count
        for name, count in (failed_by_connection or {}).items()
        if count and driver_of(name) not in (None, configured)
    }
    if failed:
        elsewhere.append(f"failed_jobs of the last 24 h by connection: {failed}")
    if elsewhere:
        fail(
            f"jobs are only on the app's {connection_named(configured, said_by)}",
            f"no job waiting, running or failed on another connection than '{configured}'",
            "; ".join(elsewhere),
            remedies.QUEUE_CONNECTION,
        )
