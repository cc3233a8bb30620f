"""e-Faktura checks on documents signed here: the good one passes, each flaw fails its check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from lxml import etree

from facturino_verify.checks import CheckFailed, efaktura, remedies
from facturino_verify.clients.xmlsec import xmlsec_verify
from facturino_verify.config.features import default_schema_dir

from .efaktura_samples import (
    NUMBER,
    RSA_SHA1,
    SHA1,
    Pki,
    make_pki,
    sign,
    sign_then_reindent,
    sign_with_xmlsec1,
    ubl,
    upstream_ubl,
)

SCHEMAS = default_schema_dir()
FACTS = efaktura.InvoiceFacts(NUMBER, "MKD", 1_851_900, 1_851_900, 0)
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signed(pki: Pki) -> bytes:
    return sign(ubl(), pki)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return efaktura.load_ubl_schema(SCHEMAS)


def _signature(content: bytes) -> etree._Element:
    return efaktura.signature_element(efaktura.parse_xml(content, "doc"))


def test_valid_document_passes_schema_and_content(schema: etree.XMLSchema) -> None:
    doc = efaktura.parse_xml(ubl(), "doc")
    efaktura.expect_schema_valid(doc, schema, "doc")
    efaktura.expect_ubl_content(doc, FACTS)


def test_schema_invalid_document_fails(schema: etree.XMLSchema) -> None:
    broken = ubl().replace(b"<cbc:IssueDate>2026-11-28</cbc:IssueDate>", b"")
    with pytest.raises(CheckFailed, match=r"validates against the OASIS UBL 2\.1"):
        efaktura.expect_schema_valid(efaktura.parse_xml(broken, "doc"), schema, "doc")


def test_missing_schema_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(CheckFailed, match="schemas are available"):
        efaktura.load_ubl_schema(tmp_path)


@pytest.mark.parametrize(
    ("document", "claim"),
    [
        (ubl(number="OTHER-1"), "cbc:ID equals the invoice number"),
        (ubl(type_code="381"), "InvoiceTypeCode is 380"),
        (ubl(payable="18519.01"), r"PayableAmount 18519\.01 \(expected 18519\.00\)"),
        (ubl().replace(b"xsd:Invoice-2", b"xsd:CreditNote-2"), "is a UBL 2.1 Invoice"),
    ],
)
def test_content_that_differs_from_the_invoice_fails(document: bytes, claim: str) -> None:
    with pytest.raises(CheckFailed, match=claim):
        efaktura.expect_ubl_content(efaktura.parse_xml(document, "doc"), FACTS)


def test_malformed_xml_fails() -> None:
    with pytest.raises(CheckFailed, match="well-formed XML"):
        efaktura.parse_xml(b"<Invoice><unclosed></Invoice>", "doc")


def test_good_signature_passes_every_signature_check(signed: bytes, pki: Pki) -> None:
    signature = _signature(signed)
    efaktura.expect_signature_algorithms(signature)
    efaktura.expect_signature_verifies(signed, pki.ca_pem)
    cert = efaktura.embedded_certificate(signature)
    efaktura.expect_certificate_chains_to(cert, efaktura.load_anchors(pki.ca_pem))
    efaktura.expect_certificate_lifetime(cert, 30, NOW)
    assert xmlsec_verify(signed, pki.ca_pem).returncode == 0


def test_unsigned_document_behind_a_signed_name_fails() -> None:
    with pytest.raises(CheckFailed, match="exactly one ds:Signature"):
        _signature(ubl())


def test_tampered_byte_fails_both_verifiers(signed: bytes, pki: Pki) -> None:
    tampered = signed.replace(b"18519.00</cbc:PayableAmount>", b"18519.01</cbc:PayableAmount>")
    assert tampered != signed
    with pytest.raises(CheckFailed, match="InvalidDigest"):
        efaktura.expect_signature_verifies(tampered, pki.ca_pem)
    result = xmlsec_verify(tampered, pki.ca_pem)
    with pytest.raises(CheckFailed, match="xmlsec1"):
        efaktura.expect_xmlsec_verified(result.returncode, result.output)


def test_weak_algorithm_fails_even_though_xmlsec1_accepts_it(pki: Pki, tmp_path: Path) -> None:
    weak = sign_with_xmlsec1(ubl(), pki, tmp_path, RSA_SHA1, SHA1)
    assert xmlsec_verify(weak, pki.ca_pem).returncode == 0  # why the algorithm check exists
    with pytest.raises(CheckFailed, match="SignatureMethod is RSA-SHA256"):
        efaktura.expect_signature_algorithms(_signature(weak))
    with pytest.raises(CheckFailed, match="RSA_SHA1"):
        efaktura.expect_signature_verifies(weak, pki.ca_pem)


def test_other_canonicalization_fails(pki: Pki) -> None:
    from signxml import XMLSigner

    c14n11 = XMLSigner().sign(etree.fromstring(ubl()), key=pki.key, cert=[pki.signer])
    with pytest.raises(CheckFailed, match="CanonicalizationMethod is exclusive C14N"):
        efaktura.expect_signature_algorithms(efaktura.signature_element(c14n11))


def test_certificate_from_another_ca_fails(signed: bytes, tmp_path: Path) -> None:
    stranger = make_pki(tmp_path / "other")
    with pytest.raises(CheckFailed, match="chains to the configured trust anchor"):
        efaktura.expect_certificate_chains_to(
            efaktura.embedded_certificate(_signature(signed)), [stranger.ca]
        )
    with pytest.raises(CheckFailed, match="verifies over the exact bytes"):
        efaktura.expect_signature_verifies(signed, stranger.ca_pem)


def test_certificate_expiring_within_the_window_fails(tmp_path: Path) -> None:
    short = make_pki(tmp_path, signer_days=10)
    cert = efaktura.embedded_certificate(_signature(sign(ubl(), short)))
    efaktura.expect_certificate_lifetime(cert, 5, NOW)
    with pytest.raises(CheckFailed, match="at least 30 more days"):
        efaktura.expect_certificate_lifetime(cert, 30, NOW)


def test_placement_as_last_child_is_noted_and_extensions_are_not(signed: bytes, pki: Pki) -> None:
    doc = efaktura.parse_xml(signed, "doc")
    note = efaktura.signature_placement_note(doc, efaktura.signature_element(doc))
    assert note is not None and "last child of <Invoice>" in note
    with pytest.raises(CheckFailed, match="UBLExtensions"):
        efaktura.expect_standard_placement(note)
    standard = efaktura.parse_xml(sign(ubl(), pki, in_extensions=True), "doc")
    assert efaktura.signature_placement_note(standard, efaktura.signature_element(standard)) is None


def test_signed_document_without_signature_is_schema_valid(
    signed: bytes, schema: etree.XMLSchema
) -> None:
    doc = efaktura.parse_xml(signed, "doc")
    assert not schema.validate(doc)  # the last-child signature breaks UBL 2.1
    efaktura.expect_schema_valid(efaktura.unsigned_copy(doc), schema, "doc")


def _export(filename: str, content_type: str = "application/xml") -> httpx.Response:
    return httpx.Response(
        200,
        content=b"<x/>",
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
        request=httpx.Request("POST", "https://facturino.example/api/v1/invoices/1/export-xml"),
    )


def test_signed_filename_tells_whether_the_server_signed() -> None:
    efaktura.expect_signed_filename(_export("invoice-X-ubl-signed.xml"))
    with pytest.raises(CheckFailed, match=r"ubl-signed\.xml"):
        efaktura.expect_signed_filename(_export("invoice-X-ubl.xml"))


def test_export_must_be_xml() -> None:
    assert efaktura.expect_xml_export(_export("a.xml"), "ubl") == b"<x/>"
    with pytest.raises(CheckFailed, match="application/xml"):
        efaktura.expect_xml_export(_export("a.xml", "text/html"), "ubl")


def test_upstream_mapper_output_is_valid_ubl_but_names_the_apps_amount_defects(
    schema: etree.XMLSchema,
) -> None:
    """Facturino at d5d901d7: schema-valid, but 100 times the amounts, EUR and no TaxTotal;
    one failure names all three and says it is the app's code, not the deployment."""
    doc = efaktura.parse_xml(upstream_ubl(), "doc")
    efaktura.expect_schema_valid(doc, schema, "doc")
    with pytest.raises(CheckFailed) as failed:
        efaktura.expect_ubl_content(doc, FACTS)
    seen = str(failed.value.seen)
    assert seen.startswith("amounts are 100 times the invoice's: the app writes the invoice's")
    assert "PayableAmount 1851900.00 (expected 18519.00)" in seen
    assert "MkUblMapper.php:362-371" in seen
    assert "currencyID=EUR in a MKD invoice" in seen and "Generator::invoice()" in seen
    assert "no cac:TaxTotal" in seen and "MkUblMapper.php:341" in seen
    assert failed.value.remedy.startswith("a defect of the application's code")


