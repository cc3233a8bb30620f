"""The web server process: uvicorn with real TLS on the HTTPS port, plain HTTP beside it.

`python -m facturino_reference.server --home DIR`; the mode comes from state.json:
"serve" runs the app, "hung" only accepts TCP connections and never answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
from collections.abc import Generator
from pathlib import Path
from typing import Any

import uvicorn

from facturino_reference import tlsfront
from facturino_reference.appenv import AppConfig
from facturino_reference.paths import HomeLayout
from facturino_reference.state import State
from facturino_reference.web.app import build_app
from facturino_reference.web.nginx import https_redirect

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "out": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["out"], "level": "INFO"},
        "uvicorn.access": {"handlers": ["out"], "level": "INFO", "propagate": False},
    },
}


class _Server(uvicorn.Server):
    """Two servers share one process, so signals are handled once, by `serve()` below."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _configs(config: AppConfig) -> list[uvicorn.Config]:
    layout = config.layout
    app = build_app(config)
    https_port, http_port = config.int("HTTPS_PORT"), config.int("HTTP_PORT")
    plain_app = app if not config.flag("HTTP_REDIRECT_HTTPS") else https_redirect(https_port)
    common: dict[str, Any] = {
        "host": "127.0.0.1",
        "log_config": LOG_CONFIG,
        "server_header": False,
        # an idle TLS keep-alive peer holds a graceful shutdown open
        "timeout_graceful_shutdown": 0.3,
        "proxy_headers": False,
    }
    # The `slow_tls` fault puts a slow terminator on the HTTPS port; uvicorn then listens behind it.
    https_bind: dict[str, Any] = (
        {"uds": str(tlsfront.backend_socket(config))}
        if tlsfront.handshake_delay(config)
        else {"port": https_port}
    )
    return [
        uvicorn.Config(
            app,
            **https_bind,
            ssl_certfile=str(layout.server_pem),
            ssl_keyfile=str(layout.server_key),
            lifespan="on",
            **common,
        ),
        uvicorn.Config(plain_app, port=http_port, lifespan="off", **common),
    ]


async def serve(config: AppConfig) -> None:
    servers = [_Server(cfg) for cfg in _configs(config)]
    relay_stop = asyncio.Event()

    def stop() -> None:
        relay_stop.set()
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    tasks = [server.serve() for server in servers]
    if delay := tlsfront.handshake_delay(config):
        port, backend = config.int("HTTPS_PORT"), tlsfront.backend_socket(config)
        tasks.append(tlsfront.relay(port, backend, delay, relay_stop))
    await asyncio.gather(*tasks)


async def hang(ports: list[int]) -> None:
    """Accept connections and hold them open without reading or answering."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # keep a reference so the socket is never closed

    listeners = []
    for port in ports:
        listeners.append(
            await asyncio.start_server(
                hold, "127.0.0.1", port, family=socket.AF_INET, reuse_address=True
            )
        )
    print(f"hung mode: accepting and holding connections on {ports}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for listener in listeners:
        listener.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="facturino_reference.server")
    parser.add_argument("--home", required=True, type=Path)
    args = parser.parse_args(argv)
    config = AppConfig.load(args.home)
    state = State.load(HomeLayout(args.home).state_file)
    if state is not None and state.web_mode == "hung":
        asyncio.run(hang([config.int("HTTPS_PORT"), config.int("HTTP_PORT")]))
    else:
        asyncio.run(serve(config))


if __name__ == "__main__":
    main()
