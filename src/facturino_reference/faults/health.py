"""/health's sub-checks and the app's use of Redis (issue 10), and the rows two of them change.

Under `--profile default` the fixed HealthController reports each fault below; under
`--profile upstream` the real one cannot (its lines are named in each description), and `trips`
are the default profile's. Effects outside `.env` and the rows below: deployment.py (the signer
file).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import psycopg

from facturino_reference.faults.model import HEALTH_503, METRICS, Fault
from facturino_reference.jobs import make_payload
from facturino_reference.mysqlconn import MySQLConnection

Conn = psycopg.Connection[Any] | MySQLConnection  # mysqlconn on `up --db mysql`

FAULTS: tuple[Fault, ...] = (
    Fault(
        "signer_cert_missing",
        "the XML signer's certificate (MK_XML_CERTIFICATE_PATH, storage/certificates/"
        "certificate.pem) is missing on the server: fixed /health signer false (503); the "
        "real controller keeps it true ('might not be uploaded yet', HealthController.php:139)",
        (*HEALTH_503, "test_health_check_passes[signer]"),
    ),
    Fault(
        "company_certificate_expiring",
        "company 1's active QES certificate (certificates.valid_to) expires in 10 days: fixed "
        "/health certificates false (503); the real controller asks for certificates."
        "expires_at, a column no migration creates (HealthController.php:304), and stays true",
        (
            *HEALTH_503,
            "test_health_check_passes[certificates]",
            "test_company_certificates_do_not_expire_within_30_days",
        ),
    ),
    Fault(
        "bank_sync_failing",
        "12 SyncBankTransactions jobs failed over the last 24 h (one every 2 h; too few per "
        "hour for /health's queue check): fixed /health bank_sync false (503); the real "
        "controller counts Telescope log entries, which nothing writes in production "
        "(HealthController.php:182), and stays true",
        (
            *HEALTH_503,
            "test_health_check_passes[bank_sync]",
            "test_bank_sync_jobs_are_not_failing",
        ),
    ),
    Fault(
        "paddle_unusable",
        "Paddle is configured (PADDLE_SELLER_ID, PADDLE_API_KEY, PADDLE_CLIENT_SIDE_TOKEN, "
        "PADDLE_WEBHOOK_SECRET) with a revoked API key: Paddle's API answers 403; fixed "
        "/health paddle false (503); the real controller returns true on every path "
        "(HealthController.php:359, 377, 385)",
        (*HEALTH_503, "test_health_check_passes[paddle]"),
        {
            "PADDLE_SELLER_ID": "24680",
            "PADDLE_API_KEY": "pdl_sdbx_apikey_revoked_0000000000000000",
            "PADDLE_CLIENT_SIDE_TOKEN": "test_reference0000000000000000",
            "PADDLE_WEBHOOK_SECRET": "pdl_ntfset_reference_secret",
        },
    ),
    Fault(
        "redis_queue_db_invalid",
        "the app queues on Redis (QUEUE_CONNECTION=redis) with REDIS_QUEUE_DB=16, a database "
        "Redis does not have (0-15): every dispatch fails, the cache and sessions still work; "
        "fixed /health redis (every connection the app uses) false (503); the real one tests "
        "only the cache store (HealthController.php:69-75) and stays true; /metrics cannot "
        "count the queue (500)",
        (*HEALTH_503, "test_health_check_passes[redis]", *METRICS),
        {"QUEUE_CONNECTION": "redis", "REDIS_QUEUE_DB": "16"},
    ),
    Fault(
        "baked_cache_drivers",
        "the deploy's environment lacks CACHE_STORE and SESSION_DRIVER, so the image's baked "
        ".env.example values apply (database): cache entries and sessions go to PostgreSQL's "
        "cache and sessions tables and the app writes nothing to Redis, though the runbook's "
        "environment says it uses Redis for both",
        ("test_redis_holds_keys_the_app_wrote",),
        {"CACHE_STORE": "database", "SESSION_DRIVER": "database"},
    ),
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


ROW_EFFECTS = {
    "company_certificate_expiring": company_certificate_expiring,
    "bank_sync_failing": bank_sync_failing,
}


def apply_db(conn: Conn, active: Mapping[str, str | None]) -> None:
    """Change the rows of the active faults above (after seeding)."""
    for name, change in ROW_EFFECTS.items():
        if name in active:
            change(conn)
