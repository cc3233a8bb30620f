"""UBL 2.1 Invoice from an invoice's rows (Modules/Mk/Services/MkUblMapper.php).

Elements are emitted in the order of the OASIS UBL-Invoice-2.1 schema. `element_order="legacy"`
reproduces an older mapper that wrote DocumentCurrencyCode before InvoiceTypeCode, which the
schema rejects.

Amounts (`MK_UBL_AMOUNTS`): `fixed` writes major units with two decimals in the invoice's
currency and always a TaxTotal. `upstream` is the mapper at d5d901d7 with num-num/ubl-invoice
1.21.2: the invoice's integer cents go to the library unconverted and are printed as money
(`number_format($cents, 2)`: 18520.50 MKD becomes `1852050.00`), every amount carries
`currencyID="EUR"` (`Generator::invoice()` is called without a currency, :71-73), a TaxTotal is
written only for an invoice with taxes (:341), TaxExclusiveAmount is the sub-total (:365),
AllowanceTotalAmount and ChargeTotalAmount are always written, and a line's amount is
quantity times price (:238).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC}


@dataclass(frozen=True)
class UblParty:
    name: str
    tax_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class UblLine:
    name: str
    quantity: float
    price: int  # minor units
    total: int  # minor units, line extension amount
    description: str | None = None


@dataclass(frozen=True)
class UblInvoice:
    number: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    supplier: UblParty
    customer: UblParty
    sub_total: int
    discount: int
    tax: int
    total: int
    iban: str | None = None
    notes: str | None = None
    lines: list[UblLine] = field(default_factory=list)


def major(minor: int) -> str:
    """12345 -> '123.45'."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{whole}.{cents:02d}"


AMOUNT_MODES = ("fixed", "upstream")


@dataclass(frozen=True)
class Money:
    """How this mapper writes an amount (see the module docstring)."""

    currency: str
    upstream: bool = False

    def attrs(self) -> dict[str, str]:
        return {"currencyID": "EUR" if self.upstream else self.currency}

    def text(self, minor: float) -> str:
        # num-num's NumberFormatter::format($amount, 2) is number_format: the cents as they are.
        return f"{minor:.2f}" if self.upstream else major(int(minor))


def _cbc(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS_CBC}}}{tag}", attrs)
    element.text = text
    return element


def _cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS_CAC}}}{tag}")


def tax_category(percent: float) -> str:
    """Contract 6.1: Z for 0 %, AA for 5 %, S otherwise."""
    if percent == 0:
        return "Z"
    return "AA" if percent == 5 else "S"


def _percent(invoice: UblInvoice) -> float:
    taxable = invoice.total - invoice.tax
    return round(invoice.tax * 100 / taxable, 2) if taxable > 0 else 0.0


def _party(parent: etree._Element, role: str, party: UblParty) -> None:
    wrapper = _cac(parent, role)
    node = _cac(wrapper, "Party")
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    _cbc(_cac(address, "Country"), "IdentificationCode", "MK")
    scheme = _cac(node, "PartyTaxScheme")
    if party.tax_id:
        _cbc(scheme, "CompanyID", party.tax_id)
    _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(node, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    if party.email:
        _cbc(_cac(node, "Contact"), "ElectronicMail", party.email)


def _tax_total(parent: etree._Element, invoice: UblInvoice, money: Money) -> None:
    if money.upstream and not invoice.tax:
        return  # MkUblMapper::setTaxTotals: no tax rows, no TaxTotal
    total = _cac(parent, "TaxTotal")
    _cbc(total, "TaxAmount", money.text(invoice.tax), **money.attrs())
    subtotal = _cac(total, "TaxSubtotal")
    _cbc(subtotal, "TaxableAmount", money.text(invoice.total - invoice.tax), **money.attrs())
    _cbc(subtotal, "TaxAmount", money.text(invoice.tax), **money.attrs())
    category = _cac(subtotal, "TaxCategory")
    percent = _percent(invoice)
    _cbc(category, "ID", tax_category(percent))
    _cbc(category, "Percent", f"{percent:g}")
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(parent: etree._Element, invoice: UblInvoice, money: Money) -> None:
    legal = _cac(parent, "LegalMonetaryTotal")

    def amount(tag: str, minor: int) -> None:
        _cbc(legal, tag, money.text(minor), **money.attrs())

    amount("LineExtensionAmount", invoice.sub_total)
    if money.upstream:
        amount("TaxExclusiveAmount", invoice.sub_total)
        amount("TaxInclusiveAmount", invoice.total)
        amount("AllowanceTotalAmount", invoice.discount)
        amount("ChargeTotalAmount", 0)
    else:
        amount("TaxExclusiveAmount", invoice.total - invoice.tax)
        amount("TaxInclusiveAmount", invoice.total)
        if invoice.discount:
            amount("AllowanceTotalAmount", invoice.discount)
    amount("PayableAmount", invoice.total)


def _lines(parent: etree._Element, invoice: UblInvoice, money: Money) -> None:
    percent = _percent(invoice)
    for index, line in enumerate(invoice.lines, start=1):
        node = _cac(parent, "InvoiceLine")
        _cbc(node, "ID", str(index))
        _cbc(node, "InvoicedQuantity", f"{line.quantity:g}", unitCode="C62")
        extension = line.quantity * line.price if money.upstream else line.total
        _cbc(node, "LineExtensionAmount", money.text(extension), **money.attrs())
        item = _cac(node, "Item")
        if line.description:
            _cbc(item, "Description", line.description)
        _cbc(item, "Name", line.name)
        if not money.upstream:  # the mapper at d5d901d7 sets no ClassifiedTaxCategory
            category = _cac(item, "ClassifiedTaxCategory")
            _cbc(category, "ID", tax_category(percent))
            _cbc(category, "Percent", f"{percent:g}")
            _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
        _cbc(_cac(node, "Price"), "PriceAmount", money.text(line.price), **money.attrs())


def build(
    invoice: UblInvoice, element_order: str = "ubl-2.1", amounts: str = "fixed"
) -> etree._Element:
    money = Money(invoice.currency, upstream=amounts == "upstream")
    root = etree.Element(f"{{{NS_INVOICE}}}Invoice", nsmap=NSMAP)
    _cbc(root, "UBLVersionID", "2.1")
    _cbc(root, "CustomizationID", "1.0")
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if invoice.due_date:
        _cbc(root, "DueDate", invoice.due_date.isoformat())
    if element_order == "legacy":
        _cbc(root, "DocumentCurrencyCode", invoice.currency)
        _cbc(root, "InvoiceTypeCode", "380")
    else:
        _cbc(root, "InvoiceTypeCode", "380")
        if invoice.notes:
            _cbc(root, "Note", invoice.notes)
        _cbc(root, "DocumentCurrencyCode", invoice.currency)
    _party(root, "AccountingSupplierParty", invoice.supplier)
    _party(root, "AccountingCustomerParty", invoice.customer)
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", "30")  # credit transfer
    if invoice.due_date:
        _cbc(means, "PaymentDueDate", invoice.due_date.isoformat())
    if invoice.iban:
        _cbc(_cac(means, "PayeeFinancialAccount"), "ID", invoice.iban)
    _tax_total(root, invoice, money)
    _monetary_total(root, invoice, money)
    _lines(root, invoice, money)
    return root


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def serialize(root: etree._Element, pretty: bool = True) -> bytes:
    """DOMDocument::saveXML(): the declaration in double quotes, then the document."""
    body: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=pretty)
    return XML_DECLARATION + body
