"""Customers and items (contract 5.1, 5.2, 5.5): create with the duplicate guard, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.web.company import current_company
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.pdf import delete_media
from facturino_reference.web.resources import customer_resource, item_resource
from facturino_reference.web.validation import Validator, json_body, truthy

_CUSTOMER_FIELDS = (
    "name",
    "email",
    "phone",
    "company_name",
    "contact_name",
    "website",
    "tax_id",
    "vat_number",
)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def duplicate_warning(kind: str, duplicates: list[dict[str, Any]]) -> Response:
    return json_response(
        {
            "is_duplicate_warning": True,
            "message": f"A similar {kind} already exists. Send allow_duplicate: true to "
            "create it anyway.",
            "duplicates": duplicates,
        }
    )


async def list_customers(request: Request) -> Response:
    """GET /api/v1/customers (CustomersController::index): the company's customers, newest
    first, `limit` per page (default 10, `all` for every one), `search` on the name or e-mail;
    meta.customer_total_count counts them all (the SPA's customer pickers read it)."""
    c, _user, company = await current_company(request)
    query = request.query_params
    raw_limit = query.get("limit", "10")
    limit = (
        None
        if raw_limit == "all"
        else max(1, min(int(raw_limit), 100))
        if raw_limit.isdigit()
        else 10
    )
    search = f"%{query.get('search', '')}%"
    rows = await c.db.fetchall(
        "SELECT * FROM customers WHERE company_id = %s AND (name ILIKE %s OR email ILIKE %s) "
        "ORDER BY created_at DESC, id DESC LIMIT %s",
        (company["id"], search, search, limit),
    )
    total = await c.db.scalar(
        "SELECT count(*) FROM customers WHERE company_id = %s", (company["id"],)
    )
    return json_response(
        {
            "data": [await customer_resource(c, row) for row in rows],
            "meta": {"customer_total_count": int(total), "total": int(total)},
        }
    )


async def create_customer(request: Request) -> Response:
    """POST /api/v1/customers (CustomerRequest, CustomersController::store)."""
    c, user, company = await current_company(request)
    data = await json_body(request)
    check = Validator(data)
    check.required("name")
    values = {key: _text(data.get(key)) for key in _CUSTOMER_FIELDS}
    if values["email"] and await c.db.scalar(
        "SELECT count(*) FROM customers WHERE company_id = %s AND lower(email) = lower(%s)",
        (company["id"], values["email"]),
    ):
        check.add("email", "The email has already been taken.")
    currency_id = data.get("currency_id")
    if currency_id not in (None, "") and (
        check.integer("currency_id", currency_id) is None
        or not await c.db.scalar("SELECT count(*) FROM currencies WHERE id = %s", (currency_id,))
    ):
        check.errors.setdefault("currency_id", ["The selected currency id is invalid."])
    check.check()
    if not truthy(data.get("allow_duplicate", False)):
        duplicates = await c.db.fetchall(
            "SELECT id, name, email, phone, tax_id FROM customers WHERE company_id = %s AND "
            "(lower(name) = lower(%s) OR (tax_id IS NOT NULL AND tax_id = %s) OR "
            "(phone IS NOT NULL AND phone = %s))",
            (company["id"], values["name"], values["tax_id"], values["phone"]),
        )
        if duplicates:
            return duplicate_warning("customer", [dict(row) for row in duplicates])
    row = await c.db.fetchone(
        "INSERT INTO customers (name, email, phone, company_name, contact_name, website, tax_id, "
        "vat_number, enable_portal, currency_id, company_id, creator_id, created_at, "
        "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), now()) "
        "RETURNING *",
        (
            *(values[key] for key in _CUSTOMER_FIELDS),
            truthy(data.get("enable_portal", False)),
            None if currency_id in (None, "") else int(currency_id),
            company["id"],
            user["id"],
        ),
    )
    assert row is not None
    return json_response({"data": await customer_resource(c, row)})


async def create_item(request: Request) -> Response:
    """POST /api/v1/items (ItemsRequest, ItemsController::store)."""
    c, _user, company = await current_company(request)
    data = await json_body(request)
    check = Validator(data)
    check.required("name")
    price = check.numeric("price", data["price"]) if check.required("price") else None
    check.check()
    assert price is not None
    if not truthy(data.get("allow_duplicate", False)):
        duplicates = await c.db.fetchall(
            "SELECT id, name, price FROM items WHERE company_id = %s AND lower(name) = lower(%s)",
            (company["id"], str(data["name"])),
        )
        if duplicates:
            return duplicate_warning("item", [dict(row) for row in duplicates])
    track = truthy(data.get("track_quantity", False))
    row = await c.db.fetchone(
        "INSERT INTO items (name, description, unit, price, sku, track_quantity, quantity, "
        "company_id, unit_id, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
        "%s, now(), now()) RETURNING *",
        (
            str(data["name"]),
            _text(data.get("description")),
            _text(data.get("unit_name")),
            round(price),
            _text(data.get("sku")),
            track,
            data.get("quantity") if track else None,
            company["id"],
            data.get("unit_id") if isinstance(data.get("unit_id"), int) else None,
        ),
    )
    assert row is not None
    return json_response({"data": item_resource(row)})


def ids_of(data: dict[str, Any], check: Validator) -> list[int]:
    """`ids` required|array, every element an integer."""
    raw = data.get("ids")
    if not check.required("ids"):
        return []
    if not isinstance(raw, list):
        check.add("ids", "The ids field must be an array.")
        return []
    ids = [check.integer(f"ids.{index}", value) for index, value in enumerate(raw)]
    return [value for value in ids if value is not None]


async def _existing(c: Any, table: str, company_id: int, ids: list[int]) -> set[int]:
    rows = await c.db.fetchall(
        f"SELECT id FROM {table} WHERE company_id = %s AND id = ANY(%s)", (company_id, ids)
    )
    return {row["id"] for row in rows}


def _missing(check: Validator, ids: list[int], found: set[int]) -> None:
    for index, value in enumerate(ids):
        if value not in found:
            check.add(f"ids.{index}", f"The selected ids.{index} is invalid.")


async def delete_items(request: Request) -> Response:
    """POST /api/v1/items/delete: 422 while an invoice line still references the item."""
    c, _user, company = await current_company(request)
    data = await json_body(request)
    check = Validator(data)
    ids = ids_of(data, check)
    check.check()
    _missing(check, ids, await _existing(c, "items", company["id"], ids))
    used = await c.db.fetchall(
        "SELECT DISTINCT item_id FROM invoice_items WHERE item_id = ANY(%s)", (ids,)
    )
    used_ids = {row["item_id"] for row in used}
    for index, value in enumerate(ids):
        if value in used_ids:
            check.add(
                f"ids.{index}", "Item is attached to an invoice or estimate and cannot be deleted."
            )
    check.check()
    await c.db.execute("DELETE FROM items WHERE id = ANY(%s)", (ids,))
    return json_response({"success": True})


async def delete_customers(request: Request) -> Response:
    """POST /api/v1/customers/delete: the customer's invoices (and their PDFs) go too."""
    c, _user, company = await current_company(request)
    data = await json_body(request)
    check = Validator(data)
    ids = ids_of(data, check)
    check.check()
    _missing(check, ids, await _existing(c, "customers", company["id"], ids))
    check.check()
    async with c.db.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "DELETE FROM invoices WHERE customer_id = ANY(%s) RETURNING id", (ids,)
        )
        invoice_ids = [row["id"] for row in await cursor.fetchall()]
        await delete_media(c, conn, invoice_ids)
        await conn.execute("DELETE FROM customers WHERE id = ANY(%s)", (ids,))
    return json_response({"success": True})
