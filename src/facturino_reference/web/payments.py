"""Payments (contract 8): gateway webhooks, the company subscription and a sandbox checkout.

Webhooks (routes/webhooks.php, web group, CSRF-exempt): Paddle needs
`data.custom_data.company_id` (400 otherwise; its signature is stored, not verified); Stripe
verifies `Stripe-Signature` when STRIPE_WEBHOOK_SECRET is set (400); CPAY verifies its
CheckSum when CPAY_SECRET_KEY is set (401). Only accepted events are stored, as
`gateway_webhook_events` rows. The checkout is Stripe-like: a session kept by the sandbox
(in the cache store, one hour) and a hosted page on this site, `/checkout/sandbox/{id}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from facturino_reference.appenv import SUBSCRIPTION_TIERS
from facturino_reference.web.company import INVOICE_LIMITS, user_companies
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import require_user
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.validation import Validator, json_body

STRIPE_TOLERANCE = 300  # seconds, as Stripe's SDK checks the signed timestamp
CHECKOUT_TTL = 3600
# Monthly prices (MKD, EUR); a year costs ten months.
PRICES = {"starter": (990, 16), "standard": (1990, 32), "business": (3990, 65), "max": (7990, 130)}


async def _payload(request: Request) -> tuple[bytes, dict[str, Any]]:
    raw = await request.body()
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
    else:
        data = dict(parse_qsl(raw.decode(errors="replace")))
    return raw, data if isinstance(data, dict) else {}


async def _store(
    c: AppContext, provider: str, company_id: Any, data: dict[str, Any], signature: str | None
) -> None:
    await c.db.execute(
        "INSERT INTO gateway_webhook_events (company_id, provider, event_type, event_id, payload, "
        "signature, status, created_at, updated_at) VALUES ((SELECT id FROM companies WHERE "
        "id::text = %s), %s, %s, %s, %s, %s, 'pending', now(), now())",
        (
            None if company_id is None else str(company_id),
            provider,
            str(data.get("event_type") or data.get("type") or "unknown"),
            str(data.get("event_id") or data.get("id") or data.get("ReturnCheckSum") or ""),
            json.dumps(data, ensure_ascii=False),
            signature,
        ),
    )


async def paddle_webhook(request: Request) -> Response:
    c = ctx(request)
    _raw, data = await _payload(request)
    custom = (
        data.get("data", {}).get("custom_data", {}) if isinstance(data.get("data"), dict) else {}
    )
    company_id = custom.get("company_id") if isinstance(custom, dict) else None
    if not company_id:
        return json_response({"error": "Missing company_id"}, 400)
    await _store(c, "paddle", company_id, data, request.headers.get("paddle-signature"))
    return json_response({"status": "received"})


def stripe_signature_ok(secret: str, header: str, raw: bytes, now: float) -> bool:
    """Stripe-Signature `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        stamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now - stamp) > STRIPE_TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


async def stripe_webhook(request: Request) -> Response:
    c = ctx(request)
    raw, data = await _payload(request)
    secret = c.config.get("STRIPE_WEBHOOK_SECRET")
    header = request.headers.get("stripe-signature", "")
    if secret and not stripe_signature_ok(secret, header, raw, time.time()):
        return json_response({"error": "Invalid signature"}, 400)
    metadata = data.get("data", {}).get("object", {}) if isinstance(data.get("data"), dict) else {}
    company = metadata.get("metadata", {}).get("company_id") if isinstance(metadata, dict) else None
    await _store(c, "stripe", company, data, header or None)
    return json_response({"status": "received"})


def cpay_checksum(data: dict[str, Any], secret: str) -> str:
    """CASYS: MD5 over CheckSumHeader, the values of the fields it names, then the key.

    CheckSumHeader is `NN` (field count) + `Name1,Name2,...,` + each value's length as 3 digits.
    """
    header = str(data.get("CheckSumHeader", ""))
    names = [name for name in header[2:].split(",")[:-1] if name] if len(header) > 2 else []
    values = "".join(str(data.get(name, "")) for name in names)
    return hashlib.md5((header + values + secret).encode()).hexdigest().upper()


async def cpay_webhook(request: Request) -> Response:
    c = ctx(request)
    _raw, data = await _payload(request)
    secret = c.config.get("CPAY_SECRET_KEY")
    given = str(data.get("ReturnCheckSum") or data.get("CheckSum") or "")
    if secret and not (
        given
        and data.get("CheckSumHeader")
        and hmac.compare_digest(cpay_checksum(data, secret), given.upper())
    ):
        return json_response({"error": "Invalid signature"}, 401)
    await _store(c, "cpay", data.get("company_id"), data, given or None)
    return json_response({"status": "received"})


def _tiers(c: AppContext) -> list[dict[str, Any]]:
    """The plans on sale: those with a configured Stripe price (a plan without one cannot be
    checked out, so the billing page does not offer it)."""
    return [
        {
            "key": tier,
            "name": tier.title(),
            "invoices_per_month": INVOICE_LIMITS.get(tier),
            "prices": {
                "monthly": {"mkd": PRICES[tier][0], "eur": PRICES[tier][1]},
                "yearly": {"mkd": PRICES[tier][0] * 10, "eur": PRICES[tier][1] * 10},
            },
        }
        for tier in SUBSCRIPTION_TIERS
        if c.config.get(f"STRIPE_PRICE_{tier.upper()}_MONTHLY")
    ]


async def _company(request: Request) -> tuple[AppContext, dict[str, Any]]:
    user = await require_user(request)
    c = ctx(request)
    key = request.path_params["company"]
    company = next(
        (row for row in await user_companies(c, user["id"]) if str(row["id"]) == key), None
    )
    if company is None:
        raise HttpError(403, body={"error": "Unauthorized"})
    return c, dict(company)


async def subscription(request: Request) -> Response:
    """GET /api/v1/companies/{company}/subscription."""
    c, company = await _company(request)
    on_trial = company["trial_ends_at"] is not None
    return json_response(
        {
            "tiers": _tiers(c),
            "current_plan": {
                "tier": company["subscription_tier"],
                "status": "trialing" if on_trial else "active",
                "ends_at": None,
                "trial_ends_at": company["trial_ends_at"],
                "paused_at": None,
            },
            "stripe_customer_id": company["stripe_id"],
        }
    )


def _checkout_key(c: AppContext, session_id: str) -> str:
    return f"{c.config.cache_prefix}stripe_sandbox_checkout:{session_id}"


async def checkout(request: Request) -> Response:
    """POST /api/v1/companies/{company}/subscription/checkout (throttle:strict)."""
    c, company = await _company(request)
    data = await json_body(request)
    check = Validator(data)
    if check.required("tier") and data["tier"] not in SUBSCRIPTION_TIERS:
        check.add("tier", "The selected tier is invalid.")
    if check.required("interval") and data["interval"] not in ("monthly", "yearly"):
        check.add("interval", "The selected interval is invalid.")
    currency = str(data.get("payment_currency") or "mkd")
    if currency not in ("mkd", "eur"):
        check.add("payment_currency", "The selected payment currency is invalid.")
    check.check()
    tier, interval = str(data["tier"]), str(data["interval"])
    price_id = c.config.get(f"STRIPE_PRICE_{tier.upper()}_{interval.upper()}")
    if not price_id or not c.config.get("STRIPE_SECRET"):
        return json_response({"error": "Invalid tier or price not configured"}, 400)
    monthly = PRICES[tier][0 if currency == "mkd" else 1]
    session_id = "cs_test_" + secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")
    session = {
        "id": session_id,
        "company_id": company["id"],
        "company_name": company["name"],
        "customer": company["stripe_id"],
        "price": price_id,
        "tier": tier,
        "interval": interval,
        "currency": currency.upper(),
        "amount": monthly * (10 if interval == "yearly" else 1),
        "trial_period_days": 14,
        "created": int(time.time()),
    }
    await c.cache.set(_checkout_key(c, session_id), json.dumps(session), ex=CHECKOUT_TTL)
    return json_response(
        {
            "checkout_url": f"{c.config.app_url}/checkout/sandbox/{session_id}",
            "session_id": session_id,
        }
    )


async def checkout_page(request: Request) -> Response:
    """GET /checkout/sandbox/{session_id}: the hosted checkout page (sandbox, no charge)."""
    c = ctx(request)
    raw = await c.cache.get(_checkout_key(c, request.path_params["session_id"]))
    if raw is None:
        raise HttpError(404)
    html = c.templates.get_template("checkout.html").render(session=json.loads(raw))
    return HTMLResponse(html)
