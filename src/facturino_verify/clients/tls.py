"""TLS probe: the certificate a server presents, whether it verifies, and when it expires."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import ConnectionRefused, DnsFailure, TargetError, TimedOut, TlsFailure
from .http import tls_context


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    not_after: datetime
    verify_error: str | None  # None: chain and host name verified
    issuer: str = ""  # the issuer's distinguished name (RFC 4514)
    issuer_organizations: tuple[str, ...] = ()  # its O= values

    def days_left(self, now: datetime | None = None) -> float:
        return (self.not_after - (now or datetime.now(UTC))).total_seconds() / 86400


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes:
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True) or b""


def fetch_certificate(
    host: str, port: int, ca_file: Path | None, timeout: float
) -> CertificateInfo:
    """Handshake twice if needed: verified first; unverified to still read an invalid cert."""
    what = f"TLS {host}:{port}"
    verify_error: str | None = None
    try:
        der = _guarded(what, lambda: _handshake(host, port, tls_context(ca_file), timeout))
    except TlsFailure as failure:
        verify_error = failure.detail
        der = _guarded(what, lambda: _handshake(host, port, tls_context(None, False), timeout))
    if not der:
        raise TlsFailure(what, "server presented no certificate")
    from cryptography import x509  # in the probe's thread: start-up does not wait for it
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    organizations = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return CertificateInfo(
        cert.subject.rfc4514_string(),
        cert.not_valid_after_utc,
        verify_error,
        cert.issuer.rfc4514_string(),
        tuple(str(o.value) for o in organizations),
    )


def _guarded(what: str, action: Callable[[], bytes]) -> bytes:
    try:
        return action()
    except ssl.SSLCertVerificationError as error:
        raise TlsFailure(what, error.verify_message or str(error)) from None
    except ssl.SSLError as error:
        raise TlsFailure(what, str(error)) from None
    except TimeoutError:
        raise TimedOut(what, "no TLS handshake within the connect timeout") from None
    except socket.gaierror as error:
        raise DnsFailure(what, str(error)) from None
    except ConnectionRefusedError as error:
        raise ConnectionRefused(what, str(error)) from None
    except OSError as error:
        raise TargetError(what, str(error)) from None
