"""The UBL export's money: its totals, VAT breakdown and currency must be the invoice's.

Facturino keeps amounts as integer minor units (``total: 1852050`` is 18520.50 MKD); UBL states
money in major units with a ``currencyID``. Every discrepancy is collected, so one failure names
all of them, and the known defects of the real app at d5d901d7 are named as such (so an
operator knows it is the release's code, not the deployment): ``MkUblMapper`` hands the integer
cents to num-num/ubl-invoice unconverted (amounts a hundred times too large), never passes the
invoice currency to ``Generator::invoice()`` (whose default is EUR) and writes a
``cac:TaxTotal`` only for invoices with tax rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import remedies
from .base import fail

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": CBC, "cac": CAC}
MAPPER = "Modules/Mk/Services/MkUblMapper.php"
TOTALS = (
    ("PayableAmount", "cac:LegalMonetaryTotal/cbc:PayableAmount", "total"),
    ("TaxInclusiveAmount", "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "total"),
    ("TaxExclusiveAmount", "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "sub_total"),
)
HUNDREDFOLD = (
    f"amounts are 100 times the invoice's: the app writes the invoice's integer cents as money "
    f"({MAPPER}:362-371 passes sub_total/total, stored in minor units, to num-num/ubl-invoice "
    "unconverted)"
)
NO_TAX_TOTAL = (
    f"no cac:TaxTotal: the app writes one only for an invoice with tax rows ({MAPPER}:341); "
    "an invoice without VAT still needs its VAT breakdown (TaxAmount 0.00, category Z; "
    "EN 16931 BR-CO-18)"
)
APP_DEFECT = (
    "a defect of the application's code (Facturino at d5d901d7), not of this deployment: every "
    "exported e-invoice states these amounts. Fix MkUblMapper (amounts / 100, "
    "Generator::invoice($ubl, $invoice->currency->code), a TaxTotal for every invoice) and "
    "release again; redeploying or rolling back to the same code does not help"
)


@dataclass(frozen=True)
class InvoiceFacts:
    """What the invoice says (API, minor units) that the UBL must repeat."""

    number: str
    currency: str
    total: int
    sub_total: int
    tax: int

    def minor(self, field: str) -> int:
        value: int = getattr(self, field)
        return value


def _amount(doc: etree._Element, path: str) -> tuple[str | None, Decimal | None]:
    found = doc.find(path, NS)
    text = None if found is None or found.text is None else found.text.strip()
    try:
        return text, None if text is None else Decimal(text)
    except InvalidOperation:
        return text, None


@dataclass
class _Findings:
    wrong: list[str]  # "PayableAmount 1852050.00 (expected 18520.50)"
    hundredfold: bool = True  # every wrong amount is exactly a hundred times the expected one

    def add(self, name: str, want: Decimal, text: str | None, seen: Decimal | None) -> None:
        if seen == want:
            return
        self.wrong.append(f"{name} {text} (expected {want:.2f})")
        times_100 = seen is not None and want != 0 and seen == want * 100
        self.hundredfold = self.hundredfold and times_100


def _amounts(doc: etree._Element, facts: InvoiceFacts) -> _Findings:
    findings = _Findings([])
    for name, path, field in TOTALS:
        findings.add(name, Decimal(facts.minor(field)) / 100, *_amount(doc, path))
    if doc.find("cac:TaxTotal", NS) is not None:
        want = Decimal(facts.tax) / 100
        findings.add("TaxTotal/TaxAmount", want, *_amount(doc, "cac:TaxTotal/cbc:TaxAmount"))
    return findings


def currency_labels(doc: etree._Element) -> set[str]:
    """The ``currencyID`` of every amount in the document."""
    return {str(e.get("currencyID")) for e in doc.iter() if e.get("currencyID") is not None}


def _currency_note(doc: etree._Element, currency: str) -> str | None:
    labels = currency_labels(doc)
    if not labels or labels == {currency}:
        return None
    note = f"amounts are labelled currencyID={'/'.join(sorted(labels))} in a {currency} invoice"
    if labels == {"EUR"}:
        note += (
            f": the app never passes the invoice currency to Generator::invoice() ({MAPPER}:71-73),"
            " so num-num/ubl-invoice's default EUR applies"
        )
    return note


def expect_totals(doc: etree._Element, facts: InvoiceFacts) -> None:
    """Payable, tax-inclusive and tax-exclusive totals, the TaxTotal and every currencyID equal
    the invoice's; one failure lists every discrepancy and names the app's known defects."""
    __tracebackhide__ = True
    findings = _amounts(doc, facts)
    problems = list(findings.wrong)
    known = bool(findings.wrong) and findings.hundredfold
    if findings.wrong and findings.hundredfold:
        problems.insert(0, HUNDREDFOLD)
    if doc.find("cac:TaxTotal", NS) is None:
        problems.append(NO_TAX_TOTAL if facts.tax == 0 else "no cac:TaxTotal")
        known = known or facts.tax == 0
    if note := _currency_note(doc, facts.currency):
        problems.append(note)
        known = known or "Generator::invoice" in note
    if problems:
        fail(
            "UBL totals, VAT breakdown and currency equal the invoice's",
            f"PayableAmount = TaxInclusiveAmount {Decimal(facts.total) / 100:.2f}, "
            f"TaxExclusiveAmount {Decimal(facts.sub_total) / 100:.2f}, TaxTotal/TaxAmount "
            f"{Decimal(facts.tax) / 100:.2f}, every amount currencyID={facts.currency}",
            "; ".join(problems),
            APP_DEFECT if known else remedies.EFAKTURA_UBL,
        )
