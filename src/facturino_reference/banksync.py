"""App\\Jobs\\SyncBankTransactions, as the queue worker runs it (contract 7).

For each active account of the company with a bank code, pick the bank's PSD2 client
(`nlb`, `stopanska`; other codes throw), take a valid `bank_tokens` row for (company, bank
code) -- without one the account silently imports nothing -- fetch the transactions of the
last `days` days over HTTP and insert them into `bank_transactions` with `source='psd2'`,
idempotent per (account, transaction_reference). A non-200 answer fails the job, so the
worker retries it and finally moves it to `failed_jobs`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from facturino_reference.appenv import AppConfig
from facturino_reference.mysqlconn import MySQLConnection

Conn = psycopg.Connection[Any] | MySQLConnection
CLIENTS = {"nlb": "NLB_API_URL", "stopanska": "STOPANSKA_API_URL"}
HTTP_TIMEOUT = 30.0


class BankApiError(Exception):
    """The bank's PSD2 API answered something other than 200."""


@dataclass(frozen=True)
class SyncResult:
    accounts: int
    imported: int


def _token(conn: Conn, company_id: int, bank_code: str) -> str | None:
    """BankToken::valid(): expiring more than 5 minutes from now."""
    row = conn.execute(
        "SELECT access_token FROM bank_tokens WHERE company_id = %s AND bank_code = %s AND "
        "expires_at > (now() at time zone 'UTC') + interval '5 minutes' "
        "ORDER BY id DESC LIMIT 1",
        (company_id, bank_code),
    ).fetchone()
    return None if row is None else str(row[0])


def _fetch(config: AppConfig, bank_code: str, iban: str, token: str, days: int) -> list[Any]:
    base = config.get(CLIENTS[bank_code]).rstrip("/")
    since = (dt.date.today() - dt.timedelta(days=days)).isoformat()
    try:
        answer = httpx.get(
            f"{base}/accounts/{iban}/transactions",
            params={"dateFrom": since, "bookingStatus": "booked"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=HTTP_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise BankApiError(f"{bank_code} PSD2 API unreachable: {exc}") from exc
    if answer.status_code != 200:
        raise BankApiError(f"{bank_code} PSD2 API returned HTTP {answer.status_code}")
    booked = answer.json().get("transactions", {}).get("booked", [])
    return booked if isinstance(booked, list) else []


def _store(conn: Conn, account: dict[str, Any], entries: list[Any]) -> int:
    imported = 0
    for entry in entries:
        reference = entry.get("transactionId") or entry.get("endToEndId")
        amount = float(entry["transactionAmount"]["amount"])
        cursor = conn.execute(
            "INSERT INTO bank_transactions (bank_account_id, company_id, transaction_reference, "
            "transaction_id, amount, currency, transaction_type, booking_status, "
            "transaction_date, description, processing_status, source, raw_data, created_at, "
            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'booked', %s, %s, 'unprocessed', "
            "'psd2', %s, now() at time zone 'UTC', now() at time zone 'UTC') "
            "ON CONFLICT (bank_account_id, transaction_reference) DO NOTHING",
            (
                account["id"],
                account["company_id"],
                reference,
                entry.get("endToEndId"),
                amount,
                entry["transactionAmount"].get("currency", "MKD"),
                "credit" if amount >= 0 else "debit",
                entry.get("bookingDate"),
                entry.get("remittanceInformationUnstructured"),
                json.dumps(entry, ensure_ascii=False),
            ),
        )
        imported += cursor.rowcount
    return imported


def sync_company(conn: Conn, config: AppConfig, company_id: int, days: int) -> SyncResult:
    cursor = conn.execute(
        "SELECT id, company_id, bank_code, iban FROM bank_accounts WHERE company_id = %s AND "
        "is_active AND bank_code IS NOT NULL ORDER BY id",
        (company_id,),
    )
    columns = [column.name for column in cursor.description or []]
    accounts = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    imported = 0
    for account in accounts:
        code = account["bank_code"]
        if code not in CLIENTS:
            raise BankApiError(f"Unsupported bank: {code}")
        token = _token(conn, company_id, code)
        if token is None:
            print(f"no valid bank token for company {company_id}/{code}: 0 imported", flush=True)
            continue
        entries = _fetch(config, code, account["iban"], token, days)
        with conn.transaction():  # only inserts: the job never touches bank_accounts
            imported += _store(conn, account, entries)
    return SyncResult(len(accounts), imported)
