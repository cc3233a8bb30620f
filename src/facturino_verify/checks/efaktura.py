"""E-Faktura checks: the UBL 2.1 export and its enveloped XMLDSig signature (contract §6).

Pure: bytes, parsed documents and schemas in, :class:`CheckFailed` out. Signature verification
with signxml is computation over the exact bytes the server returned; the ``xmlsec1`` cross-check
runs in ``clients.xmlsec`` and is judged here.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature as CertificateSignatureInvalid
from lxml import etree

from . import remedies, ubl_totals
from .base import fail, shorten
from .http import described, expect_status

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"cbc": CBC, "cac": CAC, "ds": DS, "ext": EXT, "inv": UBL_INVOICE}

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# What Facturino's MkXmlSigner (xmlseclibs) declares; anything else is a different signer.
EXPECTED_ALGORITHMS = {
    "CanonicalizationMethod": EXC_C14N,
    "SignatureMethod": RSA_SHA256,
    "DigestMethod": SHA256,
}
ALGORITHM_NAMES = {
    "CanonicalizationMethod": "exclusive C14N",
    "SignatureMethod": "RSA-SHA256",
    "DigestMethod": "SHA-256",
}
MAIN_SCHEMA = Path("maindoc") / "UBL-Invoice-2.1.xsd"
InvoiceFacts = ubl_totals.InvoiceFacts


# --- the export response ----------------------------------------------------------------------


def expect_xml_export(response: httpx.Response, fmt: str) -> bytes:
    """200, ``application/xml``, an attachment; the exact bytes for the next checks."""
    __tracebackhide__ = True
    claim = f"export-xml with format '{fmt}' answers 200 application/xml"
    expect_status(response, 200, claim, remedies.EFAKTURA_EXPORT)
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media not in ("application/xml", "text/xml"):
        fail(claim, "Content-Type: application/xml", described(response), remedies.EFAKTURA_EXPORT)
    return response.content


def exported_filename(response: httpx.Response) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename":
            return str(value.strip().strip('"'))
    return ""


def parse_xml(content: bytes, what: str) -> etree._Element:
    __tracebackhide__ = True
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        fail(
            f"{what} is well-formed XML", "a parseable document", str(error), remedies.EFAKTURA_UBL
        )


# --- the unsigned UBL document ----------------------------------------------------------------


def load_ubl_schema(schema_dir: Path) -> etree.XMLSchema:
    """The official OASIS UBL 2.1 Invoice schema from ``schema_dir`` (read in place)."""
    __tracebackhide__ = True
    main = schema_dir / MAIN_SCHEMA
    if not main.is_file():
        fail(
            "the OASIS UBL 2.1 schemas are available",
            f"{main}",
            "no such file",
            "set [features.efaktura] ubl_schema_dir to the folder holding maindoc/ and common/",
        )
    return etree.XMLSchema(etree.parse(str(main)))


def expect_schema_valid(doc: etree._Element, schema: etree.XMLSchema, what: str) -> None:
    __tracebackhide__ = True
    if schema.validate(doc):
        return
    errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:3]]
    fail(
        f"{what} validates against the OASIS UBL 2.1 Invoice schema",
        "no schema errors",
        "; ".join(errors),
        remedies.EFAKTURA_UBL,
    )


def _text(doc: etree._Element, path: str) -> str | None:
    found = doc.find(path, NS)
    return None if found is None or found.text is None else found.text.strip()


def expect_ubl_content(doc: etree._Element, facts: InvoiceFacts) -> None:
    """Root namespace, ``cbc:ID``, type code 380, currency and totals equal the invoice's."""
    __tracebackhide__ = True
    root = etree.QName(doc)
    if (root.namespace, root.localname) != (UBL_INVOICE, "Invoice"):
        fail(
            "the UBL export is a UBL 2.1 Invoice",
            f"{{{UBL_INVOICE}}}Invoice",
            f"{{{root.namespace}}}{root.localname}",
            remedies.EFAKTURA_UBL,
        )
    expected: list[tuple[str, str, object]] = [
        ("cbc:ID equals the invoice number", "cbc:ID", facts.number),
        ("cbc:InvoiceTypeCode is 380 (commercial invoice)", "cbc:InvoiceTypeCode", "380"),
        (
            "cbc:DocumentCurrencyCode is the invoice currency",
            "cbc:DocumentCurrencyCode",
            facts.currency,
        ),
    ]
    for claim, path, want in expected:
        seen = _text(doc, path)
        if seen != want:
            fail(f"UBL {claim}", want, seen, remedies.EFAKTURA_UBL)
    ubl_totals.expect_totals(doc, facts)


# --- the signed document ----------------------------------------------------------------------


