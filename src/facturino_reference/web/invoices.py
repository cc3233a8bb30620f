"""Invoices (contract 5.3, 5.5): next number, create with validation and the duplicate
guard, show, list, delete. Amounts are integers in minor units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.hashid import invoice_hash
from facturino_reference.web.catalog import ids_of
from facturino_reference.web.company import (
    check_invoice_limit,
    company_setting,
    count_created_invoice,
    current_company,
)
from facturino_reference.web.context import AppContext
from facturino_reference.web.errors import HttpError
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.pdf import delete_media, generate_and_store
from facturino_reference.web.resources import invoice_resource, not_found
from facturino_reference.web.validation import Validator, json_body, truthy

MAX_TOTAL = 999_999_999_999
PREFIXES = {"invoice": "INV"}


def _salt_order(c: AppContext) -> str:
    """config/hashids.php's Invoice salt: `class_then_key` at d5d901d7, `key_then_class` fixed."""
    return c.config.get("MK_HASHIDS_SALT", "key_then_class")


async def next_number(request: Request) -> Response:
    """GET /api/v1/next-number?key=invoice -> {"success": true, "nextNumber": "INV-000005"}."""
    c, _user, company = await current_company(request)
    key = request.query_params.get("key", "")
    if key not in PREFIXES:
        raise HttpError(
            422,
            body={
                "message": "The selected key is invalid.",
                "errors": {"key": ["The selected key is invalid."]},
            },
        )
    sequence = int(
        await c.db.scalar(
            "SELECT coalesce(max(sequence_number), 0) FROM invoices WHERE company_id = %s",
            (company["id"],),
        )
    )
    while True:
        sequence += 1
        number = f"{PREFIXES[key]}-{sequence:06d}"
        taken = await c.db.scalar(
            "SELECT count(*) FROM invoices WHERE company_id = %s AND invoice_number = %s",
            (company["id"], number),
        )
        if not taken:
            return json_response({"success": True, "nextNumber": number})


