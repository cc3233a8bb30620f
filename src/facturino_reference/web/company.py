"""Company scoping (CompanyMiddleware), the `strict` limiter and the invoice-limit middleware."""

from __future__ import annotations

import datetime as dt

from psycopg.rows import DictRow
from starlette.requests import Request

from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import require_user, throttle
from facturino_reference.web.session import Handler

# config/subscriptions.php: invoices per calendar month; None = unlimited.
INVOICE_LIMITS: dict[str, int | None] = {
    "free": 1,
    "accountant_basic": 15,
    "starter": 30,
    "standard": 60,
    "business": 150,
    "max": None,
}
COUNT_TTL = 300  # InvoiceCountService caches the monthly count for 5 minutes


def strict_limit(c: AppContext) -> int:
    return int(c.config.get("STRICT_RATE_LIMIT", "10"))


def throttle_strict(handler: Handler) -> Handler:
    """`throttle:strict` (10/min): delete endpoints, checkout."""
    return throttle("strict", strict_limit)(handler)


async def user_companies(c: AppContext, user_id: int) -> list[DictRow]:
    return await c.db.fetchall(
        "SELECT c.* FROM companies c JOIN user_company uc ON uc.company_id = c.id "
        "WHERE uc.user_id = %s ORDER BY c.id",
        (user_id,),
    )


async def current_company(request: Request) -> tuple[AppContext, DictRow, DictRow]:
    """auth:sanctum + `company`: the header's company if the user belongs to it, else the
    user's first company (as CompanyMiddleware rewrites the header). No company -> 403."""
    user = await require_user(request)
    c = ctx(request)
    companies = await user_companies(c, user["id"])
    if not companies:
        raise HttpError(403, "No company access. Ask an administrator to add you to one.")
    wanted = request.headers.get("company", "")
    company = next((row for row in companies if str(row["id"]) == wanted), companies[0])
    return c, user, company


async def company_setting(c: AppContext, company_id: int, option: str) -> str | None:
    value = await c.db.scalar(
        "SELECT value FROM company_settings WHERE company_id = %s AND option = %s",
        (company_id, option),
    )
    return None if value is None else str(value)


def _count_key(c: AppContext, company_id: int) -> str:
    month = dt.date.today().strftime("%Y-%m")
    return f"{c.config.cache_prefix}subscription:invoice_count:{company_id}:{month}"


async def check_invoice_limit(request: Request) -> int:
    """CheckInvoiceLimit: 400 without a `company` header, 404 for an unknown company, 402
    when the plan's monthly invoice count is reached. Returns the company id."""
    c = ctx(request)
    raw = request.headers.get("company", "").strip()
    if not raw:
        raise HttpError(
            400,
            body={
                "error": "No company context found",
                "message": "You must select a company to create invoices",
            },
        )
    company = await c.db.fetchone(
        "SELECT id, subscription_tier FROM companies WHERE id::text = %s", (raw,)
    )
    if company is None:
        raise HttpError(
            404,
            body={
                "error": "Company not found",
                "message": "The specified company does not exist",
            },
        )
    limit = INVOICE_LIMITS.get(company["subscription_tier"], 1)
    used = await monthly_invoice_count(c, company["id"])
    if limit is not None and used >= limit:
        raise HttpError(
            402,
            body={
                "error": "invoice_limit_reached",
                "message": f"You have reached your plan's limit of {limit} invoices this month.",
                "usage": {"used": used, "limit": limit},
                "upgrade": {
                    "required": True,
                    "paddle_price_id": None,
                    "checkout_url": None,
                },
            },
        )
    return int(company["id"])


async def monthly_invoice_count(c: AppContext, company_id: int) -> int:
    key = _count_key(c, company_id)
    cached = await c.cache.get(key)
    if cached is not None:
        return int(cached)
    count = int(
        await c.db.scalar(
            "SELECT count(*) FROM invoices WHERE company_id = %s AND created_at >= "
            "date_trunc('month', now() at time zone 'UTC')",
            (company_id,),
        )
    )
    await c.cache.set(key, count, ex=COUNT_TTL)
    return count


async def count_created_invoice(c: AppContext, company_id: int) -> None:
    """incrementCache(): only an existing cached count is bumped."""
    key = _count_key(c, company_id)
    if await c.cache.exists(key):
        await c.cache.incr(key)
