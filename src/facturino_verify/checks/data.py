"""Checks over database rows and Redis answers: migrations, cache round trip, queues."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..clients.postgres import QueueSnapshot
from . import remedies
from .base import fail


def parse_manifest(text: str) -> list[str]:
    """One migration name per line; blank lines and ``#`` comments ignored."""
    names = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [name for name in names if name]


def expect_newest_migration(applied: Iterable[str], newest: str) -> None:
    __tracebackhide__ = True
    applied = list(applied)
    if newest not in applied:
        latest = max(applied) if applied else "(no migrations at all)"
        fail(
            "the release's newest migration has run",
            newest,
            f"newest applied: {latest}",
            remedies.MIGRATIONS,
        )


def expect_no_pending_migrations(applied: Iterable[str], expected: Iterable[str]) -> None:
    __tracebackhide__ = True
    pending = sorted(set(expected) - set(applied))
    if pending:
        shown = ", ".join(pending[:5]) + (
            f" and {len(pending) - 5} more" if len(pending) > 5 else ""
        )
        fail(
            "no migration is pending",
            "every expected migration in the migrations table",
            f"{len(pending)} pending: {shown}",
            remedies.MIGRATIONS,
        )


def expect_cache_round_trip(written: bytes, read: bytes | None, remaining: int, key: str) -> None:
    __tracebackhide__ = True
    if read != written:
        fail(f"Redis returns what was written to {key}", written, read, remedies.REDIS)
    if remaining:
        fail(
            f"the test key {key} is removed afterwards",
            "key gone",
            "key still present",
            remedies.REDIS,
        )


def expect_no_stuck_jobs(snapshot: QueueSnapshot, max_age_seconds: int) -> None:
    __tracebackhide__ = True
    if snapshot.reserved_too_long:
        fail(
            f"no job is reserved for more than {max_age_seconds // 60} minutes",
            "0 such jobs",
            f"{snapshot.reserved_too_long} (oldest reserved "
            f"{snapshot.oldest_reserved_age_seconds} s ago)",
            remedies.QUEUE,
        )


def expect_pending_below(pending_by_queue: Mapping[str, int], maximum: int, source: str) -> None:
    __tracebackhide__ = True
    total = sum(pending_by_queue.values())
    if total >= maximum:
        busy = {q: n for q, n in sorted(pending_by_queue.items()) if n}
        fail(
            f"fewer than {maximum} jobs are pending ({source})",
            f"< {maximum}",
            f"{total} pending {busy}",
            remedies.QUEUE,
        )


def expect_failed_jobs_below(snapshot: QueueSnapshot, maximum: int) -> None:
    __tracebackhide__ = True
    if snapshot.failed_last_hour >= maximum:
        fail(
            f"fewer than {maximum} jobs failed in the last hour",
            f"< {maximum}",
            snapshot.failed_last_hour,
            remedies.FAILED_JOBS,
        )
