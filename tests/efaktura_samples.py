"""E-Faktura documents and keys made here, to prove the checks accept and refuse the right ones.

A tiny CA, a signer certificate under it, a UBL 2.1 invoice that the OASIS schema accepts, and
enveloped signatures made with signxml (as Facturino's xmlseclibs does: exclusive C14N,
RSA-SHA256, SHA-256) or with xmlsec1 from a template (for algorithms signxml refuses to use).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

NUMBER = "VERIFY-UNIT-0001"
UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>1.0</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2026-11-28</cbc:IssueDate>
  <cbc:DueDate>2026-12-13</cbc:DueDate>
  <cbc:InvoiceTypeCode>{type_code}</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>MKD</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Facturino Verify DOO</cbc:Name>
  </cac:PartyName></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Customer verify-unit</cbc:Name>
  </cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="MKD">0.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="MKD">18519.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="MKD">18519.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="MKD">18519.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="MKD">{payable}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity>3</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="MKD">18519.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Item verify-unit</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="MKD">6173.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


def ubl(number: str = NUMBER, type_code: str = "380", payable: str = "18519.00") -> bytes:
    return UBL.format(number=number, type_code=type_code, payable=payable).encode()


def upstream_ubl() -> bytes:
    """The same invoice as Facturino's MkUblMapper at d5d901d7 writes it (num-num/ubl-invoice
    1.21.2): integer cents printed as money, every currencyID EUR (Generator::invoice()'s
    default), no TaxTotal for an invoice without taxes, Allowance/ChargeTotalAmount 0.00."""
    document = (
        ubl()
        .replace(b"18519.00", b"1851900.00")
        .replace(b"6173.00", b"617300.00")
        .replace(b'currencyID="MKD"', b'currencyID="EUR"')
        .replace(
            b'<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount></cac:TaxTotal>',
            b"",
        )
    )
    charges = (
        b'<cbc:AllowanceTotalAmount currencyID="EUR">0.00</cbc:AllowanceTotalAmount>'
        b'<cbc:ChargeTotalAmount currencyID="EUR">0.00</cbc:ChargeTotalAmount>'
    )
    return document.replace(b"    <cbc:PayableAmount", charges + b"<cbc:PayableAmount")


@dataclass(frozen=True)
class Pki:
    ca: x509.Certificate
    ca_pem: Path
    signer: x509.Certificate
    key: rsa.RSAPrivateKey
    key_pem: Path
    cert_pem: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path, signer_days: int = 365) -> Pki:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Unit Test CA"))
        .issuer_name(_name("Unit Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Facturino e-Faktura signer (unit)"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=signer_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem, key_pem, cert_pem = folder / "ca.pem", folder / "signer.key", folder / "signer.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(signer.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Pki(ca, ca_pem, signer, key, key_pem, cert_pem)


def sign(document: bytes, pki: Pki, *, in_extensions: bool = False) -> bytes:
    """Enveloped exc-C14N / RSA-SHA256 / SHA-256 signature appended as the root's last child,
    as Facturino's MkXmlSigner does (or inside UBLExtensions, as UBL prescribes)."""
    from signxml import XMLSigner

    if in_extensions:
        ext = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
        holder = (
            f'<ext:UBLExtensions xmlns:ext="{ext}"><ext:UBLExtension><ext:ExtensionContent>'
            '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>'
            "</ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>"
        )
        document = document.replace(b"<cbc:UBLVersionID>", holder.encode() + b"<cbc:UBLVersionID>")
    root = etree.fromstring(document)
    signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signed = signer.sign(root, key=pki.key, cert=[pki.signer], always_add_key_value=False)
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def sign_then_reindent(document: bytes, pki: Pki) -> bytes:
    """As MkXmlSigner at d5d901d7 signs: the document loaded without its whitespace
    (preserveWhiteSpace = false), signed, then saved with formatOutput = true. libxml2 leaves
    ds:Signature as xmlseclibs's indented template made it (a whitespace text child turns its
    formatting off), so only the signed content gets the new indentation."""
    from signxml import XMLSigner

    root = etree.fromstring(document, etree.XMLParser(remove_blank_text=True))
    signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signed = signer.sign(root, key=pki.key, cert=[pki.signer], always_add_key_value=False)
    signed[-1].text = "\n"
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


TEMPLATE_SIGNATURE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="{signature}"/>
<ds:Reference URI="">
<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
</ds:Transforms>
<ds:DigestMethod Algorithm="{digest}"/><ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
</ds:Signature>"""
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"


def sign_with_xmlsec1(
    document: bytes, pki: Pki, folder: Path, signature: str, digest: str
) -> bytes:
    """Any algorithm, via an xmlsec1 template (signxml refuses SHA-1 by design)."""
    text = document.decode()
    template = TEMPLATE_SIGNATURE.format(signature=signature, digest=digest)
    text = text.replace("</Invoice>", template + "\n</Invoice>")
    source, output = folder / "template.xml", folder / "signed-template.xml"
    source.write_text(text)
    subprocess.run(
        [
            "xmlsec1",
            "--sign",
            "--privkey-pem",
            f"{pki.key_pem},{pki.cert_pem}",
            "--output",
            str(output),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return output.read_bytes()
