"""Laravel database-queue payloads, as `dispatch()` writes them into `jobs.payload`.

A worker finds the job by its class (`data.commandName`), as Laravel's CallQueuedHandler does;
the reference runs the two real job classes it has (JOB_CLASSES) and fails any other one
("Class not found"), as a real worker fails a class its release does not have.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

# Job kinds the reference worker knows how to run, by the real app's job class (app/Jobs at
# d5d901d7). BackfillTaxReturnsJob with dryRun=true only reads storage/app/tax and logs: the
# app's harmless job, which the suite's queue probe dispatches.
JOB_CLASSES: dict[str, str] = {
    "backfill_tax_returns": "App\\Jobs\\BackfillTaxReturnsJob",
    "sync_bank_transactions": "App\\Jobs\\SyncBankTransactions",
}
KINDS: dict[str, str] = {job_class: kind for kind, job_class in JOB_CLASSES.items()}
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
    """A payload in Laravel's shape for the job class of `kind` (`App\\Jobs\\<kind>` when it is
    not one of JOB_CLASSES), with the job's arguments in `data`.

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
            "data": {"commandName": job_class, **data},
        }
    )


def payload_class(payload: str) -> str:
    """The job class a payload names (`data.commandName`, else `displayName`); "" if none."""
    try:
        decoded = json.loads(payload)
    except ValueError:
        return ""
    if not isinstance(decoded, dict):
        return ""
    data = decoded.get("data")
    name = data.get("commandName") if isinstance(data, dict) else None
    name = name or decoded.get("displayName")
    return name if isinstance(name, str) else ""


def payload_kind(payload: str) -> str:
    """The reference kind of the payload's job class; "" when the reference has no such job."""
    return KINDS.get(payload_class(payload), "")


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


def php_serialize_job(job_class: str, protected: dict[str, bool | int | str | None]) -> str:
    """`serialize($job)` of a job object whose constructor set `protected` properties
    (`data.command`; properties left out keep their class defaults on unserialize)."""
    fields = "".join(_php_string(f"\0*\0{name}") + _php_value(v) for name, v in protected.items())
    return f'O:{len(job_class.encode())}:"{job_class}":{len(protected)}:{{{fields}}}'


def _php_string(text: str) -> str:
    return f's:{len(text.encode())}:"{text}";'


def _php_value(value: bool | int | str | None) -> str:
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    return _php_string(value)


def backfill_tax_returns_payload(dry_run: bool = True, company_id: int | None = None) -> str:
    """`BackfillTaxReturnsJob::dispatch($companyId, $dryRun)` on `default` (timeout 1800)."""
    job_class = JOB_CLASSES["backfill_tax_returns"]
    command = php_serialize_job(job_class, {"companyId": company_id, "dryRun": dry_run})
    return make_payload("backfill_tax_returns", timeout=1800, command=command)


def serialized_flag(command: object, name: str) -> bool | None:
    """A protected boolean property's value in a serialized job (None when absent)."""
    if not isinstance(command, str):
        return None
    found = re.search(re.escape(_php_string(f"\0*\0{name}")) + r"b:([01]);", command)
    return None if found is None else found.group(1) == "1"