def test_wrong_totals_that_are_not_the_known_defect_get_the_usual_remedy() -> None:
    doc = efaktura.parse_xml(ubl(payable="18519.01"), "doc")
    with pytest.raises(CheckFailed) as failed:
        efaktura.expect_ubl_content(doc, FACTS)
    assert "100 times" not in str(failed.value.seen)
    assert "PayableAmount 18519.01 (expected 18519.00)" in str(failed.value.seen)
    assert failed.value.remedy == remedies.EFAKTURA_UBL


def test_signature_of_a_document_reindented_after_signing_is_named_as_such(pki: Pki) -> None:
    """MkXmlSigner's formatOutput: both verifiers refuse the bytes (InvalidDigest, "data and
    digest do not match"); both accept them without the indentation; the failure says so."""
    reindented = sign_then_reindent(ubl(), pki)
    with pytest.raises(CheckFailed) as failed:
        efaktura.expect_signature_verifies(reindented, pki.ca_pem)
    assert "InvalidDigest" in str(failed.value.seen)
    assert "re-indented after signing" in str(failed.value.seen)
    assert "MkXmlSigner.php:46-47,87" in failed.value.remedy
    result = xmlsec_verify(reindented, pki.ca_pem)
    assert result.returncode == 1 and "data and digest do not match" in result.output
    deindented = xmlsec_verify(efaktura.without_indentation(reindented), pki.ca_pem)
    assert deindented.returncode == 0
    with pytest.raises(CheckFailed, match="re-indented after signing"):
        efaktura.expect_xmlsec_verified(result.returncode, result.output, True)


def test_a_tampered_signature_is_not_blamed_on_indentation(signed: bytes, pki: Pki) -> None:
    tampered = signed.replace(b"18519.00</cbc:PayableAmount>", b"18519.01</cbc:PayableAmount>")
    with pytest.raises(CheckFailed) as failed:
        efaktura.expect_signature_verifies(tampered, pki.ca_pem)
    assert "re-indented" not in str(failed.value.seen)
    assert failed.value.remedy == remedies.EFAKTURA_SIGNATURE
    assert xmlsec_verify(efaktura.without_indentation(tampered), pki.ca_pem).returncode == 1