def expect_signed_filename(response: httpx.Response) -> None:
    """Facturino names the file ``-ubl-signed.xml`` only when it really signed (§6.1)."""
    __tracebackhide__ = True
    name = exported_filename(response)
    if not name.endswith("-ubl-signed.xml"):
        fail(
            "the signed export is named *-ubl-signed.xml (the server signed it)",
            "filename ending -ubl-signed.xml",
            name or "(no filename)",
            remedies.EFAKTURA_SIGNER_MISSING,
        )


def signature_element(doc: etree._Element) -> etree._Element:
    __tracebackhide__ = True
    signatures = doc.findall(".//ds:Signature", NS)
    if len(signatures) != 1:
        fail(
            "the signed export carries exactly one ds:Signature",
            "1 ds:Signature element",
            f"{len(signatures)}",
            remedies.EFAKTURA_SIGNER_MISSING if not signatures else remedies.EFAKTURA_SIGNATURE,
        )
    return signatures[0]


def expect_signature_algorithms(signature: etree._Element) -> None:
    """Exactly: exclusive C14N, RSA-SHA256, one whole-document reference with the enveloped
    transform (optionally followed by exclusive C14N), SHA-256 digest, an X509Certificate."""
    __tracebackhide__ = True
    seen = {
        name: [e.get("Algorithm") for e in signature.iter(f"{{{DS}}}{name}")]
        for name in EXPECTED_ALGORITHMS
    }
    for name, want in EXPECTED_ALGORITHMS.items():
        if seen[name] != [want]:
            fail(
                f"the signature's {name} is {ALGORITHM_NAMES[name]}",
                want,
                ", ".join(str(a) for a in seen[name]) or "(none)",
                remedies.EFAKTURA_SIGNATURE,
            )
    references = signature.findall("ds:SignedInfo/ds:Reference", NS)
    uris = [r.get("URI") for r in references]
    if uris != [""]:
        fail(
            'the signature has one Reference to the whole document (URI="")',
            '[""]',
            repr(uris),
            remedies.EFAKTURA_SIGNATURE,
        )
    transforms = [t.get("Algorithm") for t in references[0].iter(f"{{{DS}}}Transform")]
    if transforms not in ([ENVELOPED], [ENVELOPED, EXC_C14N]):
        fail(
            "the signature is enveloped (enveloped-signature transform)",
            f"[{ENVELOPED}] (optionally then {EXC_C14N})",
            repr(transforms),
            remedies.EFAKTURA_SIGNATURE,
        )
    if signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS) is None:
        fail(
            "the signature embeds its X509Certificate",
            "KeyInfo/X509Data/X509Certificate",
            "absent",
            remedies.EFAKTURA_SIGNATURE,
        )


def embedded_certificate(signature: etree._Element) -> x509.Certificate:
    __tracebackhide__ = True
    node = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    text = "" if node is None or node.text is None else "".join(node.text.split())
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text))
    except ValueError as error:
        fail(
            "the embedded X509Certificate is a certificate",
            "base64 DER",
            str(error),
            remedies.EFAKTURA_SIGNATURE,
        )


def expect_certificate_chains_to(cert: x509.Certificate, anchors: list[x509.Certificate]) -> None:
    """The signer certificate is the anchor itself or directly issued by it."""
    __tracebackhide__ = True
    for anchor in anchors:
        if cert == anchor:
            return
        try:
            cert.verify_directly_issued_by(anchor)
            return
        except (ValueError, TypeError, CertificateSignatureInvalid):  # not issued by it
            continue
    fail(
        "the signer certificate chains to the configured trust anchor",
        "issued by " + "; ".join(a.subject.rfc4514_string() for a in anchors),
        f"{cert.subject.rfc4514_string()} issued by {cert.issuer.rfc4514_string()}",
        remedies.EFAKTURA_CERTIFICATE,
    )


def expect_certificate_lifetime(cert: x509.Certificate, min_days: int, now: dt.datetime) -> None:
    __tracebackhide__ = True
    if now < cert.not_valid_before_utc:
        fail(
            "the signer certificate is already valid",
            f"not before {cert.not_valid_before_utc:%Y-%m-%d}",
            f"now {now:%Y-%m-%d}",
            remedies.EFAKTURA_CERTIFICATE,
        )
    left = (cert.not_valid_after_utc - now).total_seconds() / 86400
    if left < min_days:
        fail(
            f"the signer certificate is valid for at least {min_days} more days",
            f">= {min_days} days",
            f"{left:.1f} days (expires {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC)",
            remedies.EFAKTURA_CERTIFICATE,
        )


