"""Banking (PSD2) checks: status/accounts shapes, sync freshness, the sync job's life (§7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import httpx

from ..clients.errors import NotJudged
from ..clients.featuredb import Psd2Imports
from . import remedies
from .base import fail, shorten
from .http import expect_status, json_body

BANK_KEYS = ("code", "name", "accountCount", "status", "lastSync", "psd2Status")
ACCOUNT_KEYS = (
    "id",
    "bank_name",
    "bank_code",
    "account_number",
    "iban",
    "current_balance",
    "currency",
    "bank_logo",
    "last_sync_at",
    "sync_status",
    "is_primary",
)
SYNC_STARTED = "Sync started successfully"


def _data(response: httpx.Response, claim: str) -> Any:
    __tracebackhide__ = True
    expect_status(response, 200, claim, remedies.BANKING)
    body = json_body(response, claim, remedies.BANKING)
    # BankingController answers errors with 200 and error/message keys (contract §7).
    if not isinstance(body, dict) or "data" not in body or "error" in body:
        fail(claim, "{'data': …} without 'error'", shorten(str(body)), remedies.BANKING)
    return body["data"]


def _missing(entry: Any, keys: Sequence[str]) -> list[str]:
    return [k for k in keys if not isinstance(entry, dict) or k not in entry]


def bank_entries(data: Any) -> list[Any]:
    """The per-bank entries of /banking/status: the list itself, or the list inside ``data``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and all(isinstance(v, dict) and "code" in v for v in value):
                return value
    return []


def expect_status_shape(response: httpx.Response) -> list[dict[str, Any]]:
    __tracebackhide__ = True
    claim = "GET /api/v1/banking/status answers per-bank entries"
    banks = bank_entries(_data(response, claim))
    if not banks:
        fail(
            claim, f"entries with {', '.join(BANK_KEYS)}", shorten(response.text), remedies.BANKING
        )
    for bank in banks:
        if missing := _missing(bank, BANK_KEYS):
            fail(claim, f"keys {', '.join(BANK_KEYS)}", f"{bank} lacks {missing}", remedies.BANKING)
    return banks


def expect_accounts_shape(response: httpx.Response) -> list[dict[str, Any]]:
    __tracebackhide__ = True
    claim = "GET /api/v1/banking/accounts lists the company's accounts"
    accounts = _data(response, claim)
    if not isinstance(accounts, list) or not accounts:
        fail(claim, "a non-empty list of accounts", shorten(str(accounts)), remedies.BANKING)
    for account in accounts:
        if missing := _missing(account, ACCOUNT_KEYS):
            fail(claim, f"keys {', '.join(ACCOUNT_KEYS)}", f"lacks {missing}", remedies.BANKING)
    return accounts


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# Facturino at d5d901d7: the API's last_sync_at is the account's updated_at, which the sync
# never writes (it only inserts bank_transactions) and which the accounts endpoint itself
# touches when it recomputes a zero balance: it says nothing about the last sync.
API_LAST_SYNC = (
    "the API's last_sync_at ({shown}) is bank_accounts.updated_at "
    "(app/Http/Controllers/V1/Admin/Banking/BankingController.php:119), which "
    "SyncBankTransactions never writes, so it cannot tell; judged instead on the import time "
    "(created_at) of the newest bank_transactions row with source='psd2'"
)
STALE_SYNC_REMEDY = (
    "no sync imported anything since: check the scheduler (`php artisan schedule:list`: "
    "sync-bank-transactions every 4 h, routes/console.php), the banking queue worker, and the "
    "bank tokens (SyncBankTransactions skips a bank whose token expires within 5 minutes and "
    "never refreshes an expired one: reconnect the bank); if the bank booked nothing new since, "
    "this is expected: raise [features.banking] last_sync_max_age_hours for a quiet account"
)


def newest_api_last_sync(accounts: list[dict[str, Any]]) -> str:
    times = [t for t in (parse_time(a.get("last_sync_at")) for a in accounts) if t is not None]
    return max(times).isoformat() if times else "none"


def _imports_shown(imports: Sequence[Psd2Imports]) -> str:
    return "; ".join(
        f"account #{i.account_id} ({i.bank_code or 'no bank code'}): newest psd2 import "
        + (f"{i.newest_import} ({i.age_hours:.1f} h ago)" if i.age_hours is not None else "none")
        + f", bank token {'valid' if i.valid_token else 'missing or expiring within 5 min'}"
        for i in imports
    )


def last_sync_not_judged_because(imports: Sequence[Psd2Imports]) -> str | None:
    """Why the last sync cannot be judged (None: it can): no account of the company was ever
    connected over PSD2 (no psd2 row, no usable token), so there is no sync to look at."""
    if any(i.newest_import is not None or i.valid_token for i in imports):
        return None
    return (
        "no account of the verify company is connected over PSD2 (no transaction with "
        "source='psd2', no usable bank_tokens row): there is no bank sync to judge; connect a "
        "bank for the [accounts.admin] company to judge it"
    )


