"""A slow TLS terminator in front of the app (the `slow_tls` fault, `TLS_HANDSHAKE_DELAY_MS`).

The HTTPS port is then served by a small TCP relay: it accepts the connection at once (TCP
connect stays fast), holds the client's first bytes, the ClientHello, for the delay, and only
then passes the stream to uvicorn, which terminates TLS on a Unix socket behind it. Every new
connection's handshake is slow by the delay; requests on an open connection are not, which is
what an overloaded or far-away terminator looks like from a client.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from facturino_reference.appenv import AppConfig

CONNECT_RETRY_SECONDS = 5.0  # uvicorn may still be binding its socket when the first client comes


def handshake_delay(config: AppConfig) -> float:
    """Seconds each TLS handshake is held back (0: no relay, uvicorn serves the port)."""
    return int(config.get("TLS_HANDSHAKE_DELAY_MS", "0") or 0) / 1000


def backend_socket(config: AppConfig) -> Path:
    return config.layout.root / "tls-backend.sock"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _open_backend(path: Path) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    deadline = asyncio.get_running_loop().time() + CONNECT_RETRY_SECONDS
    while True:
        try:
            return await asyncio.open_unix_connection(str(path))
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.02)


async def relay(port: int, backend: Path, delay: float, stop: asyncio.Event) -> None:
    """Serve `port` until `stop` is set: hold each ClientHello `delay` s, then relay."""

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            hello = await client_r.read(65536)  # the ClientHello (one TLS record)
            if not hello:  # a bare TCP probe (port check): nothing to relay
                client_w.close()
                return
            await asyncio.sleep(delay)
            backend_r, backend_w = await _open_backend(backend)
        except OSError:
            client_w.close()
            return
        backend_w.write(hello)
        await asyncio.gather(_pipe(client_r, backend_w), _pipe(backend_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)
    print(f"slow TLS terminator on {port}: handshakes held {delay * 1000:.0f} ms", flush=True)
    async with server:
        await stop.wait()