def _date(check: Validator, field: str, value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        check.add(field, f"The {field.replace('_', ' ')} field must be a valid date.")
        return None


@dataclass
class Line:
    item_id: int | None
    name: str
    description: str | None
    quantity: float
    price: int
    discount_type: str
    discount: float
    discount_val: int
    tax: int
    total: int


def _minor(value: Any) -> int:
    try:
        return round(float(value or 0))
    except (TypeError, ValueError):
        return 0


def _lines(check: Validator, raw: Any) -> list[Line]:
    if not check.required("items"):
        return []
    if not isinstance(raw, list):
        check.add("items", "The items field must be an array.")
        return []
    lines = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        prefix = f"items.{index}"
        name_ok = check.required(f"{prefix}.name", item.get("name"), from_data=False)
        quantity = price = None
        if check.required(f"{prefix}.quantity", item.get("quantity"), from_data=False):
            quantity = check.numeric(f"{prefix}.quantity", item["quantity"])
        if check.required(f"{prefix}.price", item.get("price"), from_data=False):
            price = check.numeric(f"{prefix}.price", item["price"])
        if not name_ok or quantity is None or price is None:
            continue
        item_id = item.get("item_id")
        lines.append(
            Line(
                item_id=item_id if isinstance(item_id, int) else None,
                name=str(item["name"]),
                description=item.get("description"),
                quantity=quantity,
                price=round(price),
                discount_type=str(item.get("discount_type") or "fixed"),
                discount=float(item.get("discount") or 0),
                discount_val=_minor(item.get("discount_val")),
                tax=_minor(item.get("tax")),
                total=_minor(item.get("total")),
            )
        )
    return lines


@dataclass
class NewInvoice:
    data: dict[str, Any]
    invoice_date: dt.date
    due_date: dt.date | None
    customer: DictRow
    lines: list[Line]
    exchange_rate: float


async def _validate(c: AppContext, company: DictRow, data: dict[str, Any]) -> NewInvoice:
    """InvoicesRequest::rules(), in its order."""
    check = Validator(data)
    invoice_date = (
        _date(check, "invoice_date", data["invoice_date"])
        if check.required("invoice_date")
        else None
    )
    due_date = None
    if data.get("due_date") not in (None, ""):
        due_date = _date(check, "due_date", data["due_date"])
    customer = None
    if check.required("customer_id"):
        customer = await c.db.fetchone(
            "SELECT * FROM customers WHERE id::text = %s AND company_id = %s",
            (str(data["customer_id"]), company["id"]),
        )
        if customer is None:
            check.add("customer_id", "The selected customer id is invalid.")
    if check.required("invoice_number") and await c.db.scalar(
        "SELECT count(*) FROM invoices WHERE company_id = %s AND invoice_number = %s",
        (company["id"], str(data["invoice_number"])),
    ):
        check.add("invoice_number", "The invoice number has already been taken.")
    if check.required("discount"):
        check.numeric("discount", data["discount"])
    if check.required("discount_val"):
        check.integer("discount_val", data["discount_val"])
    if check.required("sub_total"):
        check.numeric("sub_total", data["sub_total"])
    if check.required("total"):
        total = check.numeric("total", data["total"])
        if total is not None and total > MAX_TOTAL:
            check.add("total", f"The total field must not be greater than {MAX_TOTAL}.")
    check.required("tax")
    check.required("template_name")
    lines = _lines(check, data.get("items"))
    company_currency = await company_setting(c, company["id"], "currency")
    if customer is not None and company_currency is not None:
        customer_currency = "" if customer["currency_id"] is None else str(customer["currency_id"])
        if customer_currency != company_currency:
            check.required("exchange_rate")
    check.check()
    assert invoice_date is not None and customer is not None
    rate = data.get("exchange_rate")
    same = str(data.get("currency_id", customer["currency_id"])) == str(company_currency)
    return NewInvoice(
        data, invoice_date, due_date, customer, lines, 1.0 if same else float(rate or 1)
    )


async def _duplicates(c: AppContext, company_id: int, new: NewInvoice) -> list[DictRow]:
    return await c.db.fetchall(
        "SELECT id, invoice_number, invoice_date, total, status FROM invoices WHERE "
        "company_id = %s AND customer_id = %s AND total = %s AND invoice_date = %s",
        (company_id, new.customer["id"], _minor(new.data["total"]), new.invoice_date),
    )


def _initial_status(c: AppContext, data: dict[str, Any]) -> str:
    """DRAFT unless the request asks to send (`invoiceSend`); MK_INVOICE_DEFAULT_STATUS is the
    reference's stand-in for a build whose store request always behaves as if it did."""
    if "invoiceSend" in data:
        return "SENT"
    return c.config.get("MK_INVOICE_DEFAULT_STATUS", "DRAFT")


async def _insert(c: AppContext, company_id: int, user_id: int, new: NewInvoice) -> int:
    data = new.data
    async with c.db.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "INSERT INTO invoices (invoice_date, due_date, invoice_number, reference_number, "
            "status, paid_status, tax_per_item, discount_per_item, notes, discount, "
            "discount_type, discount_val, sub_total, total, tax, due_amount, sent, viewed, "
            "template_name, type, sequence_number, exchange_rate, company_id, customer_id, "
            "currency_id, creator_id, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, "
            "'UNPAID', 'NO', 'NO', %s, %s, %s, %s, %s, %s, %s, %s, false, false, %s, %s, "
            "(SELECT coalesce(max(sequence_number), 0) + 1 FROM invoices WHERE company_id = %s),"
            " %s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC') "
            "RETURNING id",
            (
                new.invoice_date,
                new.due_date,
                str(data["invoice_number"]),
                data.get("reference_number"),
                _initial_status(c, data),
                data.get("notes"),
                float(data["discount"]),
                data.get("discount_type") or "fixed",
                int(data["discount_val"]),
                _minor(data["sub_total"]),
                _minor(data["total"]),
                _minor(data["tax"]),
                _minor(data["total"]),
                str(data["template_name"]),
                str(data.get("type") or "standard"),
                company_id,
                new.exchange_rate,
                company_id,
                new.customer["id"],
                new.customer["currency_id"],
                user_id,
            ),
        )
        row = await cursor.fetchone()
        assert row is not None
        invoice_id = int(row["id"])
        await conn.execute(
            "UPDATE invoices SET unique_hash = %s WHERE id = %s",
            (invoice_hash(c.config.get("APP_KEY"), invoice_id, _salt_order(c)), invoice_id),
        )
        for line in new.lines:
            await conn.execute(
                "INSERT INTO invoice_items (invoice_id, item_id, name, description, "
                "discount_type, quantity, price, discount, discount_val, tax, total, "
                "company_id, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, now(), now())",
                (
                    invoice_id,
                    line.item_id,
                    line.name,
                    line.description,
                    line.discount_type,
                    line.quantity,
                    line.price,
                    line.discount,
                    line.discount_val,
                    line.tax,
                    line.total,
                    company_id,
                ),
            )
    return invoice_id


