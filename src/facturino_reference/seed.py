"""Schema, migration rows and a little realistic data for the private database."""

from __future__ import annotations

import secrets
import string
from importlib import resources
from typing import Any

import psycopg

from facturino_reference.appenv import Secrets
from facturino_reference.hashid import invoice_hash
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.passwords import hash_password

# psycopg on PostgreSQL; on MySQL the same calls through mysqlconn (dialect.to_mysql).
Conn = psycopg.Connection[Any] | MySQLConnection
ADMIN_EMAIL = "admin@facturino.test"
PARTNER_EMAIL = "partner@facturino.test"


def migration_names() -> list[str]:
    """The app's migration files, oldest first (the package's own copy of the list)."""
    text = resources.files("facturino_reference").joinpath("migrations.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def apply_mysql_schema(conn: MySQLConnection) -> None:
    """schema_mysql.sql, one statement at a time (PyMySQL sends one per call)."""
    ddl = resources.files("facturino_reference").joinpath("schema_mysql.sql").read_text("utf-8")
    body = "\n".join(line for line in ddl.splitlines() if not line.startswith("--"))
    with conn.cursor() as cur:
        for statement in filter(str.strip, body.split(";\n")):
            cur.raw_execute(statement)


def apply_schema(conn: psycopg.Connection[Any]) -> None:
    ddl = resources.files("facturino_reference").joinpath("schema.sql").read_text("utf-8")
    conn.execute(ddl.encode())  # bytes: psycopg runs a multi-statement script as one query


# The first migration Facturino added to the InvoiceShelf code it forked: everything before it
# ran at install time (batch 1).
FORK_MIGRATION = "2025_07_24_core"


def migration_batches(names: list[str]) -> list[tuple[str, int]]:
    """Install-time migrations share batch 1; after the fork, each day's migrations shipped in
    one deploy, so they share a batch (the date is the name's first ten characters, also for
    the non-standard names such as 2025_08_51_enable_ifrs_for_all_companies)."""
    rows: list[tuple[str, int]] = []
    batch, day = 1, ""
    for name in names:
        if name >= FORK_MIGRATION and name[:10] != day:
            batch, day = batch + 1, name[:10]
        rows.append((name, batch))
    return rows


def record_migrations(conn: Conn) -> None:
    rows = migration_batches(migration_names())
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO migrations (migration, batch) VALUES (%s, %s)", rows)


def _hash() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def seed(conn: Conn, creds: Secrets, app_key: str, hash_salt: str = "key_then_class") -> None:
    """`hash_salt`: MK_HASHIDS_SALT, the order of config/hashids.php's Invoice salt."""
    _seed_core(conn, creds)
    _seed_business(conn, app_key, hash_salt)
    _seed_partner(conn)
    _seed_banking(conn)


def _seed_core(conn: Conn, creds: Secrets) -> None:
    conn.execute(
        "INSERT INTO currencies (name, code, symbol, precision) VALUES "
        "('Macedonian Denar', 'MKD', 'ден', 0), ('Euro', 'EUR', '€', 2), "
        "('US Dollar', 'USD', '$', 2)"
    )
    conn.execute(
        "INSERT INTO companies (name, unique_hash, slug, subscription_tier, signup_source, "
        "created_at, updated_at) VALUES "
        "('Facturino Verify DOO', %s, 'facturino-verify-doo', 'business', 'direct', "
        " now() - interval '400 days', now()), "
        "('Партнер Клиент ДООЕЛ', %s, 'partner-klient-dooel', 'standard', 'partner', "
        " now() - interval '200 days', now())",
        (_hash(), _hash()),
    )
    users = [
        ("Facturino Admin", ADMIN_EMAIL, hash_password(creds.admin_password), "admin", 1),
        (
            "Reference Partner",
            PARTNER_EMAIL,
            hash_password(creds.partner_password),
            "partner",
            None,
        ),
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO users (name, email, password, role, company_id, currency_id, "
            "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, 1, now(), now())",
            users,
        )
    conn.execute("UPDATE companies SET owner_id = 1")
    # Company 1 already is a Stripe customer, so a checkout does not have to create one
    # (and write companies.stripe_id) during a verification run.
    conn.execute("UPDATE companies SET stripe_id = %s WHERE id = 1", ("cus_ref" + _hash()[:14],))
    conn.execute("INSERT INTO user_company (user_id, company_id) VALUES (1, 1)")
    conn.execute(
        "INSERT INTO settings (option, value, created_at, updated_at) VALUES "
        "('profile_complete', 'COMPLETED', now(), now()), "
        "('version', '2.1.1', now(), now())"
    )
    conn.execute(
        "INSERT INTO company_settings (option, value, company_id, created_at, updated_at) "
        "VALUES ('currency', '1', 1, now(), now()), ('language', 'mk', 1, now(), now()), "
        "('currency', '1', 2, now(), now()), ('language', 'mk', 2, now(), now())"
    )


def _seed_business(conn: Conn, app_key: str, hash_salt: str) -> None:
    conn.execute(
        "INSERT INTO customers (name, email, phone, tax_id, currency_id, company_id, "
        "creator_id, created_at, updated_at) VALUES "
        "('Алфа Трејд ДООЕЛ', 'office@alfa-trade.test', '+389 2 3100 100', '4030001234567', "
        " 1, 1, 1, now(), now()), "
        "('Бета Консалтинг ДОО', 'info@beta-consulting.test', NULL, '4030007654321', "
        " 1, 1, 1, now(), now()), "
        "('Gamma Export DOO', 'billing@gamma.test', NULL, NULL, 2, 1, 1, now(), now())"
    )
    conn.execute(
        "INSERT INTO items (name, description, unit, price, company_id, created_at, "
        "updated_at) VALUES ('Сметководствени услуги', 'Месечно водење', 'месец', 1200000, "
        "1, now(), now()), ('Консултации', NULL, 'час', 300000, 1, now(), now()), "
        "('Software licence', 'Annual', 'pc', 4500000, 1, now(), now())"
    )
    invoices = [
        ("INV-000001", "COMPLETED", "PAID", 1, 1200000, 40),
        ("INV-000002", "SENT", "UNPAID", 2, 600000, 20),
        ("INV-000003", "VIEWED", "PARTIALLY_PAID", 1, 4500000, 10),
        ("INV-000004", "DRAFT", "UNPAID", 3, 300000, 1),
    ]
    for seq, (number, status, paid, customer, total, age) in enumerate(invoices, start=1):
        due = 0 if paid == "PAID" else total
        conn.execute(
            "INSERT INTO invoices (invoice_date, due_date, invoice_number, status, paid_status, "
            "discount, discount_val, sub_total, total, tax, due_amount, unique_hash, "
            "template_name, sequence_number, company_id, customer_id, currency_id, creator_id, "
            "created_at, updated_at) VALUES (current_date - %s, current_date - %s + 15, %s, %s, "
            "%s, 0, 0, %s, %s, 0, %s, %s, 'invoice-mk', %s, 1, %s, 1, 1, now() - make_interval("
            "days => %s), now())",
            (
                age,
                age,
                number,
                status,
                paid,
                total,
                total,
                due,
                invoice_hash(app_key, seq, hash_salt),
                seq,
                customer,
                age,
            ),
        )
        conn.execute(
            "INSERT INTO invoice_items (invoice_id, name, quantity, price, total, company_id, "
            "created_at, updated_at) VALUES (%s, 'Услуга', 1, %s, %s, 1, now(), now())",
            (seq, total, total),
        )
    conn.execute(
        "INSERT INTO e_invoices (invoice_id, company_id, status, created_at, updated_at) "
        "VALUES (2, 1, 'DRAFT', now(), now())"
    )


def _seed_partner(conn: Conn) -> None:
    conn.execute(
        "INSERT INTO partners (user_id, name, email, company_name, commission_rate, is_active, "
        "onboarding_completed_at, created_at, updated_at) VALUES (2, 'Reference Partner', %s, "
        "'Сметководство Референт', 20.00, true, now() - interval '90 days', now(), now())",
        (PARTNER_EMAIL,),
    )
    conn.execute(
        "INSERT INTO partner_company_links (partner_id, company_id, is_primary, is_active, "
        "created_at, updated_at) VALUES (1, 2, true, true, now(), now()), "
        "(1, 1, false, true, now(), now())"
    )
    conn.execute(
        "INSERT INTO payouts (partner_id, amount, status, payout_date, payment_method, "
        "created_at, updated_at) VALUES "
        "(1, 4500.00, 'completed', (date_trunc('month', now()) - interval '16 days')::date, "
        " 'bank_transfer', now() - interval '20 days', now()), "
        "(1, 2400.00, 'pending', (date_trunc('month', now()) + interval '1 month 14 days')::date,"
        " 'bank_transfer', now(), now())"
    )
    # (company, type, amount, months ago, clawed back, payout id of a paid event)
    events = [
        (2, "recurring_commission", 1500.00, 0, False, None),
        (1, "recurring_commission", 900.00, 0, False, None),
        (2, "recurring_commission", 1500.00, 1, False, 1),
        (1, "recurring_commission", 700.00, 1, True, None),
        (2, "first_year_commission", 3000.00, 2, False, 1),
    ]
    for company, kind, amount, months, clawed, payout in events:
        conn.execute(
            "INSERT INTO affiliate_events (affiliate_partner_id, company_id, event_type, amount, "
            "month_ref, is_clawed_back, paid_at, payout_id, created_at, updated_at) "
            "SELECT 1, %s, %s, %s, to_char(t, 'YYYY-MM'), %s, "
            "CASE WHEN %s::bigint IS NULL THEN NULL ELSE t + interval '20 days' END, %s, t, t "
            "FROM (SELECT date_trunc('month', now()) - make_interval(months => %s) "
            "+ interval '2 days' AS t) AS ts",
            (company, kind, amount, clawed, payout, payout, months),
        )
    conn.execute(
        "INSERT INTO commissions (partner_id, company_id, commission_type, base_amount, "
        "commission_rate, commission_amount, status, created_at, updated_at) VALUES "
        "(1, 2, 'monthly', 7500.00, 20.00, 1500.00, 'approved', now(), now())"
    )


# What the 4-hourly scheduled syncs imported before `up`: the sandbox bank's history (as its
# own ids; the next sync finds them there and skips them), each imported hours after it was
# booked, and the last scheduled sync 2 hours ago imported that day's payment.
SCHEDULED_IMPORTS = (
    # (reference suffix, booked days ago, amount, type, remittance, imported hours ago)
    ("H1", 6, "18000.00", "credit", "Плаќање по фактура INV-000002", 6 * 24 - 3),
    ("H2", 4, "3200.00", "debit", "Сметка за телефон", 4 * 24 - 3),
    ("H3", 2, "45000.00", "credit", "Аванс", 2 * 24 - 3),
    ("S1", 0, "7300.00", "credit", "Уплата по фактура INV-000003", 2),
)


def _seed_scheduled_imports(conn: Conn) -> None:
    rows = [
        (f"NLB-000123-{suffix}", f"E2E-{suffix}", amount, kind, days, info, hours, hours)
        for suffix, days, amount, kind, info, hours in SCHEDULED_IMPORTS
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO bank_transactions (bank_account_id, company_id, transaction_reference, "
            "transaction_id, amount, transaction_type, booking_status, transaction_date, "
            "description, processing_status, source, created_at, updated_at) VALUES "
            "(1, 1, %s, %s, %s, %s, 'booked', current_date - %s, %s, 'unprocessed', 'psd2', "
            "(now() at time zone 'UTC') - make_interval(hours => %s), "
            "(now() at time zone 'UTC') - make_interval(hours => %s))",
            rows,
        )


def _seed_banking(conn: Conn) -> None:
    # updated_at: when the account row last changed (its balance, 40 days ago); the API shows
    # it as last_sync_at, which no sync ever writes.
    conn.execute(
        "INSERT INTO bank_accounts (company_id, bank_code, bank_name, account_number, iban, "
        "opening_balance, current_balance, is_active, is_primary, created_at, updated_at) "
        "VALUES (1, 'nlb', 'NLB Банка', '210-0000000001-23', 'MK07210000000000123', 100000.00, "
        "152300.00, true, true, now() - interval '300 days', "
        "(now() at time zone 'UTC') - interval '40 days')"
    )
    # The PSD2 consent (OAuth tokens) the sync job needs for (company, bank_code).
    conn.execute(
        "INSERT INTO bank_tokens (company_id, bank_code, access_token, refresh_token, "
        "expires_at, created_at, updated_at) VALUES (1, 'nlb', %s, %s, "
        "(now() at time zone 'UTC') + interval '80 days', now(), now())",
        ("psd2-" + secrets.token_urlsafe(24), "psd2-refresh-" + secrets.token_urlsafe(24)),
    )
    conn.execute(
        "INSERT INTO bank_transactions (bank_account_id, company_id, transaction_reference, "
        "amount, transaction_type, transaction_date, description, matched_invoice_id, "
        "processing_status, source, created_at, updated_at) VALUES "
        "(1, 1, 'REF-0001', 12000.00, 'credit', current_date - 35, 'Уплата INV-000001', 1, "
        " 'processed', 'csv_import', now(), now()), "
        "(1, 1, 'REF-0002', 2500.00, 'debit', current_date - 3, 'Закуп', NULL, "
        " 'unprocessed', 'manual', now(), now())"
    )
    _seed_scheduled_imports(conn)
    conn.execute(
        "INSERT INTO gateway_webhook_events (company_id, provider, event_type, event_id, "
        "payload, status, processed_at, created_at, updated_at) VALUES (1, 'stripe', "
        "'invoice.paid', 'evt_reference_0001', '{}', 'processed', now(), now(), now())"
    )