def expect_recent_psd2_import(
    imports: Sequence[Psd2Imports], max_age_hours: float, api_last_sync: str
) -> None:
    """A sync imported transactions within ``max_age_hours``: the newest psd2 row's created_at,
    the one trace of a sync (the scheduler's runs every 4 h import what the bank booked)."""
    __tracebackhide__ = True
    claim = f"a bank sync imported transactions within the last {max_age_hours:g} h"
    if not imports:
        fail(
            claim,
            "the accounts the API lists, in [database]",
            "none of them is in bank_accounts: [database] is not the app's database",
            remedies.DATABASE,
        )
    ages = [i.age_hours for i in imports if i.age_hours is not None]
    if ages and min(ages) <= max_age_hours:
        return
    fail(
        claim,
        f"a bank_transactions row with source='psd2' created less than {max_age_hours:g} h ago",
        f"{_imports_shown(imports)}; " + API_LAST_SYNC.format(shown=api_last_sync),
        STALE_SYNC_REMEDY,
    )


def expect_sync_started(response: httpx.Response, account_id: int) -> None:
    __tracebackhide__ = True
    claim = f"POST /api/v1/banking/sync/{account_id} starts a sync"
    expect_status(response, 200, claim, remedies.BANK_SYNC)
    body = json_body(response, claim, remedies.BANK_SYNC)
    if not isinstance(body, dict) or body.get("message") != SYNC_STARTED:
        fail(claim, f"{{'message': '{SYNC_STARTED}'}}", shorten(str(body)), remedies.BANK_SYNC)


def expect_job_queued(
    seen: list[tuple[str, str]], queue: str, job_name: str, processed_unseen: bool = False
) -> None:
    """``seen``: (queue, display name) of the new jobs (rows, or Redis payloads) seen after
    the trigger; ``processed_unseen``: a job id was handed out whose row was gone before any
    look saw it."""
    __tracebackhide__ = True
    if any(q == queue and job_name in name for q, name in seen):
        return
    shown = ", ".join(f"{n or '?'} on {q}" for q, n in seen) or "no new job"
    if processed_unseen and not any(job_name in name for _, name in seen):
        # The worker took and finished a job between two looks (5 ms apart; a loaded runner
        # stretches that): it may have been the sync's, on the right queue. Not seeing it is
        # the watcher's limit, not the deployment's fault, so the check is not judged.
        raise NotJudged(
            f"the sync dispatched {job_name} on queue '{queue}'",
            f"{shown}; and a job was inserted and removed between two looks, so its queue "
            "is unknown",
            "run again; if it repeats, the worker runs the sync inline (no queue)",
        )
    fail(
        f"the sync dispatched {job_name} on queue '{queue}'",
        f"a job on '{queue}' named …{job_name}",
        shown,
        remedies.BANK_SYNC,
    )


def expect_job_processed(
    still_queued: bool, waited: float, job_name: str, observed: bool = True
) -> None:
    """``observed``: a job of the sync was seen (or handed out): with none there was nothing
    the worker could be seen processing, which is not a pass."""
    __tracebackhide__ = True
    if not observed:
        fail(
            f"the worker processes {job_name} (the job leaves the queue)",
            "a queued sync job that the worker removes",
            "no job was dispatched, so no processing could be observed",
            remedies.BANK_SYNC,
        )
    if still_queued:
        fail(
            f"the worker processes {job_name} (the job leaves the queue)",
            "the job removed by the worker",
            f"still queued after {waited:.1f} s: no worker is consuming the queue",
            remedies.QUEUE,
        )


def expect_no_new_failed_jobs(rows: list[tuple[int, str, str]]) -> None:
    __tracebackhide__ = True
    if rows:
        shown = "; ".join(f"#{i} on {q}: {shorten(e, 100)}" for i, q, e in rows[:3])
        fail("the sync adds no failed_jobs row", "no new failed_jobs", shown, remedies.BANK_SYNC)


def import_not_judged_because(mode: str, has_valid_token: bool) -> str | None:
    """Why the sync's import is not judged under ``[features.banking] new_transactions``
    (None: it is judged)."""
    if mode == "not_judged":
        return (
            "[features.banking] new_transactions = 'not_judged': a bank with no new activity "
            "imports nothing"
        )
    if mode == "if_token" and not has_valid_token:
        return (
            "no valid bank_tokens row for the account's bank (none expiring more than 5 minutes "
            "from now, BankToken::scopeValid): SyncBankTransactions imports nothing by design "
            "(contract §7)"
        )
    return None


def expect_new_psd2_transactions(before: int, after: int, waited: float) -> None:
    __tracebackhide__ = True
    if after <= before:
        fail(
            "the sync imports new bank_transactions with source='psd2'",
            f"more than {before} psd2 rows for the account",
            f"{after} after {waited:.1f} s",
            remedies.BANK_SYNC,
        )
