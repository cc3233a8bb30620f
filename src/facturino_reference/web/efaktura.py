"""POST /api/v1/invoices/{invoice}/export-xml (ExportXmlController, contract 6.1/6.2).

`format` ubl|ubl_signed. The UBL is built from the invoice's rows (amounts as
MK_UBL_AMOUNTS says) and pretty-printed; a signed export is signed with the server-level key
(MK_XML_PRIVATE_KEY_PATH) when there is one (re-indented afterwards where
MK_XML_FORMAT_OUTPUT=after_signing) and silently stays unsigned when there is not. The file
is named `-ubl-signed.xml` only if it was signed (MK_XML_EXPORT_NAMING=result, HEAD);
`request` is the older controller that named it after the requested format.
"""

from __future__ import annotations

import re

from psycopg.rows import DictRow
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference import ubl, xmlsign
from facturino_reference.web.context import AppContext
from facturino_reference.web.errors import HttpError
from facturino_reference.web.invoices import find_invoice
from facturino_reference.web.validation import json_body, truthy

FORMATS = ("ubl", "ubl_signed")
_PAYABLE = re.compile(rb"(<cbc:PayableAmount [^>]*>)(-?\d+)\.(\d\d)(</cbc:PayableAmount>)")


async def _document(c: AppContext, invoice: DictRow) -> ubl.UblInvoice:
    company = await c.db.fetchone(
        "SELECT name FROM companies WHERE id = %s", (invoice["company_id"],)
    )
    customer = await c.db.fetchone(
        "SELECT name, tax_id, email FROM customers WHERE id = %s", (invoice["customer_id"],)
    )
    code = await c.db.scalar("SELECT code FROM currencies WHERE id = %s", (invoice["currency_id"],))
    iban = await c.db.scalar(
        "SELECT iban FROM bank_accounts WHERE company_id = %s AND is_active "
        "ORDER BY is_primary DESC, id LIMIT 1",
        (invoice["company_id"],),
    )
    tax_id = await c.db.scalar(
        "SELECT value FROM company_settings WHERE company_id = %s AND option = 'tax_id'",
        (invoice["company_id"],),
    )
    lines = await c.db.fetchall(
        "SELECT name, description, quantity, price, total FROM invoice_items "
        "WHERE invoice_id = %s ORDER BY id",
        (invoice["id"],),
    )
    assert company is not None and customer is not None
    return ubl.UblInvoice(
        number=invoice["invoice_number"],
        issue_date=invoice["invoice_date"],
        due_date=invoice["due_date"],
        currency=code or "MKD",
        supplier=ubl.UblParty(company["name"], tax_id),
        customer=ubl.UblParty(customer["name"], customer["tax_id"], customer["email"]),
        sub_total=int(invoice["sub_total"]),
        discount=int(invoice["discount_val"] or 0),
        tax=int(invoice["tax"]),
        total=int(invoice["total"]),
        iban=iban,
        notes=invoice["notes"],
        lines=[
            ubl.UblLine(
                row["name"],
                float(row["quantity"]),
                int(row["price"]),
                int(row["total"]),
                row["description"],
            )
            for row in lines
        ],
    )


def _signer_config(c: AppContext) -> xmlsign.SignerConfig:
    return xmlsign.SignerConfig(
        key_path=c.config.path("MK_XML_PRIVATE_KEY_PATH"),
        cert_path=c.config.path("MK_XML_CERTIFICATE_PATH"),
        passphrase=c.config.get("MK_XML_PASSPHRASE"),
        signature_method=c.config.get("MK_XML_SIGNATURE_METHOD", "rsa-sha256"),
        digest_method=c.config.get("MK_XML_DIGEST_METHOD", "sha256"),
        format_output=c.config.get("MK_XML_FORMAT_OUTPUT", "none"),
    )


def _output_filter(c: AppContext, content: bytes) -> bytes:
    """`round_amounts`: a post-signing step that rewrites the payable amount in whole denars
    after the document was signed, so the signature no longer covers the bytes sent."""
    if c.config.get("MK_XML_OUTPUT_FILTER", "none") != "round_amounts":
        return content

    def whole(match: re.Match[bytes]) -> bytes:
        value = round(float(match.group(2) + b"." + match.group(3)))
        return match.group(1) + str(value).encode() + match.group(4)

    return _PAYABLE.sub(whole, content, count=1)


async def export_xml(request: Request) -> Response:
    c, invoice = await find_invoice(request)
    data = await json_body(request)
    fmt = data.get("format")
    if fmt in (None, ""):
        errors = {"format": ["The format field is required."]}
    elif fmt not in FORMATS:
        errors = {"format": ["The selected format is invalid."]}
    else:
        errors = {}
    if errors:
        raise HttpError(422, body={"message": "Validation failed", "errors": errors})
    wants_signature = fmt == "ubl_signed" or truthy(data.get("include_signature", False))
    document = ubl.build(
        await _document(c, invoice),
        c.config.get("MK_UBL_ELEMENT_ORDER"),
        c.config.get("MK_UBL_AMOUNTS", "fixed"),
    )
    content = ubl.serialize(document, pretty=True)
    signed = False
    if wants_signature:
        try:
            content = await run_in_threadpool(xmlsign.sign, content, _signer_config(c))
            signed = True
        except xmlsign.SignerNotConfigured as exc:
            print(f"XML signing skipped for invoice {invoice['id']}: {exc}", flush=True)
    if signed:
        content = _output_filter(c, content)
    by_request = c.config.get("MK_XML_EXPORT_NAMING", "result") == "request"
    suffix = "-signed" if (wants_signature if by_request else signed) else ""
    filename = f"invoice-{invoice['invoice_number']}-ubl{suffix}.xml"
    return Response(
        content,
        200,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        media_type="application/xml",
    )