def _signxml_error(content: bytes, anchor_pem: Path) -> str | None:
    """Why signxml refuses the signature (restricted to RSA-SHA256/SHA-256, chained to the
    anchor); None when it verifies."""
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidInput, InvalidSignature
    from signxml.verifier import SignatureConfiguration, XMLVerifier

    config = SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        XMLVerifier().verify(content, ca_pem_file=str(anchor_pem), expect_config=config)
    except (InvalidSignature, InvalidInput) as error:
        return f"{type(error).__name__}: {shorten(str(error))}"
    return None


def without_indentation(content: bytes) -> bytes:
    """The document without the whitespace-only text between its elements: what a signer that
    loads with ``preserveWhiteSpace = false`` digests. (Unparseable content comes back as it is.)"""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return content
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# Facturino at d5d901d7 (Modules/Mk/Services/MkXmlSigner.php:46-47,87): the signer loads the
# document without its whitespace, signs it, then saves it with formatOutput = true. The
# indentation is added after the digest, so the bytes sent never verify.
REINDENTED = (
    "the document was re-indented after signing: the same bytes without their indentation "
    "verify, the bytes sent do not"
)
REINDENTED_REMEDY = (
    "a defect of the application's code (Facturino at d5d901d7), not of this deployment or its "
    "key: MkXmlSigner sets formatOutput = true and serializes with saveXML() after the signature "
    "was computed (Modules/Mk/Services/MkXmlSigner.php:46-47,87), so every signed e-invoice "
    "fails verification at the receiver. Fix: formatOutput = false (or indent before signing) "
    "and release again"
)


def expect_signature_verifies(content: bytes, anchor_pem: Path) -> None:
    """signxml over the exact bytes, restricted to RSA-SHA256/SHA-256, chained to the anchor.
    When only the indentation breaks it, the failure says so (the app's known defect)."""
    __tracebackhide__ = True
    error = _signxml_error(content, anchor_pem)
    if error is None:
        return
    reindented = _signxml_error(without_indentation(content), anchor_pem) is None
    fail(
        "the XML signature verifies over the exact bytes returned (signxml)",
        "a valid enveloped RSA-SHA256 signature by a certificate under the trust anchor",
        f"{error}; {REINDENTED}" if reindented else error,
        REINDENTED_REMEDY if reindented else remedies.EFAKTURA_SIGNATURE,
    )


def expect_xmlsec_verified(
    returncode: int, output: str, verifies_without_indentation: bool = False
) -> None:
    """xmlsec1's verdict on the exact bytes; ``verifies_without_indentation``: its verdict on
    :func:`without_indentation` of them (the app's known re-indentation defect)."""
    __tracebackhide__ = True
    if returncode != 0:
        seen = f"exit code {returncode}: {shorten(output, 240)}"
        fail(
            "xmlsec1 --verify --trusted-pem <anchor> accepts the signed export",
            "exit code 0 (OK)",
            f"{seen}; {REINDENTED}" if verifies_without_indentation else seen,
            REINDENTED_REMEDY if verifies_without_indentation else remedies.EFAKTURA_SIGNATURE,
        )


# --- placement (a known deviation, reported, optionally fatal) --------------------------------


def signature_placement_note(doc: etree._Element, signature: etree._Element) -> str | None:
    """Why the placement is non-standard, or None when it sits in UBLExtensions."""
    parent = signature.getparent()
    if parent is not None and etree.QName(parent).localname == "ExtensionContent":
        return None
    where = (
        "the last child of <Invoice>"
        if parent is doc and doc[-1] is signature
        else (f"inside <{etree.QName(parent).localname if parent is not None else '?'}>")
    )
    return (
        f"ds:Signature is {where}, not in ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent"
        " as UBL 2.1 prescribes: the signed document does not validate against the UBL schema"
    )


def expect_standard_placement(note: str) -> None:
    """The placement, where the environment counts it (``signature_placement = "fail"``)."""
    __tracebackhide__ = True
    fail(
        "ds:Signature sits in ext:UBLExtensions (UBL 2.1 placement)",
        "UBLExtensions/UBLExtension/ExtensionContent/ds:Signature",
        note,
        "Facturino's MkXmlSigner appends the signature to <Invoice>: receivers that validate the "
        "signed document against UBL 2.1 reject it; move it into UBLExtensions",
    )


def unsigned_copy(doc: etree._Element) -> etree._Element:
    """The document without its ds:Signature (for schema validation of the signed export)."""
    copy: Any = etree.fromstring(etree.tostring(doc))
    for signature in copy.findall(".//ds:Signature", NS):
        signature.getparent().remove(signature)
    return copy


def load_anchors(path: Path) -> list[x509.Certificate]:
    __tracebackhide__ = True
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as error:
        fail(
            "the e-Faktura trust anchor is readable",
            f"PEM certificate(s) in {path}",
            str(error),
            "set [features.efaktura] trust_anchor to the CA the signing certificate chains to",
        )
