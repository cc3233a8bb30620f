"""Checks of the weekly restore drill: what came back from the newest backup, compared with the
live database. Pure: figures in, ``CheckFailed`` out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from . import remedies
from .base import fail


def expect_restored(problem: str | None, source: str) -> None:
    """``problem`` is why the drill could not restore (None: it did)."""
    __tracebackhide__ = True
    if problem is not None:
        fail(
            f"the newest backup ({source}) restores into a throwaway server of its engine",
            "download, unzip and the load succeed (PostgreSQL: its roles created, psql"
            " ON_ERROR_STOP in one transaction; MySQL: the mariadb client, stopping at an error)",
            problem,
            remedies.RESTORE,
        )


def expect_core_tables(restored: Mapping[str, int | None], tables: Sequence[str]) -> None:
    __tracebackhide__ = True
    missing = [t for t in tables if restored.get(t) is None]
    if missing:
        fail(
            "the restored backup has every core table",
            list(tables),
            f"missing: {missing}",
            remedies.BACKUP_CONTENT,
        )


def row_count_gaps(
    live: Mapping[str, int | None], restored: Mapping[str, int | None], tolerance: float
) -> dict[str, str]:
    gaps = {}
    for table, want in live.items():
        if want is None:
            continue
        got = restored.get(table)
        allowed = math.ceil(tolerance * want)
        if got is None or abs(want - got) > allowed:
            gaps[table] = f"live {want}, restored {got if got is not None else 'missing'}"
    return gaps


def expect_row_counts(
    live: Mapping[str, int | None], restored: Mapping[str, int | None], tolerance: float
) -> None:
    __tracebackhide__ = True
    gaps = row_count_gaps(live, restored, tolerance)
    if gaps:
        fail(
            f"restored row counts are within {tolerance:.0%} of the live database",
            f"|live - restored| ≤ {tolerance:.0%} of live",
            gaps,
            remedies.BACKUP,
        )


def expect_migration_restored(applied: Sequence[str], newest: str) -> None:
    __tracebackhide__ = True
    if newest not in applied:
        latest = max(applied) if applied else "(no migrations table rows)"
        fail(
            "the restored backup contains the release's newest migration",
            newest,
            f"newest restored: {latest}",
            remedies.MIGRATIONS,
        )


def expect_invoices_readable(rows: Sequence[Mapping[str, Any]], live_count: int | None) -> None:
    """Every restored invoice has a number, a status and a total; there are some when the live
    database has some."""
    __tracebackhide__ = True
    if live_count and not rows:
        fail(
            "the restored backup has readable invoices",
            f"invoices (live has {live_count})",
            "no invoice rows",
            remedies.BACKUP_CONTENT,
        )
    broken = [
        row.get("id")
        for row in rows
        if not row.get("invoice_number") or row.get("status") is None or row.get("total") is None
    ]
    if broken:
        fail(
            "every restored invoice has a number, a status and a total",
            "complete rows",
            f"incomplete invoice ids: {broken[:10]}",
            remedies.BACKUP_CONTENT,
        )
