"""Enveloped XMLDSig for UBL invoices (Modules/Mk/Services/MkXmlSigner.php, contract 6.2).

One `ds:Signature` appended as the last child of `<Invoice>`: exclusive C14N, RSA-SHA256,
one Reference with URI "" and the enveloped-signature transform, SHA-256 digest,
KeyInfo/X509Data/X509Certificate.

Like MkXmlSigner (`preserveWhiteSpace = false`), the document is loaded without its
indentation and signed as such. `MK_XML_FORMAT_OUTPUT` says how it is saved: `none` (fixed)
as it was signed, so the signature covers exactly the bytes returned; `after_signing` (the
app at d5d901d7, MkXmlSigner.php:46-47,87: `formatOutput = true`, then `saveXML()` after the
signature was computed) re-indented, so the bytes returned no longer match the digest
(xmlsec1: "data and digest do not match"; signxml: InvalidDigest).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from facturino_reference.ubl import XML_DECLARATION

SIGNATURE_METHODS = {
    "rsa-sha256": SignatureMethod.RSA_SHA256,
    "rsa-sha1": SignatureMethod.RSA_SHA1,
}
DIGEST_METHODS = {"sha256": DigestAlgorithm.SHA256, "sha1": DigestAlgorithm.SHA1}


class SignerNotConfigured(Exception):
    """MK_XML_PRIVATE_KEY_PATH does not name a readable key: the export stays unsigned."""


class _Signer(XMLSigner):
    """xmlseclibs signs with whatever algorithm it is configured for, SHA-1 included."""

    def check_deprecated_methods(self) -> None:
        return None


@dataclass(frozen=True)
class SignerConfig:
    key_path: Path
    cert_path: Path
    passphrase: str
    signature_method: str = "rsa-sha256"
    digest_method: str = "sha256"
    format_output: str = "none"  # or "after_signing"


def sign(document: bytes, config: SignerConfig) -> bytes:
    """The signed document's bytes; raises SignerNotConfigured when there is no key."""
    try:
        key = config.key_path.read_bytes()
    except OSError as exc:
        raise SignerNotConfigured(f"private key not found: {config.key_path}") from exc
    try:
        cert: str | None = config.cert_path.read_text()
    except OSError:
        cert = None  # KeyInfo/X509Data only when the certificate file exists
    signer = _Signer(
        signature_algorithm=SIGNATURE_METHODS[config.signature_method],
        digest_algorithm=DIGEST_METHODS[config.digest_method],
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    root = etree.fromstring(document, etree.XMLParser(remove_blank_text=True))
    signed = signer.sign(
        root,
        key=key,
        passphrase=config.passphrase.encode() or None,
        cert=cert,
    )
    pretty = config.format_output == "after_signing"
    if pretty:
        _as_xmlseclibs_template(signed[-1])
    body: bytes = etree.tostring(signed, encoding="UTF-8", pretty_print=pretty)
    return XML_DECLARATION + body


def _as_xmlseclibs_template(signature: etree._Element) -> None:
    """xmlseclibs builds ds:Signature from an indented template (whitespace text nodes), and
    libxml2's formatOutput leaves any element with a text child unformatted: its SignedInfo
    (and so the SignatureValue) survive the re-indentation, only the signed content changes
    (InvalidDigest, "data and digest do not match"). The same whitespace here (outside
    SignedInfo, so nothing signed changes) makes lxml's pretty-printer do the same."""
    signature.text = "\n"
