"""Feature-flow faults that live in stored state (rows, files, the cache store).

* `login_broken`: the admin's stored password hash is for another password (a seeder or a
  password reset overwrote it), so the valid credentials are rejected.
* `partner_forbidden`: the partner record is deactivated (`partners.is_active = false`).
* `banking_tier_downgraded`: the test company's plan is Standard (below Business).
* `bank_token_expired`: every `bank_tokens` row expired yesterday.
* `pdf_wrong_invoice`: the media disk kept the PDFs of a previous database: `media` rows and
  files for the invoice ids new invoices will get. getGeneratedPDF() serves an invoice's
  *first* media item, so a new invoice's URL serves an old invoice's PDF.
* `partner_commissions_wrong`: a partner-dashboard cache entry written before the last
  clawback was recorded (it still counts the clawed-back commission), long-lived.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

import psycopg
import redis
from psycopg.rows import dict_row

from facturino_reference import partnerstats, pdfdoc
from facturino_reference.passwords import hash_password
from facturino_reference.paths import HomeLayout
from facturino_reference.seed import ADMIN_EMAIL

Conn = psycopg.Connection[Any]
INVOICE_MODEL = "App\\Models\\Invoice"
STALE_MEDIA = 40  # invoice ids covered by leftover PDFs (the next 40 new invoices)
STALE_CACHE_TTL = 86_400


def login_broken(conn: Conn) -> None:
    conn.execute(
        "UPDATE users SET password = %s WHERE email = %s",
        (hash_password("reset-" + secrets.token_hex(8)), ADMIN_EMAIL),
    )


def partner_forbidden(conn: Conn) -> None:
    conn.execute("UPDATE partners SET is_active = false")


def banking_tier_downgraded(conn: Conn) -> None:
    conn.execute("UPDATE companies SET subscription_tier = 'standard' WHERE id = 1")


def bank_token_expired(conn: Conn) -> None:
    conn.execute(
        "UPDATE bank_tokens SET expires_at = (now() at time zone 'UTC') - interval '1 day'"
    )


def admin_is_super_admin(conn: Conn) -> None:
    conn.execute("UPDATE users SET role = 'super admin' WHERE email = %s", (ADMIN_EMAIL,))


def bank_sync_stale(conn: Conn) -> None:
    """What a scheduler dead for 3 days leaves: none of the imports of those days happened."""
    conn.execute(
        "DELETE FROM bank_transactions WHERE source = 'psd2' AND "
        "created_at > (now() at time zone 'UTC') - interval '3 days'"
    )


def pdf_wrong_invoice(conn: Conn, layout: HomeLayout) -> None:
    row = conn.execute("SELECT coalesce(max(id), 0) FROM invoices").fetchone()
    first = (row[0] if row else 0) + 1
    issued = dt.date.today() - dt.timedelta(days=400)
    for model_id in range(first, first + STALE_MEDIA):
        number = f"INV-2024-{model_id:04d}"
        content = pdfdoc.render(
            pdfdoc.PdfInvoice(
                company_name="Facturino Verify DOO",
                invoice_number=number,
                invoice_date=issued.isoformat(),
                due_date=(issued + dt.timedelta(days=15)).isoformat(),
                customer_name="Архива Клиент ДОО",
                currency="MKD",
                sub_total=4_200_000 + model_id,
                tax=0,
                total=4_200_000 + model_id,
                lines=[pdfdoc.PdfLine("Услуга", 1, 4_200_000 + model_id, 4_200_000 + model_id)],
            )
        )
        file_name = f"{number}.pdf"
        media = conn.execute(
            "INSERT INTO media (model_type, model_id, uuid, collection_name, name, file_name, "
            "mime_type, disk, conversions_disk, size, custom_properties, order_column, "
            "created_at, updated_at) VALUES (%s, %s, %s, 'invoice', %s, %s, 'application/pdf', "
            "'local', 'local', %s, '{\"file_disk_id\": 1}', 1, now() - interval '400 days', "
            "now() - interval '400 days') RETURNING id",
            (INVOICE_MODEL, model_id, str(uuid.uuid4()), number, file_name, len(content)),
        ).fetchone()
        assert media is not None
        folder = layout.media / str(media[0])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file_name).write_bytes(content)


def partner_commissions_wrong(conn: Conn, env: Mapping[str, str]) -> None:
    client = redis.Redis(
        host=env["REDIS_HOST"],
        port=int(env["REDIS_PORT"]),
        password=env.get("REDIS_PASSWORD") or None,
        db=int(env["REDIS_CACHE_DB"]),
        socket_timeout=2.0,
    )
    prefix = env["REDIS_PREFIX"] + env["CACHE_PREFIX"]
    with conn.cursor(row_factory=dict_row) as cur, client:
        for (partner_id,) in conn.execute("SELECT id FROM partners").fetchall():
            cur.execute(partnerstats.FIGURES_SQL, {"partner": partner_id, "clawed": True})
            row = cur.fetchone()
            assert row is not None
            stale = json.dumps(partnerstats.as_figures(row))
            client.set(partnerstats.cache_key(prefix, partner_id), stale, ex=STALE_CACHE_TTL)


def apply(
    conn: Conn, layout: HomeLayout, env: Mapping[str, str], active: Mapping[str, str | None]
) -> None:
    """After seeding (Redis already runs)."""
    if "login_broken" in active:
        login_broken(conn)
    if "partner_forbidden" in active:
        partner_forbidden(conn)
    if "banking_tier_downgraded" in active:
        banking_tier_downgraded(conn)
    if "bank_token_expired" in active:
        bank_token_expired(conn)
    if "bank_sync_stale" in active:
        bank_sync_stale(conn)
    if "admin_is_super_admin" in active:
        admin_is_super_admin(conn)
    if "pdf_wrong_invoice" in active:
        pdf_wrong_invoice(conn, layout)
    if "partner_commissions_wrong" in active:
        partner_commissions_wrong(conn, env)
