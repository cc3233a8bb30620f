"""Banking (contract 7, BankingController): status, accounts, and the manual sync, which
dispatches SyncBankTransactions onto the `banking` database queue for the worker.

As at d5d901d7, `last_sync_at` (accounts) and `lastSync`/`lastFullSync` (status) are the
accounts' updated_at: the sync never writes bank_accounts, and no column records a sync."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.jobs import make_payload
from facturino_reference.redisqueue import queue_key, redis_payload
from facturino_reference.web.auth import is_partner
from facturino_reference.web.company import current_company
from facturino_reference.web.context import AppContext
from facturino_reference.web.errors import HttpError
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.resources import not_found

TIER_RANK = {"free": 0, "accountant_basic": 0, "starter": 1, "standard": 2, "business": 3, "max": 4}
BANK_NAMES = {
    "stopanska": "Стопанска Банка",
    "nlb": "NLB Банка",
    "komercijalna": "Комерцијална Банка",
    "sparkasse": "Шпаркасе Банка",
    "ohridska": "Охридска Банка",
    "halkbank": "Халкбанк",
}
SYNC_DAYS = 7
SYNC_TIMEOUT = 600


def _iso(value: dt.datetime | None) -> str | None:
    """Carbon's toIso8601String() of a UTC timestamp."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "+00:00"


async def _business(request: Request) -> tuple[AppContext, DictRow]:
    """`tier:business`: 402 below Business; partners (and super admins) bypass it."""
    c, user, company = await current_company(request)
    rank = TIER_RANK.get(company["subscription_tier"], 0)
    if rank < TIER_RANK["business"] and not (
        user["role"] == "super admin" or await is_partner(request, user["id"])
    ):
        raise HttpError(
            402,
            body={
                "error": "upgrade_required",
                "message": "This feature requires the Business plan.",
                "required_tier": "business",
                "current_tier": company["subscription_tier"],
            },
        )
    return c, company


async def _accounts(c: AppContext, company_id: int) -> list[DictRow]:
    return await c.db.fetchall(
        "SELECT * FROM bank_accounts WHERE company_id = %s AND is_active ORDER BY id",
        (company_id,),
    )


async def _recomputed_balance(c: AppContext, row: DictRow) -> float:
    """BankingController::accounts (:96-107): a zero balance is recomputed from the
    transactions and saved, which touches updated_at (the API's last_sync_at)."""
    balance = float(row["current_balance"])
    if balance != 0.0:
        return balance
    sums = await c.db.fetchone(
        "SELECT coalesce(sum(amount) FILTER (WHERE transaction_type = 'credit'), 0) AS credits, "
        "coalesce(sum(amount) FILTER (WHERE transaction_type = 'debit'), 0) AS debits "
        "FROM bank_transactions WHERE bank_account_id = %s",
        (row["id"],),
    )
    assert sums is not None
    credits, debits = float(sums["credits"]), float(sums["debits"])
    if credits > 0 or debits > 0:
        balance = float(row["opening_balance"]) + credits - debits
        if round(balance, 2) != 0:  # Eloquent saves (and stamps updated_at) only a change
            await c.db.execute(
                "UPDATE bank_accounts SET current_balance = %s, "
                "updated_at = now() at time zone 'UTC' WHERE id = %s",
                (round(balance, 2), row["id"]),
            )
    return balance


async def accounts(request: Request) -> Response:
    """GET /api/v1/banking/accounts. `last_sync_at` is the account's updated_at, as at
    d5d901d7 (BankingController.php:119): nothing a sync does changes it."""
    c, company = await _business(request)
    data = []
    for row in await _accounts(c, company["id"]):
        balance = await _recomputed_balance(c, row)
        updated = await c.db.scalar(
            "SELECT updated_at FROM bank_accounts WHERE id = %s", (row["id"],)
        )
        data.append(
            {
                "id": row["id"],
                "bank_name": row["bank_name"] or "Unknown Bank",
                "bank_code": row["bank_code"],
                "account_number": row["account_number"] or "",
                "iban": row["iban"] or "",
                "current_balance": balance,
                "currency": row["currency"] or "MKD",
                "bank_logo": f"{c.config.app_url}/images/banks/{row['bank_code']}-logo.svg"
                if row["bank_code"] in {"nlb", "stopanska"}
                else None,
                "last_sync_at": _iso(updated),
                "sync_status": "connected",
                "is_primary": row["is_primary"],
            }
        )
    return json_response({"data": data})


async def status(request: Request) -> Response:
    """GET /api/v1/banking/status: connections per bank and today's sync stats."""
    c, company = await _business(request)
    rows = await _accounts(c, company["id"])
    banks: dict[str, list[DictRow]] = {}
    for row in rows:
        banks.setdefault(row["bank_code"] or "", []).append(row)
    connections = [
        {
            "code": code,
            "name": BANK_NAMES.get(code, code or "Unknown Bank"),
            "accountCount": len(group),
            "status": "connected",
            "lastSync": _iso(max(r["updated_at"] for r in group)),
            "psd2Status": "active",
        }
        for code, group in banks.items()
    ]
    today = await c.db.fetchone(
        "SELECT count(*) AS n, coalesce(abs(sum(amount)), 0) AS amount, "
        "count(matched_invoice_id) AS matched FROM bank_transactions "
        "WHERE company_id = %s AND transaction_date = current_date",
        (company["id"],),
    )
    assert today is not None
    count = int(today["n"])
    stats: dict[str, Any] = {
        "transactionsToday": count,
        "totalAmountToday": float(today["amount"]),
        "matchedPayments": int(today["matched"]),
        "matchRate": round(int(today["matched"]) * 100 / count) if count else 0,
    }
    last = max((r["updated_at"] for r in rows), default=None)
    next_sync = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=15)
    return json_response(
        {
            "data": {
                "bankConnections": connections,
                "syncStats": stats,
                "lastFullSync": _iso(last),
                "nextSync": _iso(next_sync),
            }
        }
    )


async def sync(request: Request) -> Response:
    """POST /api/v1/banking/sync/{account}: dispatch SyncBankTransactions(company, 7)."""
    c, company = await _business(request)
    key = request.path_params["account"]
    account = await c.db.fetchone("SELECT * FROM bank_accounts WHERE id::text = %s", (key,))
    if account is None:
        raise HttpError(404, body=not_found("BankAccount", key))
    if account["company_id"] != company["id"]:
        raise HttpError(403, body={"error": "Unauthorized"})
    now = int(time.time())
    payload = make_payload(
        "sync_bank_transactions",
        timeout=SYNC_TIMEOUT,
        backoff=c.config.get("BANK_SYNC_BACKOFF", "60,300"),
        company_id=company["id"],
        days=SYNC_DAYS,
    )
    if c.config.get("QUEUE_CONNECTION", "database") == "redis":
        # A Redis outage raises here: the 500 the contract lists for dispatching endpoints.
        key = queue_key(c.config.get("REDIS_PREFIX"), "banking")
        await c.queue.rpush(key, redis_payload(payload))
    else:
        await c.db.execute(
            "INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) "
            "VALUES ('banking', %s, 0, NULL, %s, %s)",
            (payload, now, now),
        )
    return json_response({"message": "Sync started successfully", "account_id": account["id"]})
