"""Payments: subscription, checkout session and the webhooks' exact refusals (contract §8)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from . import remedies
from .base import fail, shorten
from .http import described, expect_status, json_body

# Unsigned (or badly signed) deliveries, and what HEAD answers to them.
WEBHOOK_REFUSALS: dict[str, tuple[int, dict[str, str]]] = {
    "paddle": (400, {"error": "Missing company_id"}),
    "cpay": (401, {"error": "Invalid signature"}),
    "stripe": (400, {"error": "Invalid signature"}),
}


def expect_subscription(response: httpx.Response) -> dict[str, Any]:
    __tracebackhide__ = True
    claim = "GET /api/v1/companies/{id}/subscription answers with tiers and the current plan"
    expect_status(response, 200, claim, remedies.PAYMENT)
    body = json_body(response, claim, remedies.PAYMENT)
    plan = body.get("current_plan") if isinstance(body, dict) else None
    if "tiers" not in body or not isinstance(plan, dict) or "tier" not in plan:
        fail(
            claim, "{'tiers': …, 'current_plan': {'tier', …}}", shorten(str(body)), remedies.PAYMENT
        )
    if not body["tiers"]:  # no plan on sale: the billing page has nothing to offer
        fail(claim, "at least one plan in 'tiers'", shorten(str(body)), remedies.PAYMENT)
    return dict(body)


def expect_webhook_refused(response: httpx.Response, provider: str) -> None:
    """The endpoint is routed and refuses the unsigned delivery exactly as HEAD does."""
    __tracebackhide__ = True
    status, body = WEBHOOK_REFUSALS[provider]
    claim = f"POST /webhooks/{provider} refuses an unsigned delivery with {status} {body}"
    remedy = remedies.WEBHOOKS
    if provider == "paddle" and response.status_code == 401:
        remedy = "the Modules Paddle handler from web.php is routed, not webhooks.php's; " + remedy
    expect_status(response, status, claim, remedy)
    seen = json_body(response, claim, remedy)
    if seen != body:
        fail(claim, body, described(response), remedy)


def expect_no_webhook_stored(before: int, after: int, provider: str) -> None:
    __tracebackhide__ = True
    if after != before:
        fail(
            f"the refused {provider} delivery stores no gateway_webhook_events row",
            f"{before} rows",
            f"{after} rows",
            remedies.WEBHOOKS,
        )


def expect_checkout_page(url: str, status: int, title: str) -> None:
    """The checkout page opens (2xx after redirects) in a real browser."""
    __tracebackhide__ = True
    if not 200 <= status < 300:
        fail(
            "the checkout_url loads in the browser",
            "HTTP 2xx",
            f"{url} → HTTP {status} ({title or 'no title'})",
            remedies.PAYMENT,
        )


def expect_checkout_session(response: httpx.Response) -> str:
    __tracebackhide__ = True
    claim = "POST …/subscription/checkout creates a checkout session"
    expect_status(response, 200, claim, remedies.PAYMENT)
    body = json_body(response, claim, remedies.PAYMENT)
    url = body.get("checkout_url") if isinstance(body, dict) else None
    if not isinstance(url, str) or urlsplit(url).scheme != "https" or not body.get("session_id"):
        fail(
            claim,
            "{'checkout_url': 'https://…', 'session_id': …}",
            shorten(str(body)),
            remedies.PAYMENT,
        )
    return url
