"""The admin dashboard: GET /api/v1/dashboard (DashboardController@summary) and the page.

The figures come from real queries over the company's invoices and customers, in the shape
InvoiceShelf's controller answers (totals, 12-month chart, recent due invoices, status
distribution). `/admin/dashboard` renders the SPA shell with the same figures embedded, so
the page the runbook times does the dashboard's database work too.

`DASHBOARD_STATS_DELAY_MS` (the `slow_dashboard` fault) is the extra time the statistics query
costs when the planner has lost the index it needs; it is spent in the database.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from facturino_reference.web import pages
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import current_user, require_user
from facturino_reference.web.jsonutil import json_response

TOTALS = """
SELECT count(*) AS total_invoice_count,
       coalesce(sum(due_amount), 0) AS total_amount_due,
       coalesce(sum(total) FILTER (WHERE invoice_date >= %(since)s), 0) AS total_sales,
       count(*) FILTER (WHERE paid_status = 'PAID') AS paid,
       count(*) FILTER (WHERE paid_status = 'UNPAID' AND due_date < current_date) AS overdue,
       count(*) FILTER (WHERE paid_status IN ('UNPAID', 'PARTIALLY_PAID')
                        AND due_date >= current_date) AS pending
FROM invoices WHERE company_id = %(company)s
"""
CHART = """
SELECT to_char(month, 'Mon') AS month, coalesce(sum(i.total), 0) AS invoice_total
FROM generate_series(date_trunc('month', current_date) - interval '11 months',
                     date_trunc('month', current_date), interval '1 month') AS month
LEFT JOIN invoices i ON i.company_id = %(company)s
     AND date_trunc('month', i.invoice_date) = month
GROUP BY month ORDER BY month
"""
# MySQL has no generate_series: the twelve months come from a recursive CTE (MariaDB 10.2+).
CHART_MYSQL = """
WITH RECURSIVE months (m, n) AS (
    SELECT TIMESTAMP(LAST_DAY(CURRENT_DATE) + INTERVAL 1 DAY - INTERVAL 12 MONTH), 0
    UNION ALL SELECT m + INTERVAL 1 MONTH, n + 1 FROM months WHERE n < 11
)
SELECT DATE_FORMAT(m, '%%b') AS month, coalesce(sum(i.total), 0) AS invoice_total
FROM months
LEFT JOIN invoices i ON i.company_id = %(company)s
     AND i.invoice_date >= m AND i.invoice_date < m + INTERVAL 1 MONTH
GROUP BY m ORDER BY m
"""
RECENT_DUE = """
SELECT i.id, i.invoice_number, i.invoice_date, i.due_date, i.total, i.due_amount, i.status,
       i.paid_status, c.id AS customer_id, c.name AS customer_name, c.email AS customer_email
FROM invoices i JOIN customers c ON c.id = i.customer_id
WHERE i.company_id = %(company)s AND i.due_amount > 0
ORDER BY i.created_at DESC, i.id DESC LIMIT 5
"""


async def _company_id(request: Request, c: AppContext, user: DictRow) -> int:
    """The `company` header if the user belongs to it, else the user's first company."""
    rows = await c.db.fetchall(
        "SELECT company_id FROM user_company WHERE user_id = %s ORDER BY company_id",
        (user["id"],),
    )
    ids = [int(row["company_id"]) for row in rows]
    if not ids:
        raise HttpError(403, "This action is unauthorized.")
    wanted = request.headers.get("company", "")
    return int(wanted) if wanted.isdigit() and int(wanted) in ids else ids[0]


async def figures(c: AppContext, company: int) -> dict[str, Any]:
    """DashboardController@summary's payload, from one connection's worth of queries."""
    mysql = c.db.dialect == "mysql"
    # "All time": PostgreSQL's -infinity; MySQL has none, its DATE starts at 1000-01-01.
    params = {"company": company, "since": "1000-01-01" if mysql else "-infinity"}
    delay_ms = int(c.config.get("DASHBOARD_STATS_DELAY_MS", "0") or 0)
    async with c.db.connection() as conn:
        if delay_ms > 0:
            await conn.execute("SELECT pg_sleep(%s)", (delay_ms / 1000,))
        totals = await (await conn.execute(TOTALS, params)).fetchone() or {}
        chart = await (await conn.execute(CHART_MYSQL if mysql else CHART, params)).fetchall()
        recent = await (await conn.execute(RECENT_DUE, params)).fetchall()
        customers = await (
            await conn.execute(
                "SELECT count(*) AS n FROM customers WHERE company_id = %s", (company,)
            )
        ).fetchone()
    return {
        "total_amount_due": totals.get("total_amount_due", 0),
        "total_customer_count": customers["n"] if customers else 0,
        "total_invoice_count": totals.get("total_invoice_count", 0),
        "total_estimate_count": 0,
        "recent_due_invoices": [_recent_invoice(row) for row in recent],
        "recent_estimates": [],
        "chart_data": {
            "months": [row["month"] for row in chart],
            "invoice_totals": [row["invoice_total"] for row in chart],
            "expense_totals": [0] * len(chart),
            "receipt_totals": [0] * len(chart),
            "net_income_totals": [0] * len(chart),
        },
        "total_sales": totals.get("total_sales", 0),
        "total_receipts": 0,
        "total_expenses": 0,
        "total_net_income": 0,
        "status_distribution": {
            "paid": totals.get("paid", 0),
            "overdue": totals.get("overdue", 0),
            "pending": totals.get("pending", 0),
        },
        "active_filter_applied": False,
        "unified_date_filter_applied": False,
    }


def _recent_invoice(row: DictRow) -> dict[str, Any]:
    """DashboardMetricsService::getRecentEntities: the invoice with its `customer` relation
    (id, name, email), which the SPA's due-invoices table reads; base_due_amount is due_amount
    (the reference keeps no second currency)."""
    data = {k: v for k, v in row.items() if k != "customer_email"}
    customer = {
        "id": row["customer_id"],
        "name": row["customer_name"],
        "email": row["customer_email"],
    }
    return {**data, "base_due_amount": row["due_amount"], "customer": customer}


async def summary(request: Request) -> Response:
    """GET /api/v1/dashboard (auth:sanctum + company)."""
    user = await require_user(request)
    c = ctx(request)
    return json_response(await figures(c, await _company_id(request, c, user)))


async def page(request: Request) -> Response:
    """GET /admin/dashboard: the SPA shell with the dashboard's figures embedded."""
    user = await current_user(request)
    if user is None:
        return await pages.admin(request)  # the redirect to /login for anyone signed out
    c = ctx(request)
    data = await figures(c, await _company_id(request, c, user))
    shell = await pages.admin(request)
    embedded = bytes(json_response(data).body).decode().replace("</", "<\\/")
    script = f'<script id="dashboard-data" type="application/json">{embedded}</script>\n'
    html = bytes(shell.body).decode().replace("</body>", script + "</body>", 1)
    return HTMLResponse(html, shell.status_code)
