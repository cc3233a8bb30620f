"""Banking (PSD2) checks: status/accounts shapes, sync freshness, the sync job's life (§7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import httpx

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


def expect_recent_sync(
    accounts: list[dict[str, Any]], max_age_hours: float, now: dt.datetime
) -> None:
    """The newest ``last_sync_at`` over the active accounts is within the threshold (the
    scheduler syncs every 4 hours)."""
    __tracebackhide__ = True
    times = [t for t in (parse_time(a.get("last_sync_at")) for a in accounts) if t is not None]
    newest = max(times, default=None)
    if newest is None or (now - newest).total_seconds() > max_age_hours * 3600:
        age = "never" if newest is None else f"{(now - newest).total_seconds() / 3600:.1f} h ago"
        fail(
            f"a bank account synced within the last {max_age_hours:g} h",
            f"last_sync_at newer than {max_age_hours:g} h",
            f"newest last_sync_at: {newest.isoformat() if newest else '(none)'} ({age})",
            remedies.BANK_SYNC,
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
        fail(
            f"the sync dispatched {job_name} on queue '{queue}'",
            f"a job on '{queue}' named …{job_name}",
            f"{shown}; and a job was inserted and removed between two looks: its queue is unknown",
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
            "no valid bank_tokens row for the account's bank: SyncBankTransactions imports "
            "nothing by design (contract §7)"
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
