"""UBL 2.1 Invoice from an invoice's rows (Modules/Mk/Services/MkUblMapper.php).

Elements are emitted in the order of the OASIS UBL-Invoice-2.1 schema, amounts in major
units with two decimals and `currencyID`. `element_order="legacy"` reproduces an older
mapper that wrote DocumentCurrencyCode before InvoiceTypeCode, which the schema rejects.
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


def _tax_total(parent: etree._Element, invoice: UblInvoice) -> None:
    currency = {"currencyID": invoice.currency}
    total = _cac(parent, "TaxTotal")
    _cbc(total, "TaxAmount", major(invoice.tax), **currency)
    subtotal = _cac(total, "TaxSubtotal")
    _cbc(subtotal, "TaxableAmount", major(invoice.total - invoice.tax), **currency)
    _cbc(subtotal, "TaxAmount", major(invoice.tax), **currency)
    category = _cac(subtotal, "TaxCategory")
    percent = _percent(invoice)
    _cbc(category, "ID", tax_category(percent))
    _cbc(category, "Percent", f"{percent:g}")
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(parent: etree._Element, invoice: UblInvoice) -> None:
    currency = {"currencyID": invoice.currency}
    legal = _cac(parent, "LegalMonetaryTotal")
    _cbc(legal, "LineExtensionAmount", major(invoice.sub_total), **currency)
    _cbc(legal, "TaxExclusiveAmount", major(invoice.total - invoice.tax), **currency)
    _cbc(legal, "TaxInclusiveAmount", major(invoice.total), **currency)
    if invoice.discount:
        _cbc(legal, "AllowanceTotalAmount", major(invoice.discount), **currency)
    _cbc(legal, "PayableAmount", major(invoice.total), **currency)


def _lines(parent: etree._Element, invoice: UblInvoice) -> None:
    currency = {"currencyID": invoice.currency}
    percent = _percent(invoice)
    for index, line in enumerate(invoice.lines, start=1):
        node = _cac(parent, "InvoiceLine")
        _cbc(node, "ID", str(index))
        _cbc(node, "InvoicedQuantity", f"{line.quantity:g}", unitCode="C62")
        _cbc(node, "LineExtensionAmount", major(line.total), **currency)
        item = _cac(node, "Item")
        if line.description:
            _cbc(item, "Description", line.description)
        _cbc(item, "Name", line.name)
        category = _cac(item, "ClassifiedTaxCategory")
        _cbc(category, "ID", tax_category(percent))
        _cbc(category, "Percent", f"{percent:g}")
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
        _cbc(_cac(node, "Price"), "PriceAmount", major(line.price), **currency)


def build(invoice: UblInvoice, element_order: str = "ubl-2.1") -> etree._Element:
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
    _tax_total(root, invoice)
    _monetary_total(root, invoice)
    _lines(root, invoice)
    return root


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def serialize(root: etree._Element, pretty: bool = True) -> bytes:
    """DOMDocument::saveXML(): the declaration in double quotes, then the document."""
    body: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=pretty)
    return XML_DECLARATION + body
