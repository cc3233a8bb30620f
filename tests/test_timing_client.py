"""The curl-like timing client: phases on a fresh connection, errors named as the rest of the
clients name them (the TLS path runs in the perf fault matrix against real TLS)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from facturino_verify.clients.errors import ConnectionRefused, DnsFailure
from facturino_verify.clients.timing import timed_get


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        seen = self.headers.get("Cookie", "")
        body = f"cookie={seen}".encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def test_a_fresh_request_is_timed_phase_by_phase(server: int) -> None:
    timing = timed_get(f"http://127.0.0.1:{server}/x?y=1", {"Cookie": "a=b"})
    assert timing.status == 201
    assert timing.tls == pytest.approx(0.0, abs=0.5)  # plain HTTP: no handshake to speak of
    assert min(timing.dns, timing.connect, timing.server, timing.transfer) >= 0
    assert timing.total == pytest.approx(timing.setup + timing.server + timing.transfer)


def test_refused_and_unknown_hosts_are_named(closed_port: int) -> None:
    with pytest.raises(ConnectionRefused):
        timed_get(f"http://127.0.0.1:{closed_port}/")
    with pytest.raises(DnsFailure):
        timed_get("http://facturino-verify.invalid/")
