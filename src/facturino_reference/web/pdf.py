"""Invoice PDFs (contract 5.4): GeneratesPdfTrait with a DomPDF or Gotenberg driver and
spatie/medialibrary storage.

`generatePDF()` renders the invoice and stores it as a media item of the invoice;
`getGeneratedPDFOrStream()` serves the invoice's *first* media item when there is one and
renders on the fly otherwise. The public route needs no login: only the hash protects it.
"""

from __future__ import annotations

import shutil
import uuid
from typing import Any

import httpx
from psycopg.rows import DictRow
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from facturino_reference import pdfdoc
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.db import AsyncConn
from facturino_reference.web.errors import HttpError
from facturino_reference.web.resources import INVOICE_MODEL

COLLECTION = "invoice"
_INVOICE = (
    "SELECT i.*, cu.name AS customer_name, co.name AS company_name, "
    "coalesce(cur.code, 'MKD') AS currency_code FROM invoices i "
    "JOIN customers cu ON cu.id = i.customer_id JOIN companies co ON co.id = i.company_id "
    "LEFT JOIN currencies cur ON cur.id = i.currency_id "
)


class PdfDriverError(Exception):
    """The configured PDF driver could not produce a document."""


async def load_invoice(c: AppContext, invoice_id: int) -> DictRow | None:
    return await c.db.fetchone(_INVOICE + "WHERE i.id = %s", (invoice_id,))


async def _document(c: AppContext, invoice: DictRow) -> pdfdoc.PdfInvoice:
    items = await c.db.fetchall(
        "SELECT name, quantity, price, total FROM invoice_items WHERE invoice_id = %s ORDER BY id",
        (invoice["id"],),
    )
    return pdfdoc.PdfInvoice(
        company_name=invoice["company_name"],
        invoice_number=invoice["invoice_number"],
        invoice_date=invoice["invoice_date"].isoformat(),
        due_date=invoice["due_date"].isoformat() if invoice["due_date"] else "",
        customer_name=invoice["customer_name"],
        currency=invoice["currency_code"],
        sub_total=int(invoice["sub_total"]),
        tax=int(invoice["tax"]),
        total=int(invoice["total"]),
        lines=[
            pdfdoc.PdfLine(row["name"], float(row["quantity"]), int(row["price"]), row["total"])
            for row in items
        ],
        notes=invoice["notes"] or "",
    )


def preview_html(c: AppContext, document: pdfdoc.PdfInvoice) -> str:
    """The Blade template the drivers convert (also served for `?preview`)."""
    return c.templates.get_template("invoice_pdf.html").render(invoice=document, money=pdfdoc.money)


async def render(c: AppContext, invoice: DictRow) -> bytes:
    """$this->getPDFData()->output() with the configured PDF_DRIVER."""
    document = await _document(c, invoice)
    if c.config.get("PDF_DRIVER", "dompdf") != "gotenberg":
        return await run_in_threadpool(pdfdoc.render, document)
    # Gotenberg: POST the HTML to the Chromium route; a 200 body is taken as the PDF.
    url = c.config.get("GOTENBERG_URL").rstrip("/") + "/forms/chromium/convert/html"
    files = {"files": ("index.html", preview_html(c, document).encode(), "text/html")}
    try:
        async with httpx.AsyncClient(timeout=10.0, verify=False) as client:
            answer = await client.post(url, files=files)
    except httpx.HTTPError as exc:
        raise PdfDriverError(f"Gotenberg unreachable at {url}: {exc}") from exc
    if answer.status_code != 200:
        raise PdfDriverError(f"Gotenberg returned status {answer.status_code}")
    return answer.content


async def generate_and_store(c: AppContext, invoice_id: int) -> None:
    """GenerateInvoicePdfJob: render and add the file as a media item of the invoice.

    Upstream runs it after the response; here it runs before, so that a PDF fetched right
    after creation already comes from storage. A failure is logged and leaves no media.
    """
    invoice = await load_invoice(c, invoice_id)
    if invoice is None:
        return
    try:
        content = await render(c, invoice)
    except PdfDriverError as exc:
        print(f"GenerateInvoicePdfJob failed for invoice {invoice_id}: {exc}", flush=True)
        return
    file_name = f"{invoice['invoice_number']}.pdf"
    async with c.db.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "INSERT INTO media (model_type, model_id, uuid, collection_name, name, file_name, "
            "mime_type, disk, conversions_disk, size, custom_properties, order_column, "
            "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, 'application/pdf', "
            "'local', 'local', %s, '{\"file_disk_id\": 1}', (SELECT coalesce(max(order_column), "
            "0) + 1 FROM media WHERE model_type = %s AND model_id = %s), now(), now()) "
            "RETURNING id",
            (
                INVOICE_MODEL,
                invoice_id,
                str(uuid.uuid4()),
                COLLECTION,
                invoice["invoice_number"],
                file_name,
                len(content),
                INVOICE_MODEL,
                invoice_id,
            ),
        )
        row = await cursor.fetchone()
        assert row is not None
        folder = c.layout.media / str(row["id"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file_name).write_bytes(content)


async def delete_media(c: AppContext, conn: AsyncConn, invoice_ids: list[int]) -> None:
    """HasMedia: deleting a model deletes its media rows and their files."""
    cursor = await conn.execute(
        "DELETE FROM media WHERE model_type = %s AND model_id = ANY(%s) RETURNING id",
        (INVOICE_MODEL, invoice_ids),
    )
    for row in await cursor.fetchall():
        shutil.rmtree(c.layout.media / str(row["id"]), ignore_errors=True)


async def _stored(c: AppContext, invoice_id: int) -> tuple[bytes, str] | None:
    """getGeneratedPDF(): the first media item of the collection, if its file exists."""
    media = await c.db.fetchone(
        "SELECT id, file_name FROM media WHERE model_type = %s AND model_id = %s AND "
        "collection_name = %s ORDER BY order_column, id LIMIT 1",
        (INVOICE_MODEL, invoice_id, COLLECTION),
    )
    if media is None:
        return None
    path = c.layout.media / str(media["id"]) / media["file_name"]
    try:
        return path.read_bytes(), media["file_name"]
    except OSError:
        return None


async def invoice_pdf(request: Request) -> Response:
    """GET /invoices/pdf/{unique_hash} (web, pdf-company, pdf-auth pass-through)."""
    c = ctx(request)
    unique_hash = request.path_params["unique_hash"]
    row = await c.db.fetchone("SELECT id FROM invoices WHERE unique_hash = %s", (unique_hash,))
    if row is None:
        raise HttpError(404, f"No query results for model [{INVOICE_MODEL}].")
    invoice = await load_invoice(c, row["id"])
    if invoice is None:
        raise HttpError(404)
    if "preview" in request.query_params:
        return HTMLResponse(preview_html(c, await _document(c, invoice)))
    stored = await _stored(c, invoice["id"])
    if stored is not None:
        content, file_name = stored
    else:
        content, file_name = await render(c, invoice), f"{invoice['invoice_number']}.pdf"
    headers: dict[str, Any] = {"Content-Disposition": f'inline; filename="{file_name}"'}
    return Response(content, 200, headers=headers, media_type="application/pdf")
