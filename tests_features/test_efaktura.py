"""Runbook 'E-Faktura → XML generated, signature valid' (contract §6).

The test invoice is exported twice (``ubl`` and ``ubl_signed``); each claim judges the same bytes.
The unsigned export must be a schema-valid UBL 2.1 Invoice repeating the invoice; the signed one
must carry an enveloped exc-C14N/RSA-SHA256/SHA-256 signature that verifies over the exact bytes
(signxml and xmlsec1) with a certificate chaining to the configured anchor.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from facturino_verify.checks import efaktura
from facturino_verify.clients.xmlsec import xmlsec_verify
from facturino_verify.config import Environment
from facturino_verify.runs.features import FeatureRun
from facturino_verify.runs.flows import InvoiceUnderTest

pytestmark = [pytest.mark.features, pytest.mark.writes, pytest.mark.admin_account]


@pytest.fixture(scope="module")
def ubl_document(ubl_export: httpx.Response) -> etree._Element:
    return efaktura.parse_xml(efaktura.expect_xml_export(ubl_export, "ubl"), "the UBL export")


@pytest.fixture(scope="module")
def signed_bytes(signed_export: httpx.Response) -> bytes:
    return efaktura.expect_xml_export(signed_export, "ubl_signed")


@pytest.fixture(scope="module")
def signed_document(signed_bytes: bytes) -> etree._Element:
    return efaktura.parse_xml(signed_bytes, "the signed UBL export")


@pytest.fixture(scope="module")
def signature(signed_document: etree._Element) -> etree._Element:
    return efaktura.signature_element(signed_document)


@pytest.fixture(scope="module")
def schema(ubl_schema_dir: Path) -> etree.XMLSchema:
    return efaktura.load_ubl_schema(ubl_schema_dir)


def _facts(made: InvoiceUnderTest, environment: Environment) -> efaktura.InvoiceFacts:
    """What the UBL must repeat: the invoice's number and totals, the expected currency
    (``[features.efaktura] currency``, MKD for Macedonian e-invoices)."""
    data: dict[str, Any] = made.invoice
    currency = environment.features.efaktura.currency
    return efaktura.InvoiceFacts(
        made.number, currency, int(data["total"]), int(data["sub_total"]), int(data["tax"])
    )


def test_ubl_export_validates_against_the_oasis_ubl_21_schema(
    ubl_document: etree._Element, schema: etree.XMLSchema
) -> None:
    efaktura.expect_schema_valid(ubl_document, schema, "the UBL export")


def test_ubl_export_repeats_number_type_currency_and_totals(
    ubl_document: etree._Element, invoice_under_test: InvoiceUnderTest, environment: Environment
) -> None:
    efaktura.expect_ubl_content(ubl_document, _facts(invoice_under_test, environment))


def test_signed_export_is_named_as_signed(signed_export: httpx.Response) -> None:
    efaktura.expect_xml_export(signed_export, "ubl_signed")
    efaktura.expect_signed_filename(signed_export)


def test_signed_export_is_the_same_valid_invoice_without_its_signature(
    signed_document: etree._Element,
    schema: etree.XMLSchema,
    invoice_under_test: InvoiceUnderTest,
    environment: Environment,
) -> None:
    unsigned = efaktura.unsigned_copy(signed_document)
    efaktura.expect_schema_valid(unsigned, schema, "the signed export (signature removed)")
    efaktura.expect_ubl_content(unsigned, _facts(invoice_under_test, environment))


def test_signature_uses_exc_c14n_rsa_sha256_sha256_enveloped(signature: etree._Element) -> None:
    efaktura.expect_signature_algorithms(signature)


def test_signature_verifies_over_the_exact_bytes_with_signxml(
    signed_bytes: bytes, signature: etree._Element, efaktura_trust_anchor: Path
) -> None:
    efaktura.expect_signature_verifies(signed_bytes, efaktura_trust_anchor)


def test_signature_verifies_with_xmlsec1_against_the_trust_anchor(
    signed_bytes: bytes,
    signature: etree._Element,
    efaktura_trust_anchor: Path,
    environment: Environment,
) -> None:
    xmlsec1 = environment.features.efaktura.xmlsec1
    result = xmlsec_verify(signed_bytes, efaktura_trust_anchor, xmlsec1)
    # Refused: would it verify without the indentation (the app's re-indentation defect)?
    deindented = result.returncode != 0 and (
        xmlsec_verify(
            efaktura.without_indentation(signed_bytes), efaktura_trust_anchor, xmlsec1
        ).returncode
        == 0
    )
    efaktura.expect_xmlsec_verified(result.returncode, result.output, deindented)


def test_signer_certificate_chains_to_the_trust_anchor(
    signature: etree._Element, efaktura_trust_anchor: Path
) -> None:
    efaktura.expect_certificate_chains_to(
        efaktura.embedded_certificate(signature), efaktura.load_anchors(efaktura_trust_anchor)
    )


def test_signer_certificate_does_not_expire_soon(
    signature: etree._Element, environment: Environment
) -> None:
    efaktura.expect_certificate_lifetime(
        efaktura.embedded_certificate(signature),
        environment.features.efaktura.signer_min_days_valid,
        dt.datetime.now(dt.UTC),
    )


def test_signature_placement_follows_ubl_extensions(
    signed_document: etree._Element,
    signature: etree._Element,
    environment: Environment,
    feature_run: FeatureRun,
    request: pytest.FixtureRequest,
) -> None:
    """Facturino appends ds:Signature to <Invoice>; UBL wants it in UBLExtensions. A note by
    default (``[features.efaktura] signature_placement = "warn"``), a failure with "fail"."""
    note = efaktura.signature_placement_note(signed_document, signature)
    if note is None:
        return
    if environment.features.efaktura.signature_placement == "fail":
        efaktura.expect_standard_placement(note)
    feature_run.note(request.node.nodeid, note)
