"""One request on a fresh connection, timed phase by phase like `curl -w @curl-format.txt`.

A plain socket, so every phase is measured where it happens: name lookup, TCP connect, TLS
handshake, request written, first byte of the answer, last byte. httpx hides the name lookup
inside its connect and reuses connections, which is right for the budget and wrong here.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ConnectionRefused, DnsFailure, ProtocolFailure, TimedOut, TlsFailure
from .http import USER_AGENT, tls_context


@dataclass(frozen=True)
class Timing:
    """Durations in milliseconds. `dns + connect + tls` is the connection's set-up,
    `server` the wait from sending the request to the first byte of the answer (the app's
    time plus one round trip), `transfer` the rest of the body."""

    dns: float
    connect: float
    tls: float
    server: float
    transfer: float
    status: int

    @property
    def setup(self) -> float:
        return self.dns + self.connect + self.tls

    @property
    def ttfb(self) -> float:
        """curl's time_starttransfer: from the start to the first byte."""
        return self.setup + self.server

    @property
    def total(self) -> float:
        return self.ttfb + self.transfer

    def as_dict(self) -> dict[str, float]:
        data: dict[str, float] = {k: round(v, 3) for k, v in asdict(self).items()}
        data.update(
            setup=round(self.setup, 3), ttfb=round(self.ttfb, 3), total=round(self.total, 3)
        )
        return data


def _request_bytes(host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", f"User-Agent: {USER_AGENT}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def timed_get(
    url: str,
    headers: dict[str, str] | None = None,
    *,
    ca_file: Path | None = None,
    verify: bool = True,
    timeout: float = 10.0,
) -> Timing:
    """GET ``url`` on a new connection (``Connection: close``) and time each phase."""
    parts = urlsplit(url)
    host, https = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = _request_bytes(host, port, path, headers or {})
    context = tls_context(ca_file, verify) if https else None
    what = f"GET {url} (fresh connection)"
    try:
        return _exchange(host, port, request, context, timeout)
    except socket.gaierror as error:
        raise DnsFailure(what, str(error), "check the host name in [target] url") from None
    except ssl.SSLError as error:
        raise TlsFailure(what, str(error), "is the certificate valid and trusted?") from None
    except TimeoutError:
        raise TimedOut(what, "no answer within the timeout") from None
    except ConnectionRefusedError as error:
        raise ConnectionRefused(what, str(error), "is the app listening?") from None
    except (OSError, IndexError, ValueError) as error:
        raise ProtocolFailure(what, str(error) or type(error).__name__) from None


def _exchange(
    host: str, port: int, request: bytes, context: ssl.SSLContext | None, timeout: float
) -> Timing:
    clock = time.perf_counter
    start = clock()
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    resolved = clock()
    with socket.socket(family, kind, proto) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        connected = clock()
        stream = context.wrap_socket(sock, server_hostname=host) if context else sock
        handshaken = clock()
        stream.sendall(request)
        head = stream.recv(65536)
        first = clock()
        while stream.recv(65536):
            pass
        done = clock()
    ms = 1000.0
    return Timing(
        dns=(resolved - start) * ms,
        connect=(connected - resolved) * ms,
        tls=(handshaken - connected) * ms,
        server=(first - handshaken) * ms,
        transfer=(done - first) * ms,
        status=int(head.split(b"\r\n", 1)[0].split()[1]),
    )
