"""Laravel database-queue payloads, as `dispatch()` writes them into `jobs.payload`."""

from __future__ import annotations

import json
import uuid
from typing import Any

# Job kinds the reference worker knows how to run, by Laravel job class.
JOB_CLASSES: dict[str, str] = {
    "probe": "App\\Jobs\\ReferenceProbe",
    "sync_bank_transactions": "App\\Jobs\\SyncBankTransactions",
}
QUEUES: tuple[str, ...] = ("default", "high", "banking", "einvoice", "background", "migration")
MAX_TRIES = 3


def make_payload(
    kind: str,
    *,
    max_tries: int = MAX_TRIES,
    timeout: int = 120,
    backoff: str | None = None,
    **data: Any,
) -> str:
    """A payload in Laravel's shape, with the reference `kind` carried in `data`.

    `backoff` is Laravel's comma-separated seconds between attempts ("60,300").
    """
    job_class = JOB_CLASSES.get(kind, f"App\\Jobs\\{kind}")
    return json.dumps(
        {
            "uuid": str(uuid.uuid4()),
            "displayName": job_class,
            "job": "Illuminate\\Queue\\CallQueuedHandler@call",
            "maxTries": max_tries,
            "maxExceptions": None,
            "failOnTimeout": False,
            "backoff": backoff,
            "timeout": timeout,
            "retryUntil": None,
            "data": {"commandName": job_class, "kind": kind, **data},
        }
    )


def payload_kind(payload: str) -> str:
    """The reference kind of a payload; "" when it is not one of ours (or not JSON)."""
    try:
        data = json.loads(payload).get("data", {})
    except (ValueError, AttributeError):
        return ""
    kind = data.get("kind", "") if isinstance(data, dict) else ""
    return kind if isinstance(kind, str) else ""


def payload_backoff(payload: str, attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures (last value repeats)."""
    try:
        raw = json.loads(payload).get("backoff")
    except (ValueError, AttributeError):
        raw = None
    if not isinstance(raw, str | int) or raw == "":
        return 0
    steps = [int(part) for part in str(raw).split(",") if part.strip().isdigit()]
    if not steps:
        return 0
    return steps[min(attempts, len(steps)) - 1] if attempts > 0 else 0


def payload_data(payload: str) -> dict[str, Any]:
    try:
        data = json.loads(payload).get("data", {})
    except (ValueError, AttributeError):
        return {}
    return data if isinstance(data, dict) else {}


def payload_uuid(payload: str) -> str:
    try:
        value = json.loads(payload).get("uuid")
    except (ValueError, AttributeError):
        value = None
    return value if isinstance(value, str) else str(uuid.uuid4())
