"""What the feature flows observe once and share: the tagged invoice under test and its
request bodies, and one observed bank sync.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class InvoiceUnderTest:
    """The tagged customer, item and DRAFT invoice of this run, as the API returned them."""

    tag: str
    number: str
    customer_name: str
    customer: dict[str, Any] = field(default_factory=dict)
    item: dict[str, Any] = field(default_factory=dict)
    invoice: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.invoice["id"])

    @property
    def unique_hash(self) -> str:
        return str(self.invoice["unique_hash"])


def invoice_bodies(
    tag: str, currency_id: int | None, price: int, quantity: int, template: str, today: dt.date
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Customer, item and invoice as the SPA sends them: unique tagged values, allow_duplicate,
    the company currency, and every item field the model reads (contract §5.1-§5.3)."""
    total = price * quantity
    customer = {
        "name": f"Customer {tag}",
        "email": f"{tag}@facturino-verify.invalid",
        "currency_id": currency_id,
        "enable_portal": False,
        "allow_duplicate": True,
    }
    item = {
        "name": f"Item {tag}",
        "price": price,
        "description": f"created by facturino-verify run {tag}",
        "track_quantity": False,
        "allow_duplicate": True,
    }
    line = {
        "name": item["name"],
        "description": item["description"],
        "quantity": quantity,
        "price": price,
        "discount_type": "fixed",
        "discount": 0,
        "discount_val": 0,
        "tax": 0,
        "total": total,
        "taxes": [],
    }
    invoice = {
        "invoice_date": today.isoformat(),
        "due_date": (today + dt.timedelta(days=15)).isoformat(),
        "invoice_number": tag.upper(),
        "reference_number": tag,
        "discount": 0,
        "discount_type": "fixed",
        "discount_val": 0,
        "sub_total": total,
        "total": total,
        "tax": 0,
        "template_name": template,
        "currency_id": currency_id,
        "exchange_rate": 1,
        "notes": f"facturino-verify {tag}: a DRAFT test invoice, deleted at the end of the run",
        "allow_duplicate": True,
        "items": [line],
    }
    return customer, item, invoice


@dataclass
class SyncObservation:
    """One triggered bank sync, as the database and the queue saw it."""

    account_id: int
    trigger: httpx.Response
    jobs_seen: list[tuple[str, str]]  # (queue, displayName) of new jobs (rows or payloads)
    processed_unseen: bool  # no job on the queue seen, but an id was handed out and never seen
    still_queued: bool
    waited_seconds: float
    new_failed_jobs: list[tuple[int, str, str]]
    psd2_before: int
    psd2_after: int
    valid_token: bool  # the account's bank has an unexpired bank_tokens row
