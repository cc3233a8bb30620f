"""Faults that live in the database: real rows changed after seeding, nothing pretended."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import psycopg

from facturino_reference.jobs import backfill_tax_returns_payload, make_payload

Conn = psycopg.Connection[Any]


def migrations_pending(conn: Conn) -> None:
    """Forget the newest migration and undo what it did, as if it never ran."""
    row = conn.execute("SELECT max(migration) FROM migrations").fetchone()
    newest = row[0] if row else None
    conn.execute("DELETE FROM migrations WHERE migration = %s", (newest,))
    if newest == "2026_08_18_000001_make_audit_logs_company_id_nullable":
        conn.execute("ALTER TABLE audit_logs ALTER COLUMN company_id SET NOT NULL")


# Not the newest, and one of the four names outside Laravel's usual date_time_name pattern.
OLDER_PENDING_MIGRATION = "2025_08_52_add_linked_fields_to_bank_transactions"


def older_migration_pending(conn: Conn) -> None:
    """An older migration never ran (a deploy that skipped it, a failed `migrate` retried past
    it): its row is missing while the newest one ran. (The reference's bank_transactions has no
    linked_type/linked_id/reconciled_at columns, so there is no schema change to revert.)"""
    conn.execute("DELETE FROM migrations WHERE migration = %s", (OLDER_PENDING_MIGRATION,))


def feature_flag_drift(conn: Conn) -> None:
    """DB toggles (Settings -> Feature flags) win over config in Setting::getFeatureFlags()."""
    conn.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) VALUES "
        "('feature_flag.mcp_ai_tools', 'true', now(), now()), "
        "('feature_flag.partner_portal', 'false', now(), now())"
    )


def monitoring_disabled(conn: Conn) -> None:
    """The flag switched on in Settings (a DB toggle) while FEATURE_MONITORING is false."""
    conn.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) VALUES "
        "('feature_flag.monitoring', 'true', now(), now())"
    )


def queue_stuck(conn: Conn) -> None:
    """A job reserved 15 minutes ago by a worker that never finished or released it."""
    now = int(time.time())
    conn.execute(
        "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
        "VALUES ('default', %s, 1, %s, %s, %s)",
        (backfill_tax_returns_payload(), now - 900, now - 905, now - 905),
    )


def failed_jobs_spike(conn: Conn) -> None:
    """150 jobs that failed within the last hour (the /health threshold is 100)."""
    exception = (
        "Illuminate\\Http\\Client\\ConnectionException: cURL error 28: Operation timed out "
        "after 30001 milliseconds in /var/www/html/vendor/laravel/framework/src/Illuminate/"
        "Http/Client/PendingRequest.php:1566"
    )
    rows = []
    for index in range(150):
        payload = json.loads(make_payload("sync_bank_transactions"))
        payload["displayName"] = "App\\Jobs\\SyncBankTransactions"
        rows.append((str(uuid.uuid4()), "banking", json.dumps(payload), exception, index * 20))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, failed_at) "
            "VALUES (%s, 'database', %s, %s, %s, "
            "(now() at time zone 'UTC') - make_interval(secs => %s))",
            rows,
        )


def company_certificate_expiring(conn: Conn) -> None:
    """Company 1's active QES certificate (the signing certificate a company uploads)
    expires in 10 days."""
    conn.execute(
        "INSERT INTO certificates (company_id, name, valid_from, valid_to, encrypted_key_blob, "
        "certificate_path, is_active, is_expired, created_at, updated_at) VALUES (1, "
        "'КИБС QES 2025', (now() at time zone 'UTC') - interval '355 days', "
        "(now() at time zone 'UTC') + interval '10 days', 'eyJpdiI6IiJ9', "
        "'certificates/1/qes-2025.pfx', true, false, now(), now())"
    )


def bank_sync_failing(conn: Conn) -> None:
    """12 bank syncs failed over the last day, one every two hours (the bank's API kept
    timing out): too few in any hour for /health's queue check."""
    exception = (
        "Illuminate\\Http\\Client\\ConnectionException: cURL error 28: Operation timed out "
        "after 30001 milliseconds (api.nlb.mk)"
    )
    rows = []
    for index in range(12):
        payload = json.loads(make_payload("sync_bank_transactions", company_id=1))
        rows.append((str(uuid.uuid4()), json.dumps(payload), exception, 3600 + index * 7200))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO failed_jobs (uuid, connection, queue, payload, exception, failed_at) "
            "VALUES (%s, 'database', 'banking', %s, %s, "
            "(now() at time zone 'UTC') - make_interval(secs => %s))",
            rows,
        )


DB_FAULTS = {
    "migrations_pending": migrations_pending,
    "older_migration_pending": older_migration_pending,
    "feature_flag_drift": feature_flag_drift,
    "monitoring_disabled": monitoring_disabled,
    "queue_stuck": queue_stuck,
    "failed_jobs_spike": failed_jobs_spike,
    "company_certificate_expiring": company_certificate_expiring,
    "bank_sync_failing": bank_sync_failing,
}


# Faults about the queue's own state: on the redis connection perffaults.py puts it in Redis.
DATABASE_QUEUE_ONLY = frozenset({"queue_stuck"})


def apply(conn: Conn, active: Mapping[str, str | None], connection: str = "database") -> None:
    for name, change in DB_FAULTS.items():
        if name in active and (connection == "database" or name not in DATABASE_QUEUE_ONLY):
            change(conn)
