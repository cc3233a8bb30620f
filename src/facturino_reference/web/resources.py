"""API resources (CustomerResource, ItemResource, InvoiceResource) built from the rows."""

from __future__ import annotations

from typing import Any

from psycopg.rows import DictRow

from facturino_reference.web.context import AppContext

INVOICE_MODEL = "App\\Models\\Invoice"
_COMPANY_KEYS = ("id", "name", "logo", "unique_hash", "slug", "owner_id", "subscription_tier")


def not_found(model: str, key: object) -> dict[str, str]:
    """ModelNotFoundException as rendered in production."""
    return {"message": f"No query results for model [App\\Models\\{model}] {key}"}


async def currency(c: AppContext, currency_id: int | None) -> DictRow | None:
    if currency_id is None:
        return None
    return await c.db.fetchone("SELECT * FROM currencies WHERE id = %s", (currency_id,))


async def company_brief(c: AppContext, company_id: int) -> dict[str, Any] | None:
    row = await c.db.fetchone("SELECT * FROM companies WHERE id = %s", (company_id,))
    return None if row is None else {key: row[key] for key in _COMPANY_KEYS}


async def customer_resource(c: AppContext, row: DictRow) -> dict[str, Any]:
    due = await c.db.scalar(
        "SELECT coalesce(sum(due_amount), 0) FROM invoices WHERE customer_id = %s", (row["id"],)
    )
    return {
        **{k: v for k, v in row.items()},
        "due_amount": int(due),
        "formatted_created_at": row["created_at"].strftime("%Y-%m-%d")
        if row["created_at"]
        else None,
        "billing": None,
        "shipping": None,
        "fields": [],
        "currency": await currency(c, row["currency_id"]),
        "company": await company_brief(c, row["company_id"]),
    }


def item_resource(row: DictRow) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items()},
        "quantity": None if row["quantity"] is None else float(row["quantity"]),
        "unit": None,
        "taxes": [],
        "formatted_created_at": row["created_at"].strftime("%Y-%m-%d")
        if row["created_at"]
        else None,
    }


def _invoice_item(row: DictRow) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items()},
        "quantity": float(row["quantity"]),
        "discount": None if row["discount"] is None else float(row["discount"]),
        "taxes": [],
        "fields": [],
    }


def pdf_url(c: AppContext, unique_hash: str) -> str:
    return f"{c.config.app_url}/invoices/pdf/{unique_hash}"


async def invoice_resource(c: AppContext, row: DictRow) -> dict[str, Any]:
    items = await c.db.fetchall(
        "SELECT * FROM invoice_items WHERE invoice_id = %s ORDER BY id", (row["id"],)
    )
    customer = await c.db.fetchone("SELECT * FROM customers WHERE id = %s", (row["customer_id"],))
    return {
        **{k: v for k, v in row.items()},
        "discount": None if row["discount"] is None else float(row["discount"]),
        "exchange_rate": None if row["exchange_rate"] is None else float(row["exchange_rate"]),
        "invoice_pdf_url": pdf_url(c, row["unique_hash"]),
        "formatted_invoice_date": row["invoice_date"].isoformat(),
        "formatted_due_date": row["due_date"].isoformat() if row["due_date"] else None,
        "items": [_invoice_item(item) for item in items],
        "customer": None if customer is None else await customer_resource(c, customer),
        "taxes": [],
        "fields": [],
        "company": await company_brief(c, row["company_id"]),
        "currency": await currency(c, row["currency_id"]),
    }
