"""Laravel database-queue payloads, as `dispatch()` writes them into `jobs.payload`."""

from __future__ import annotations

import json
import uuid
from typing import Any

# Job kinds the reference worker knows how to run, by Laravel job class.
JOB_CLASSES: dict[str, str] = {"probe": "App\\Jobs\\ReferenceProbe"}
QUEUES: tuple[str, ...] = ("default", "high", "banking", "einvoice", "background", "migration")
MAX_TRIES = 3


def make_payload(kind: str, **data: Any) -> str:
    """A payload in Laravel's shape, with the reference `kind` carried in `data`."""
    job_class = JOB_CLASSES.get(kind, f"App\\Jobs\\{kind}")
    return json.dumps(
        {
            "uuid": str(uuid.uuid4()),
            "displayName": job_class,
            "job": "Illuminate\\Queue\\CallQueuedHandler@call",
            "maxTries": MAX_TRIES,
            "maxExceptions": None,
            "failOnTimeout": False,
            "backoff": None,
            "timeout": 120,
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


def payload_uuid(payload: str) -> str:
    try:
        value = json.loads(payload).get("uuid")
    except (ValueError, AttributeError):
        value = None
    return value if isinstance(value, str) else str(uuid.uuid4())
