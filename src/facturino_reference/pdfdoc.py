"""The invoice PDF (what DomPDF renders from the `invoice-mk` template), drawn with reportlab.

Input is plain data read from the invoice rows; output is a one-page PDF whose text layer
holds the invoice number, the customer's name, the lines and the total. Amounts are minor
units (x100) and are printed as major units with two decimals and the currency code, e.g.
`Total: 1234.50 MKD` (no thousands grouping, so the text is easy to find).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# DejaVu covers Cyrillic (customer names are often Macedonian); reportlab's bundled Vera
# is the fallback on machines without it.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
_FONT = "InvoiceSans"
_registered: list[str] = []


@dataclass(frozen=True)
class PdfLine:
    name: str
    quantity: float
    price: int
    total: int


@dataclass(frozen=True)
class PdfInvoice:
    company_name: str
    invoice_number: str
    invoice_date: str
    due_date: str
    customer_name: str
    currency: str
    sub_total: int
    tax: int
    total: int
    lines: list[PdfLine] = field(default_factory=list)
    notes: str = ""


def money(minor: int, currency: str) -> str:
    """10000 -> '100.00 MKD'."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{whole}.{cents:02d} {currency}"


def _font() -> str:
    if not _registered:
        path = next((p for p in _FONT_CANDIDATES if Path(p).exists()), None)
        if path is None:
            import reportlab

            path = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
        pdfmetrics.registerFont(TTFont(_FONT, path))
        _registered.append(path)
    return _FONT


def _quantity(value: float) -> str:
    return f"{value:g}"


def render(invoice: PdfInvoice) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"Invoice {invoice.invoice_number}")
    pdf.setAuthor(invoice.company_name)
    width, height = A4
    y = height - 60

    def text(x: float, value: str, size: int = 10) -> None:
        pdf.setFont(font, size)
        pdf.drawString(x, y, value)

    text(50, invoice.company_name, 14)
    y -= 30
    text(50, f"Invoice {invoice.invoice_number}", 18)
    y -= 24
    text(50, f"Invoice date: {invoice.invoice_date}")
    text(300, f"Due date: {invoice.due_date or '-'}")
    y -= 24
    text(50, f"Bill to: {invoice.customer_name}", 11)
    y -= 36
    for x, title in ((50, "Item"), (300, "Qty"), (360, "Price"), (460, "Amount")):
        text(x, title, 9)
    y -= 6
    pdf.line(50, y, width - 50, y)
    y -= 16
    for line in invoice.lines:
        text(50, line.name[:45])
        text(300, _quantity(line.quantity))
        text(360, money(line.price, invoice.currency))
        text(460, money(line.total, invoice.currency))
        y -= 18
    y -= 6
    pdf.line(300, y, width - 50, y)
    y -= 18
    text(360, "Subtotal:")
    text(460, money(invoice.sub_total, invoice.currency))
    y -= 16
    text(360, "Tax:")
    text(460, money(invoice.tax, invoice.currency))
    y -= 20
    text(360, f"Total: {money(invoice.total, invoice.currency)}", 12)
    if invoice.notes:
        y -= 40
        text(50, f"Notes: {invoice.notes[:90]}", 9)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