async def create_invoice(request: Request) -> Response:
    """POST /api/v1/invoices (invoice-limit, InvoicesRequest, InvoicesController::store)."""
    await check_invoice_limit(request)
    c, user, company = await current_company(request)
    new = await _validate(c, company, await json_body(request))
    if not truthy(new.data.get("allow_duplicate", False)):
        duplicates = await _duplicates(c, company["id"], new)
        if duplicates:
            return json_response(
                {
                    "is_duplicate_warning": True,
                    "message": "An invoice for this customer with the same total and date "
                    "already exists. Send allow_duplicate: true to create it anyway.",
                    "duplicates": [dict(row) for row in duplicates],
                }
            )
    invoice_id = await _insert(c, company["id"], user["id"], new)
    await count_created_invoice(c, company["id"])
    await generate_and_store(c, invoice_id)
    row = await c.db.fetchone("SELECT * FROM invoices WHERE id = %s", (invoice_id,))
    assert row is not None
    return json_response({"data": await invoice_resource(c, row)})


async def find_invoice(request: Request) -> tuple[AppContext, DictRow]:
    """Route-model binding on {invoice} plus the `view` policy (same company)."""
    c, _user, company = await current_company(request)
    key = request.path_params["invoice"]
    row = await c.db.fetchone("SELECT * FROM invoices WHERE id::text = %s", (key,))
    if row is None:
        raise HttpError(404, body=not_found("Invoice", key))
    if row["company_id"] != company["id"]:
        raise HttpError(403, "This action is unauthorized.")
    return c, row


async def show_invoice(request: Request) -> Response:
    c, row = await find_invoice(request)
    return json_response({"data": await invoice_resource(c, row)})


# Invoice::scopeApplyFilters orders by any column the SPA names; these are the list's columns.
_ORDER_COLUMNS = {
    "created_at",
    "invoice_date",
    "due_date",
    "invoice_number",
    "sequence_number",
    "status",
    "paid_status",
    "total",
    "due_amount",
}


def _page_params(request: Request) -> tuple[int, int, str, str]:
    """limit (default 10), page, and the order (orderByField/orderBy, else sequence_number
    descending as the model's default)."""
    query = request.query_params
    try:
        limit = max(1, min(int(query.get("limit", "10")), 100))
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        limit, page = 10, 1
    field = query.get("orderByField", "")
    field = field if field in _ORDER_COLUMNS else "sequence_number"
    direction = "ASC" if query.get("orderBy", "desc").lower() == "asc" else "DESC"
    return limit, page, field, direction


async def list_invoices(request: Request) -> Response:
    """GET /api/v1/invoices: paginated as Laravel's paginate() answers (data, links, meta),
    with meta.invoice_total_count beside it."""
    c, _user, company = await current_company(request)
    limit, page, field, direction = _page_params(request)
    rows = await c.db.fetchall(
        f"SELECT * FROM invoices WHERE company_id = %s "
        f"ORDER BY {field} {direction}, id {direction} LIMIT %s OFFSET %s",
        (company["id"], limit, (page - 1) * limit),
    )
    total = int(
        await c.db.scalar("SELECT count(*) FROM invoices WHERE company_id = %s", (company["id"],))
    )
    last_page = max(1, -(-total // limit))
    path = f"{c.config.app_url}/api/v1/invoices"
    return json_response(
        {
            "data": [await invoice_resource(c, row) for row in rows],
            "links": {
                "first": f"{path}?page=1",
                "last": f"{path}?page={last_page}",
                "prev": f"{path}?page={page - 1}" if page > 1 else None,
                "next": f"{path}?page={page + 1}" if page < last_page else None,
            },
            "meta": {
                "current_page": page,
                "from": (page - 1) * limit + 1 if rows else None,
                "last_page": last_page,
                "path": path,
                "per_page": limit,
                "to": (page - 1) * limit + len(rows) if rows else None,
                "total": total,
                "invoice_total_count": total,
            },
        }
    )


async def delete_invoices(request: Request) -> Response:
    """POST /api/v1/invoices/delete {"ids": [...]}: hard delete, with lines and PDFs."""
    c, _user, company = await current_company(request)
    data = await json_body(request)
    check = Validator(data)
    ids = ids_of(data, check)
    check.check()
    rows = await c.db.fetchall(
        "SELECT id FROM invoices WHERE company_id = %s AND id = ANY(%s)", (company["id"], ids)
    )
    found = {row["id"] for row in rows}
    for index, value in enumerate(ids):
        if value not in found:
            check.add(f"ids.{index}", f"The selected ids.{index} is invalid.")
    check.check()
    async with c.db.connection() as conn, conn.transaction():
        await conn.execute("DELETE FROM invoices WHERE id = ANY(%s)", (ids,))
        await delete_media(c, conn, ids)
    return json_response({"success": True})
