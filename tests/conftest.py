"""The project's own tests: pure units of config/checks/redact, then pytester acceptance runs.

The plugin under test reads the process environment (``FACTURINO_VERIFY__*`` overrides,
``FACTURINO_VERIFY_ENV_DIR``, ``${VAR}`` secrets), so every test starts without those variables.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

# httpx imports httpcore lazily and caches httpcore's exception classes on first use. pytester's
# in-process runs drop the modules they imported, so without this import a second run gets fresh
# httpcore classes and its ConnectError escapes httpx's mapping (a raw traceback, not a check).
import httpcore  # noqa: F401
import httpx
import pytest

pytest_plugins = ["pytester"]

Respond = Callable[..., httpx.Response]
WriteEnv = Callable[..., Path]


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No variable the plugin reads leaks in from the shell running these tests, and each test
    has its own auth ledger and session store (the user's cache is never touched)."""
    for name in list(os.environ):
        if name.startswith(("FACTURINO_VERIFY_", "FACTURINO_TEST_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FACTURINO_VERIFY_CACHE_DIR", str(tmp_path_factory.mktemp("verify-cache")))


@pytest.fixture
def respond() -> Respond:
    """Build an ``httpx.Response`` as a check receives it (with its request attached)."""

    def build(
        status: int = 200,
        *,
        text: str | None = None,
        json: Any = None,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        url: str = "https://facturino.example/up",
        method: str = "GET",
    ) -> httpx.Response:
        body: dict[str, Any] = {"json": json} if json is not None else {"text": text or ""}
        return httpx.Response(status, headers=headers, request=httpx.Request(method, url), **body)

    return build


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def write_env(pytester: pytest.Pytester, closed_port: int) -> WriteEnv:
    """Write ``NAME.toml`` into the pytester directory, targeting a port that refuses
    connections; ``extra`` is appended TOML (more sections)."""

    def write(name: str = "unreachable", extra: str = "") -> Path:
        text = (
            f'[environment]\nname = "{name}"\n\n'
            f'[target]\nurl = "https://127.0.0.1:{closed_port}"\nconnect_timeout = 1.0\n\n' + extra
        )
        path = pytester.path / f"{name}.toml"
        path.write_text(text)
        return path

    return write
