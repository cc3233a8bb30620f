"""Certificates made at `up`: a local CA, the HTTPS server certificate, the XML signer."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from facturino_reference.paths import HomeLayout

# EC keys: generating RSA keys would cost most of `up`'s time budget; any TLS client copes.
_CURVE = ec.SECP256R1()
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


# The local CA's organization: the issuer O= environment.toml expects ([expect.tls]).
ORGANIZATION = "Facturino reference deployment"
# The `unexpected_issuer` fault's CA: another organization, still trusted (it is ca.pem).
OTHER_ORGANIZATION = "Unexpected Issuer Ltd"


def _name(common_name: str, organization: str = ORGANIZATION) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_key(path: Path, key: PrivateKey) -> None:
    path.write_bytes(_key_pem(key))
    path.chmod(0o600)


def _builder(
    subject: str, issuer: x509.Name, days: int, organization: str = ORGANIZATION
) -> x509.CertificateBuilder:
    # Back-date by an hour so a slightly skewed client clock still accepts it.
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject, organization))
        .issuer_name(issuer)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
    )


def make_ca(
    organization: str = ORGANIZATION,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(_CURVE)
    ca_name = _name("Facturino Reference Local CA", organization)
    cert = (
        _builder("Facturino Reference Local CA", ca_name, 3650, organization)
        .public_key(key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


LOCAL_NAMES: tuple[x509.GeneralName, ...] = (
    x509.DNSName("localhost"),
    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
)


def make_server_cert(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    days: int,
    names: tuple[x509.GeneralName, ...] = LOCAL_NAMES,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(_CURVE)
    san = x509.SubjectAlternativeName(list(names))
    common_name = str(names[0].value)
    cert = (
        _builder(common_name, ca_cert.subject, days)
        .public_key(key.public_key())
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def make_signer_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, days: int = 365
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """RSA certificate for XML signing (MkXmlSigner signs RSA-SHA256), issued by the local CA.

    KeyUsage digitalSignature + nonRepudiation, as a QES-style signing certificate carries;
    verifiers that build the chain to ca.pem (signxml, xmlsec1 --trusted-pem) accept it.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        _builder("Facturino e-Faktura signer (reference)", ca_cert.subject, days)
        .public_key(key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def write_tls(
    layout: HomeLayout,
    server_days: int,
    server_host: str | None = None,
    ca_organization: str = ORGANIZATION,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Write tls/ca.pem, tls/server.pem, tls/server.key: valid `server_days` days, for
    localhost/127.0.0.1, or only for `server_host` when given (a certificate for another
    host name, still signed by the trusted local CA). Returns the CA (its key is kept in
    memory only, for issuing the XML signer's certificate). `ca_organization`: the CA's O=,
    the certificate's issuer organization."""
    layout.tls.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = make_ca(ca_organization)
    names = (x509.DNSName(server_host),) if server_host else LOCAL_NAMES
    key, cert = make_server_cert(ca_key, ca_cert, server_days, names)
    layout.ca_pem.write_bytes(_pem(ca_cert))
    # The chain lets clients that only trust ca.pem build the path without AIA fetching.
    layout.server_pem.write_bytes(_pem(cert) + _pem(ca_cert))
    _write_key(layout.server_key, key)
    return ca_key, ca_cert


def write_signer(
    layout: HomeLayout,
    ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate],
    days: int = 365,
    with_key: bool = True,
) -> None:
    """storage/certificates/certificate.pem and private.key (MK_XML_* defaults).

    `with_key=False`: the certificate is deployed but the private key is not (the key file
    is missing on the server, so MkXmlSigner cannot sign).
    """
    layout.signer_cert.parent.mkdir(parents=True, exist_ok=True)
    key, cert = make_signer_cert(*ca, days=days)
    layout.signer_cert.write_bytes(_pem(cert))
    if with_key:
        _write_key(layout.signer_key, key)


def expires_in_days(pem_path: Path) -> float:
    """Days until the first certificate in `pem_path` expires (negative when expired)."""
    cert = x509.load_pem_x509_certificate(pem_path.read_bytes())
    remaining = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    return remaining.total_seconds() / 86400
