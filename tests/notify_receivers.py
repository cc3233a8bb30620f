"""Local receivers for the notification tests, on loopback: an HTTP server standing in for a
Slack incoming webhook, an SMTP server (aiosmtpd) with a login, and receivers that hang or
refuse."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

LOOPBACK = "127.0.0.1"


@dataclass
class Webhook:
    """What the HTTP receiver was sent; ``status``/``hang_seconds`` say how it answers."""

    url: str = ""
    status: int = 200
    hang_seconds: float = 0.0
    posts: list[tuple[str, bytes]] = field(default_factory=list)  # (path, body)


def _handler(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.posts.append((self.path, body))
            time.sleep(hook.hang_seconds)
            answer = b"ok" if hook.status == 200 else b"no_service"
            # A hanging receiver answers after the client gave up (and its test ended): the
            # broken pipe is expected, and a traceback on stderr would land in another test.
            with contextlib.suppress(OSError):
                self.send_response(hook.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    """Prints nothing for a client that left: the tests hang up on purpose."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def webhook(path: str = "/services/T0/B0/hook") -> Iterator[Webhook]:
    """An incoming-webhook stand-in on a free loopback port."""
    hook = Webhook()
    server = QuietServer((LOOPBACK, 0), _handler(hook))
    server.daemon_threads = True
    hook.url = f"http://{LOOPBACK}:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    """What the SMTP receiver was sent, and the logins it accepted."""

    port: int = 0
    messages: list[Envelope] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth: Any
    ) -> AuthResult:
        assert isinstance(auth, LoginPassword)
        self.logins.append((auth.login.decode(), auth.password.decode()))
        return AuthResult(success=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """An SMTP server on loopback that accepts a login without TLS (it never leaves the
    machine) and keeps every message."""
    box = Mailbox(port=free_port())
    controller = Controller(
        box,
        hostname=LOOPBACK,
        port=box.port,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (an SMTP server or webhook that
    hangs after the TCP handshake)."""
    listener = socket.socket()
    listener.bind((LOOPBACK, 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            connection.close()
        listener.close()
