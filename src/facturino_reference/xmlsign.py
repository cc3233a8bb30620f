"""Enveloped XMLDSig for UBL invoices (Modules/Mk/Services/MkXmlSigner.php, contract 6.2).

One `ds:Signature` appended as the last child of `<Invoice>`: exclusive C14N, RSA-SHA256,
one Reference with URI "" and the enveloped-signature transform, SHA-256 digest,
KeyInfo/X509Data/X509Certificate. The document is pretty-printed *before* signing, so the
signature covers exactly the bytes that are returned.
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
    root = etree.fromstring(document)
    signed = signer.sign(
        root,
        key=key,
        passphrase=config.passphrase.encode() or None,
        cert=cert,
    )
    body: bytes = etree.tostring(signed, encoding="UTF-8")
    return XML_DECLARATION + body
