"""Checks over database rows and Redis answers: migrations, cache round trip, queues."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..clients.database import QueueSnapshot
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
    """The runner's own key went in and came back: Redis is up and takes writes under the
    app's cache prefix with these credentials. (Not that the app's cache uses Redis: that is
    :func:`expect_app_keys_in_redis`.)"""
    __tracebackhide__ = True
    if read != written:
        fail(f"Redis returns what the runner wrote to its own key {key}", written, read,
             remedies.REDIS)  # fmt: skip
    if remaining:
        fail(
            f"the runner's test key {key} is removed afterwards",
            "key gone",
            "key still present",
            remedies.REDIS,
        )


def expect_app_keys_in_redis(found: Mapping[str, tuple[int, int]], prefix: str) -> None:
    """``found``: what the app keeps in Redis ("cache", "sessions") → (DB, keys under the
    app's cache prefix there). Each must hold at least one key the app wrote."""
    __tracebackhide__ = True
    empty = {what: db for what, (db, count) in found.items() if count == 0}
    if empty:
        fail(
            "Redis holds keys the app wrote under its prefix where the environment says the "
            "app keeps " + " and ".join(found),
            f"keys {prefix}* in " + ", ".join(f"DB {db} ({w})" for w, (db, _) in found.items()),
            "none in "
            + ", ".join(f"DB {db} ({what})" for what, db in empty.items())
            + " after this run's requests: the app keeps them elsewhere",
            remedies.REDIS_UNUSED,
        )


def expect_no_stuck_jobs(
    reserved_too_long: int, oldest_reserved_age: int | None, max_age_seconds: int, where: str
) -> None:
    __tracebackhide__ = True
    if reserved_too_long:
        fail(
            f"no job is reserved for more than {max_age_seconds // 60} minutes ({where})",
            "0 such jobs",
            f"{reserved_too_long} (oldest reserved {oldest_reserved_age} s ago)",
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
            f"fewer than {maximum} jobs failed in the last hour (failed_jobs, failed_at in UTC)",
            f"< {maximum}",
            snapshot.failed_last_hour,
            remedies.FAILED_JOBS,
        )
