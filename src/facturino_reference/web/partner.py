"""Partner portal API (contract section 9): dashboard and commissions from real rows.

Figures, for the partner linked to the session's user (`partners.user_id`):
active_clients = active partner_company_links; total_earnings = sum of its affiliate_events
not clawed back; pending_payout = those with paid_at NULL; monthly_commissions = those of
the current month_ref; processed_invoices = 0 (hard-coded at HEAD); nextPayout = the
earliest pending payout. The headline figures are cached for 5 minutes (partnerstats.py).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference import partnerstats
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import require_user
from facturino_reference.web.jsonutil import json_response

MOCK_WARNING = (
    "Partner data is mocked (FEATURE_PARTNER_MOCKED_DATA=true). Do not use in production."
)
_EVENTS = (
    "SELECT e.id, c.name AS company_name, e.event_type, e.amount, e.created_at, e.paid_at "
    "FROM affiliate_events e LEFT JOIN companies c ON c.id = e.company_id "
    "WHERE e.affiliate_partner_id = %s ORDER BY e.created_at DESC, e.id DESC LIMIT 10"
)


# What the controller sees without a partner record when nothing stopped it (id 0 matches no rows).
_NO_PARTNER: dict[str, Any] = {"id": 0, "user_id": None, "is_active": True}


# A super admin without ?partner_id: PartnerDashboardController answers an aggregate.
_SUPER_ADMIN: dict[str, Any] = {"id": 0, "user_id": None, "is_active": True, "super_admin": True}


async def partner_of(request: Request) -> tuple[AppContext, DictRow]:
    """partner-scope middleware: the user must have an active partner record, unless they are
    a super admin (PartnerScopeMiddleware.php:28), whom the controller serves an aggregate or,
    with ?partner_id=, that partner (impersonation)."""
    user = await require_user(request)
    c = ctx(request)
    if user["role"] == "super admin":
        chosen = request.query_params.get("partner_id", "")
        found = (
            await c.db.fetchone("SELECT * FROM partners WHERE id::text = %s", (chosen,))
            if chosen
            else None
        )
        return c, found if found is not None else _SUPER_ADMIN
    partner = await c.db.fetchone("SELECT * FROM partners WHERE user_id = %s", (user["id"],))
    if partner is None and c.config.get("MK_PARTNER_SCOPE", "on") == "off":
        # The route group lost its partner-scope middleware: the controller reads a partner
        # that does not exist, and Eloquent's empty model answers zeros.
        return c, _NO_PARTNER
    if partner is None:
        raise HttpError(403, body={"error": "User is not registered as a partner"})
    if not partner["is_active"]:
        raise HttpError(403, body={"error": "Partner account is inactive"})
    return c, partner


async def figures(c: AppContext, partner_id: int) -> dict[str, Any]:
    """The headline figures: from the cache store when fresh, else queried and cached."""
    key = partnerstats.cache_key(c.config.cache_prefix, partner_id)
    cached = await c.cache.get(key)
    if cached is not None:
        data: dict[str, Any] = json.loads(cached)
        return data
    async with c.db.connection() as conn:
        cursor = await conn.execute(
            partnerstats.FIGURES_SQL, {"partner": partner_id, "clawed": False}
        )
        row = await cursor.fetchone()
    assert row is not None
    data = partnerstats.as_figures(row)
    await c.cache.set(key, json.dumps(data), ex=partnerstats.CACHE_TTL)
    return data


async def next_payout(c: AppContext, partner_id: int) -> dict[str, Any] | None:
    payout = await c.db.fetchone(
        "SELECT amount, payout_date FROM payouts WHERE partner_id = %s AND status = 'pending' "
        "ORDER BY payout_date LIMIT 1",
        (partner_id,),
    )
    return (
        None
        if payout is None
        else {"amount": float(payout["amount"]), "date": payout["payout_date"]}
    )


async def recent_commissions(c: AppContext, partner_id: int) -> list[dict[str, Any]]:
    """The partner's 10 newest affiliate_events as the controller maps them.

    `MK_PARTNER_COMMISSION_FIELDS=upstream` is the controller at d5d901d7: `event_type` and no
    `type`/`status`, while the SPA's table (DashboardTable.vue) reads `type` and `status`, so
    the Status badge shows the raw key partner_dashboard.status_undefined. `fixed` adds `type`
    (the event type) and `status` (`paid` once paid out, else `pending`)."""
    rows = await c.db.fetchall(_EVENTS, (partner_id,))
    if c.config.get("MK_PARTNER_COMMISSION_FIELDS", "fixed") == "upstream":
        return [dict(row) for row in rows]
    return [
        {**row, "type": row["event_type"], "status": "paid" if row["paid_at"] else "pending"}
        for row in rows
    ]


async def stripe_connect_status(request: Request) -> Response:
    """GET /api/v1/partner/stripe-connect/status (StripeConnectController@getAccountStatus):
    not connected while the partner has no Stripe account; the reference never talks to
    Stripe, so a connected account answers the status last stored."""
    _c, partner = await partner_of(request)
    account = partner.get("stripe_account_id")
    if not account:
        return json_response({"connected": False, "status": None})
    return json_response(
        {
            "connected": True,
            "account_id": account,
            "status": partner.get("stripe_account_status") or "pending",
        }
    )


async def history(c: AppContext, partner_id: int) -> list[dict[str, str]]:
    rows = await c.db.fetchall(
        "SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS ym, sum(amount) AS total "
        "FROM affiliate_events WHERE affiliate_partner_id = %s AND NOT is_clawed_back "
        "GROUP BY 1",
        (partner_id,),
    )
    totals = {row["ym"]: float(row["total"]) for row in rows}
    month = dt.date.today().replace(day=1)
    history = []
    for back in range(11, -1, -1):
        year, index = divmod(month.year * 12 + month.month - 1 - back, 12)
        first = dt.date(year, index + 1, 1)
        amount = totals.get(first.strftime("%Y-%m"), 0.0)
        history.append({"month": first.strftime("%b %Y"), "amount": f"{amount:.2f}"})
    return history


async def _super_admin_dashboard(c: AppContext) -> dict[str, Any]:
    """PartnerDashboardController::index for a super admin without ?partner_id."""
    companies = await c.db.scalar("SELECT count(*) FROM companies")
    return {
        "data": {
            "active_clients": int(companies or 0),
            "monthly_commissions": 0,
            "processed_invoices": 0,
            "total_earnings": 0,
            "pending_payout": 0,
        },
        "earningsHistory": [],
        "recentCommissions": [],
        "nextPayout": None,
        "is_super_admin": True,
    }


async def dashboard(request: Request) -> Response:
    c, partner = await partner_of(request)
    if partner.get("super_admin"):
        return json_response(await _super_admin_dashboard(c))
    if c.config.flag("FEATURE_PARTNER_MOCKED_DATA"):
        return json_response(_mocked_dashboard())
    pid = partner["id"]
    return json_response(
        {
            "data": await figures(c, pid),
            "earningsHistory": await history(c, pid),
            "recentCommissions": await recent_commissions(c, pid),
            "nextPayout": await next_payout(c, pid),
        }
    )


async def commissions(request: Request) -> Response:
    c, partner = await partner_of(request)
    if partner.get("super_admin"):
        return json_response({"data": [], "is_super_admin": True})
    if c.config.flag("FEATURE_PARTNER_MOCKED_DATA"):
        return json_response(
            {
                "mocked": True,
                "warning": MOCK_WARNING,
                "data": [
                    {
                        "id": 1,
                        "invoice_number": "INV-2025-001",
                        "company_name": "Demo Company Ltd",
                        "amount": 4250,
                        "status": "pending",
                        "created_at": "2025-01-15T10:00:00.000000Z",
                    }
                ],
            }
        )
    return json_response({"data": await recent_commissions(c, partner["id"])})


def _mocked_dashboard() -> dict[str, Any]:
    """The historical PartnerApiController payload (commit d4cdcd33, flag default ON)."""
    return {
        "mocked": True,
        "warning": MOCK_WARNING,
        "data": {
            "active_clients": 12,
            "monthly_commissions": 85000,
            "processed_invoices": 234,
            "commission_rate": 5.0,
            "pending_payout": 127500,
            "total_earned": 458300,
        },
        "earningsHistory": [],
        "recentCommissions": [],
        "nextPayout": None,
    }
