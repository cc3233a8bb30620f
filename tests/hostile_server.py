"""Small hostile targets on loopback, for the trust tests: a deployment that trickles its body,
sends an endless one, hangs after the TLS handshake, loops redirects or answers a 50 MB /health.
Each runs in a daemon thread of the test process and closes with its context manager."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from facturino_reference.tls import make_ca, make_server_cert

Behaviour = Callable[[socket.socket, str], None]


def _headers(status: str, extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nConnection: close\r\n{extra}\r\n".encode()


def trickle(conn: socket.socket, path: str) -> None:
    """A 200 whose 100 kB body comes at one byte a second."""
    conn.sendall(_headers("200 OK", "Content-Length: 100000\r\n"))
    for _ in range(100_000):
        conn.sendall(b".")
        time.sleep(1.0)


def endless(conn: socket.socket, path: str) -> None:
    """A chunked 200 that never ends, as fast as the client reads."""
    conn.sendall(_headers("200 OK", "Transfer-Encoding: chunked\r\n"))
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while True:
        conn.sendall(frame)


def hang(conn: socket.socket, path: str) -> None:
    """Reads the request, then never answers."""
    time.sleep(3600)


def redirect_loop(conn: socket.socket, path: str) -> None:
    conn.sendall(_headers("302 Found", f"Location: {path}\r\nContent-Length: 0\r\n"))


def huge_health(conn: socket.socket, path: str) -> None:
    """/health answers 50 MB of JSON; everything else a small 200."""
    if path.startswith("/health"):
        size = 50 * 1024 * 1024
        conn.sendall(
            _headers("200 OK", f"Content-Length: {size}\r\nContent-Type: application/json\r\n")
        )
        block = b" " * 65536
        for _ in range(size // len(block)):
            conn.sendall(block)
    else:
        conn.sendall(_headers("200 OK", "Content-Length: 2\r\n") + b"ok")


@dataclass
class Hostile:
    url: str
    ca_file: Path | None
    requests: threading.Semaphore  # released once per request received

    def wait_for_requests(self, count: int, timeout: float = 60.0) -> None:
        """Until ``count`` requests arrived (the run is then asking, not starting up)."""
        deadline = time.monotonic() + timeout
        for _ in range(count):
            if not self.requests.acquire(timeout=max(deadline - time.monotonic(), 0)):
                raise TimeoutError(f"fewer than {count} requests within {timeout} s")


@contextmanager
def hostile(behaviour: Behaviour, tmp: Path, tls: bool = False) -> Iterator[Hostile]:
    """Serve ``behaviour`` on a free loopback port (TLS with a CA of its own if asked)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    context, ca_file = _tls(tmp) if tls else (None, None)
    stop = threading.Event()
    requests = threading.Semaphore(0)

    def serve_one(conn: socket.socket) -> None:
        try:
            if context is not None:
                conn = context.wrap_socket(conn, server_side=True)
            request = conn.recv(65536).decode("latin-1")
            path = request.split(" ", 2)[1] if request.count(" ") >= 2 else "/"
            requests.release()
            behaviour(conn, path)
        except (OSError, ssl.SSLError):
            pass  # the client gave up: that is the point
        finally:
            conn.close()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    scheme = "https" if tls else "http"
    try:
        yield Hostile(f"{scheme}://127.0.0.1:{port}", ca_file, requests)
    finally:
        stop.set()
        listener.close()


def _tls(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    ca_key, ca_cert = make_ca()
    key, cert = make_server_cert(ca_key, ca_cert, 30)
    ca_file, cert_file, key_file = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, ca_file
