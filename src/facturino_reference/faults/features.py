"""Feature-flow faults (issue 3; tests/test_fault_matrix_features.py proves what they break in
the features suite; `trips` are the smoke tests each fails, measured), and the ones that live
in stored state (rows, files, the cache store). Effects elsewhere: deployment.py (signer
files, the webhook route file, the worker, the PSD2 bank).
Feature-flow faults that live in stored state (rows, files, the cache store).

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
from facturino_reference.appenv import SUBSCRIPTION_TIERS
from facturino_reference.faults.model import Fault
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.passwords import hash_password
from facturino_reference.paths import HomeLayout
from facturino_reference.seed import ADMIN_EMAIL

Conn = psycopg.Connection[Any] | MySQLConnection  # mysqlconn on `up --db mysql`
FAULTS: tuple[Fault, ...] = (
    Fault(
        "login_broken",
        "the admin's stored password hash is for another password (a reset overwrote it): "
        "the valid credentials get 422 `These credentials do not match our records.` (smoke: "
        "the admin's session checks are then not judged)",
        ("test_sign_in_as_admin_succeeds",),
    ),
    Fault(
        "csrf_misconfigured",
        "SESSION_DOMAIN=.facturino.mk: the session and XSRF-TOKEN cookies are set for another "
        "domain, clients drop them, and POST /api/v1/auth/login answers 419 `CSRF token "
        "mismatch.` (the browser stays on /login; smoke: the session checks are not judged)",
        ("test_sign_in_*",),
        {"SESSION_DOMAIN": ".facturino.mk"},
    ),
    Fault(
        "pdf_broken",
        "PDF_DRIVER=gotenberg with GOTENBERG_URL=${NLB_API_URL} (a copy/paste slip): the "
        "'conversion' is answered 200 by the bank sandbox's HTML front page, so "
        "/invoices/pdf/{hash} answers 200 application/pdf with an HTML body",
        (),
        {"PDF_DRIVER": "gotenberg", "GOTENBERG_URL": "${NLB_API_URL}"},
    ),
    Fault(
        "pdf_wrong_invoice",
        "the media disk kept the PDFs of a previous database (media rows and files for the "
        "next 40 invoice ids): a new invoice's PDF URL serves an old invoice's PDF",
        (),
    ),
    Fault(
        "invoice_saved_as_sent",
        "the invoice store request behaves as if `invoiceSend` were always present "
        "(MK_INVOICE_DEFAULT_STATUS=SENT): new invoices are saved as SENT, which mails them "
        "and posts them to the ledger",
        (),
        {"MK_INVOICE_DEFAULT_STATUS": "SENT"},
    ),
    Fault(
        "xml_unsigned",
        "the signer's private key is missing and the export names the file after the requested "
        "format (the pre-HEAD ExportXmlController): `ubl_signed` answers "
        "invoice-<n>-ubl-signed.xml without any ds:Signature",
        (),
        {"MK_XML_EXPORT_NAMING": "request"},
    ),
    Fault(
        "xml_signer_key_missing",
        "the signer's private key is missing (contract 21): `ubl_signed` silently answers the "
        "unsigned document as invoice-<n>-ubl.xml",
        (),
    ),
    Fault(
        "xml_tampered",
        "a post-signing step rewrites the signed export's PayableAmount in whole denars: the "
        "signature no longer covers the bytes sent (digest mismatch); the plain UBL export is "
        "untouched",
        (),
        {"MK_XML_OUTPUT_FILTER": "round_amounts"},
    ),
    Fault(
        "xml_weak_algorithm",
        "the signer uses RSA-SHA1 with a SHA-1 digest (a valid but weak signature)",
        (),
        {"MK_XML_SIGNATURE_METHOD": "rsa-sha1", "MK_XML_DIGEST_METHOD": "sha1"},
    ),
    Fault(
        "xml_schema_invalid",
        "an older UBL mapper writes DocumentCurrencyCode before InvoiceTypeCode: the export "
        "no longer validates against the OASIS UBL 2.1 schema (content is unchanged)",
        (),
        {"MK_UBL_ELEMENT_ORDER": "legacy"},
    ),
    Fault(
        "signer_cert_expiring",
        "the XML signer's certificate (storage/certificates/certificate.pem) expires in 5 "
        "days; /health's signer check (> 7 days) turns false",
        (
            "test_health_returns_200",
            "test_health_status_is_healthy",
            "test_health_check_passes[signer]",
        ),
    ),
    Fault(
        "banking_tier_downgraded",
        "the test company's plan was downgraded to Standard (a billing data fix): every "
        "/api/v1/banking/* route answers 402 `upgrade_required`",
        (),
    ),
    Fault(
        "bank_token_expired",
        "the bank's OAuth token expired and nobody re-authorised: SyncBankTransactions finds "
        "no valid bank_tokens row and silently imports nothing (no failed job; contract 7)",
        (),
    ),
    Fault(
        "admin_is_super_admin",
        "the verify admin account has the role 'super admin' (InvoiceShelf's installer gives "
        "the first user that role): it passes the partner scope and gets the 200 aggregate "
        "with is_super_admin (PartnerScopeMiddleware.php:28), so it cannot show the 403",
        (),
    ),
    Fault(
        "bank_sync_stale",
        "the scheduler stopped 3 days ago: the 4-hourly sync-bank-transactions never ran "
        "since, so what the bank booked since was never imported (the newest psd2 import is "
        "4 days old); the API's last_sync_at (the account's updated_at) looks as it always does",
        (),
    ),
    Fault(
        "bank_worker_dead",
        "the queue worker is not running: a bank sync's job stays queued on `banking`",
        (),
    ),
    Fault(
        "bank_sync_fails",
        "the bank's PSD2 API answers 500: SyncBankTransactions fails its 3 tries (backoff "
        "1 s, 2 s) and lands in failed_jobs; no transactions are imported",
        (),
    ),
    Fault(
        "stripe_prices_missing",
        "the STRIPE_PRICE_* variables are missing from the environment: the subscription "
        "endpoint offers no plan and checkout answers 400 `Invalid tier or price not "
        "configured`",
        (),
        {
            f"STRIPE_PRICE_{tier.upper()}_{interval.upper()}": ""
            for tier in SUBSCRIPTION_TIERS
            for interval in ("monthly", "yearly")
        },
    ),
    Fault(
        "webhook_unrouted",
        "the build lacks routes/webhooks.php: POST /webhooks/paddle|stripe|cpay answer 404",
        (),
    ),
    Fault(
        "webhook_accepts_unsigned",
        "STRIPE_WEBHOOK_SECRET and CPAY_SECRET_KEY unset: /webhooks/stripe and /webhooks/cpay "
        "accept unsigned payloads with 200 and store a gateway_webhook_events row",
        (),
        {"STRIPE_WEBHOOK_SECRET": "", "CPAY_SECRET_KEY": ""},
    ),
    Fault(
        "partner_commissions_wrong",
        "a stale partner-dashboard cache entry (written before the last clawback, kept a day): "
        "total_earnings and pending_payout disagree with affiliate_events",
        (),
    ),
    Fault(
        "partner_scope_open",
        "the partner route group lost its partner-scope middleware (MK_PARTNER_SCOPE=off): "
        "any signed-in user reads the partner API (200 with zero figures) instead of 403",
        (),
        {"MK_PARTNER_SCOPE": "off"},
    ),
    Fault(
        "partner_commission_fields_missing",
        "a release brought back the upstream commissions mapping "
        "(MK_PARTNER_COMMISSION_FIELDS=upstream): /api/v1/partner/commissions sends event_type "
        "and no type/status, so the dashboard's Status badges show the raw key "
        "partner_dashboard.status_undefined",
        (),
        {"MK_PARTNER_COMMISSION_FIELDS": "upstream"},
    ),
    Fault(
        "partner_forbidden",
        "the partner record is inactive: the partner API answers 403 `Partner account is "
        "inactive`; /admin/partner/dashboard (the shell) shows the SPA's empty state, whose "
        "store turns the refused calls into zeros",
        ("test_partner_data_is_not_mocked[*]",),
    ),
)


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


def apply_db(
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
