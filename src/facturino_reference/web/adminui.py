"""Server-rendered parts of the admin SPA pages: the invoice lists and the partner widgets.

Upstream the Vue SPA draws these from the API; here the pages carry the same data in HTML
with stable selectors (documented in the package README), so a browser sees what the API
serves: /admin/dashboard (recent invoices), /admin/invoices (all invoices of the company)
and /admin/partner/dashboard (commission widgets of the signed-in partner).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.pdfdoc import money
from facturino_reference.web import partner
from facturino_reference.web.company import user_companies
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError, error_page
from facturino_reference.web.guards import current_user

RECENT = 10
LIST_LIMIT = 200


async def invoices_of(c: AppContext, request: Request, user_id: int, limit: int) -> list[Any]:
    """The company's newest invoices (the `company` header's company, else the first)."""
    companies = await user_companies(c, user_id)
    if not companies:
        return []
    wanted = request.headers.get("company", "")
    company = next((row for row in companies if str(row["id"]) == wanted), companies[0])
    rows = await c.db.fetchall(
        "SELECT i.id, i.invoice_number, i.invoice_date, i.due_date, i.status, i.paid_status, "
        "i.total, i.due_amount, c.name AS customer_name, coalesce(cur.code, 'MKD') AS currency "
        "FROM invoices i JOIN customers c ON c.id = i.customer_id "
        "LEFT JOIN currencies cur ON cur.id = i.currency_id "
        "WHERE i.company_id = %s ORDER BY i.created_at DESC, i.id DESC LIMIT %s",
        (company["id"], limit),
    )
    return [{**row, "total_text": money(row["total"], row["currency"])} for row in rows]


async def page_context(request: Request, page: str) -> dict[str, Any]:
    """Extra template data for an /admin page (empty for pages without server data)."""
    user = await current_user(request)
    if user is None:
        return {}
    c = ctx(request)
    if page == "dashboard":
        return {"invoices": await invoices_of(c, request, user["id"], RECENT)}
    if page == "invoices":
        return {"invoices": await invoices_of(c, request, user["id"], LIST_LIMIT)}
    return {}


async def partner_context(request: Request) -> dict[str, Any] | Response:
    """The partner dashboard's figures, or the 403 page (not a partner / inactive)."""
    try:
        c, row = await partner.partner_of(request)
    except HttpError as error:
        if error.status != 403:
            raise
        return error_page(ctx(request), 403)
    pid = row["id"]
    return {
        "partner": row,
        "figures": await partner.figures(c, pid),
        "commissions": await partner.recent_commissions(c, pid),
        "next_payout": await partner.next_payout(c, pid),
        "history": await partner.history(c, pid),
    }
