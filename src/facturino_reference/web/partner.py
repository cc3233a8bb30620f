"""Partner portal API (contract section 9): dashboard and commissions from real rows.

Figures, for the partner linked to the session's user (`partners.user_id`):
active_clients = active partner_company_links; total_earnings = sum of its affiliate_events
not clawed back; pending_payout = those with paid_at NULL; monthly_commissions = those of
the current month_ref; processed_invoices = 0 (hard-coded at HEAD); nextPayout = the
earliest pending payout.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import Response

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


async def _partner(request: Request) -> tuple[AppContext, DictRow]:
    """partner-scope middleware: the user must have an active partner record."""
    user = await require_user(request)
    c = ctx(request)
    partner = await c.db.fetchone("SELECT * FROM partners WHERE user_id = %s", (user["id"],))
    if partner is None:
        raise HttpError(403, body={"error": "User is not registered as a partner"})
    if not partner["is_active"]:
        raise HttpError(403, body={"error": "Partner account is inactive"})
    return c, partner


async def _sum(c: AppContext, partner_id: int, where: str, params: tuple[Any, ...] = ()) -> float:
    value = await c.db.scalar(
        "SELECT coalesce(sum(amount), 0) FROM affiliate_events WHERE affiliate_partner_id = %s "
        "AND NOT is_clawed_back " + where,
        (partner_id, *params),
    )
    return float(value)


async def _history(c: AppContext, partner_id: int) -> list[dict[str, str]]:
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


async def dashboard(request: Request) -> Response:
    c, partner = await _partner(request)
    if c.config.flag("FEATURE_PARTNER_MOCKED_DATA"):
        return json_response(_mocked_dashboard())
    pid = partner["id"]
    this_month = dt.date.today().strftime("%Y-%m")
    clients = await c.db.scalar(
        "SELECT count(*) FROM partner_company_links WHERE partner_id = %s AND is_active", (pid,)
    )
    payout = await c.db.fetchone(
        "SELECT amount, payout_date FROM payouts WHERE partner_id = %s AND status = 'pending' "
        "ORDER BY payout_date LIMIT 1",
        (pid,),
    )
    return json_response(
        {
            "data": {
                "active_clients": int(clients),
                "monthly_commissions": await _sum(c, pid, "AND month_ref = %s", (this_month,)),
                "processed_invoices": 0,
                "total_earnings": await _sum(c, pid, ""),
                "pending_payout": await _sum(c, pid, "AND paid_at IS NULL"),
            },
            "earningsHistory": await _history(c, pid),
            "recentCommissions": await c.db.fetchall(_EVENTS, (pid,)),
            "nextPayout": None
            if payout is None
            else {"amount": float(payout["amount"]), "date": payout["payout_date"]},
        }
    )


async def commissions(request: Request) -> Response:
    c, partner = await _partner(request)
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
    return json_response({"data": await c.db.fetchall(_EVENTS, (partner["id"],))})


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
