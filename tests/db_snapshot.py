"""What a run did to the reference database: every row of every table, before and after.

A row is identified by its ``id`` (or its whole content for tables without one) and compared by
an md5 of its JSON form, minus the columns the application itself maintains on its own rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg

# The application's own bookkeeping: sessions, cache, rate limiter, the queue in flight.
VOLATILE_TABLES = frozenset({"sessions", "cache", "cache_locks", "jobs", "job_batches"})
# Columns the app updates on rows the run did not create, as part of what the flows exercise:
# a login stamps users.last_login_at; listing the bank accounts recomputes a zero balance (and
# so stamps updated_at), as BankingController::accounts does (a sync writes no account row).
MAINTAINED_COLUMNS = {
    "users": ("last_login_at", "updated_at"),
    "bank_accounts": ("current_balance", "updated_at"),
}
Row = tuple[str, str]  # (key, md5)


@dataclass
class Snapshot:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> key -> md5


@dataclass
class Difference:
    created: dict[str, list[str]]
    changed: dict[str, list[str]]
    deleted: dict[str, list[str]]

    def empty(self) -> bool:
        return not (self.created or self.changed or self.deleted)

    def without(self, allowed: Iterable[tuple[str, str, str]]) -> Difference:
        """Drop (kind, table, key) entries that a documented exception allows."""
        allow = set(allowed)

        def keep(kind: str, found: dict[str, list[str]]) -> dict[str, list[str]]:
            out = {t: [k for k in keys if (kind, t, k) not in allow] for t, keys in found.items()}
            return {t: keys for t, keys in out.items() if keys}

        return Difference(
            keep("created", self.created),
            keep("changed", self.changed),
            keep("deleted", self.deleted),
        )


def _tables(conn: psycopg.Connection[Any]) -> list[tuple[str, bool]]:
    rows = conn.execute(
        "SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c "
        "WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'id') "
        "FROM information_schema.tables t WHERE t.table_schema = 'public' "
        "AND t.table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [(str(name), bool(has_id)) for name, has_id in rows if name not in VOLATILE_TABLES]


def take(conninfo: dict[str, Any]) -> Snapshot:
    snapshot = Snapshot()
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        for table, has_id in _tables(conn):
            minus = "".join(f" - '{c}'" for c in MAINTAINED_COLUMNS.get(table, ()))
            body = f"md5((to_jsonb(t){minus})::text)"
            key = "t.id::text" if has_id else body
            found = conn.execute(f'SELECT {key}, {body} FROM "{table}" t').fetchall()
            snapshot.rows[table] = {str(k): str(v) for k, v in found}
    return snapshot


def compare(before: Snapshot, after: Snapshot) -> Difference:
    created: dict[str, list[str]] = {}
    changed: dict[str, list[str]] = {}
    deleted: dict[str, list[str]] = {}
    for table in sorted(set(before.rows) | set(after.rows)):
        old, new = before.rows.get(table, {}), after.rows.get(table, {})
        if added := sorted(set(new) - set(old)):
            created[table] = added
        if gone := sorted(set(old) - set(new)):
            deleted[table] = gone
        if edited := sorted(k for k in set(old) & set(new) if old[k] != new[k]):
            changed[table] = edited
    return Difference(created, changed, deleted)


def rows_where(conninfo: dict[str, Any], table: str, where: str) -> set[str]:
    """Keys (ids) of the rows of ``table`` matching ``where`` (for documented exceptions)."""
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        return {str(i) for (i,) in conn.execute(f'SELECT id FROM "{table}" WHERE {where}')}
