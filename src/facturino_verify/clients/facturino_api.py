"""The Facturino API calls the feature flows make, as the SPA makes them (contract §5-§9).

A thin layer over a logged-in :class:`SanctumSession`: paths, bodies and the ``company`` header
live here, so tests and checks never spell them. Every call returns the raw response; judging it
is the checks' job.
"""

from __future__ import annotations

from typing import Any

import httpx

from .http import HttpClient
from .sanctum import SanctumSession

JSON = {"Accept": "application/json"}
DELETABLE = ("invoices", "items", "customers")


class FacturinoApi:
    """One account's API, scoped to one company (``company`` header on every call)."""

    def __init__(self, session: SanctumSession, company_id: int | None = None) -> None:
        self.session = session
        self.company_id = company_id

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.company_id is not None:
            headers.setdefault("company", str(self.company_id))
        return self.session.request(method, path, headers=headers, **kwargs)

    def bootstrap(self) -> httpx.Response:
        return self._call("GET", "/api/v1/bootstrap")

    # Invoicing (§5)
    def create_customer(self, body: dict[str, Any]) -> httpx.Response:
        return self._call("POST", "/api/v1/customers", json=body)

    def create_item(self, body: dict[str, Any]) -> httpx.Response:
        return self._call("POST", "/api/v1/items", json=body)

    def next_invoice_number(self) -> httpx.Response:
        return self._call("GET", "/api/v1/next-number", params={"key": "invoice"})

    def create_invoice(self, body: dict[str, Any]) -> httpx.Response:
        return self._call("POST", "/api/v1/invoices", json=body)

    def invoice(self, invoice_id: int) -> httpx.Response:
        return self._call("GET", f"/api/v1/invoices/{invoice_id}")

    def delete(self, kind: str, ids: list[int]) -> httpx.Response:
        """``POST /api/v1/{invoices,items,customers}/delete`` (there is no DELETE route)."""
        if kind not in DELETABLE:
            raise ValueError(f"cannot delete {kind!r}; one of {DELETABLE}")
        return self._call("POST", f"/api/v1/{kind}/delete", json={"ids": ids})

    def export_xml(self, invoice_id: int, fmt: str) -> httpx.Response:
        return self._call("POST", f"/api/v1/invoices/{invoice_id}/export-xml", json={"format": fmt})

    # Banking (§7)
    def banking_status(self) -> httpx.Response:
        return self._call("GET", "/api/v1/banking/status")

    def banking_accounts(self) -> httpx.Response:
        return self._call("GET", "/api/v1/banking/accounts")

    def banking_sync(self, account_id: int) -> httpx.Response:
        return self._call("POST", f"/api/v1/banking/sync/{account_id}")

    # Payments (§8)
    def subscription(self, company_id: int) -> httpx.Response:
        return self._call("GET", f"/api/v1/companies/{company_id}/subscription")

    def checkout(self, company_id: int, tier: str, interval: str, currency: str) -> httpx.Response:
        body = {"tier": tier, "interval": interval, "payment_currency": currency}
        return self._call(
            "POST", f"/api/v1/companies/{company_id}/subscription/checkout", json=body
        )

    # Partner (§9)
    def partner(self, endpoint: str) -> httpx.Response:
        return self._call("GET", f"/api/v1/partner/{endpoint}")


def public_pdf(http: HttpClient, unique_hash: str) -> httpx.Response:
    """``GET /invoices/pdf/{hash}`` without cookies: PDFs are public behind their hash."""
    return http.get(f"/invoices/pdf/{unique_hash}")


def unsigned_webhook(http: HttpClient, provider: str) -> httpx.Response:
    """An unsigned (or badly signed) webhook delivery, as a scanner would send it."""
    headers = {**JSON, "Content-Type": "application/json"}
    if provider == "stripe":
        headers["Stripe-Signature"] = "t=0,v1=facturino-verify-bogus-signature"
    return http.request("POST", f"/webhooks/{provider}", content=b"{}", headers=headers)
