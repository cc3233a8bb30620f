"""Chromium for the ``browser`` tests: which binary, how it trusts the deployment, logged-in
contexts without spending logins, and no secret left in a kept trace.

The pytest-playwright fixtures stay the layering (``browser`` → ``new_context`` → ``page``); the
features' conftest overrides its session fixtures ``browser_type_launch_args`` and
``browser_context_args`` with :func:`launch_args` and :func:`context_args`. A misconfigured
browser raises :class:`ConfigError`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import ssl
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..checks.spa import LOGIN_FORM
from ..clients import chromium
from ..clients.sanctum import SanctumSession
from ..config import ConfigError, Environment
from ..config.features import CHROMIUM_CANDIDATES


def chromium_executable(
    env: Environment,
    which: Callable[[str], str | None] = shutil.which,
    candidates: tuple[str, ...] = CHROMIUM_CANDIDATES,
) -> str:
    """``[browser] executable_path`` (a path or a name on PATH), else the first Debian Chromium
    found, else Playwright's own (runners without Debian's package: Ubuntu ships Chromium only
    as a snap); a clear usage error when none exists."""
    configured = env.browser.executable_path
    if configured is not None:
        path = configured if configured.is_absolute() else Path(which(str(configured)) or "")
        if path.is_file():
            return str(path)
        raise ConfigError(
            f"{configured} does not exist",
            "[browser] executable_path",
            "install Debian's chromium, or point it at a Chromium binary",
        )
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    own = playwright_chromium()
    if own is not None:
        return own
    raise ConfigError(
        "no Chromium found for the browser checks: install Debian's (apt-get install chromium) "
        "or Playwright's own (python -m playwright install --with-deps chromium), or set "
        f"[browser] executable_path; looked at {', '.join(candidates)} and {playwright_browsers()}"
    )


# Its full browser before its headless shell, under `playwright install`'s folder.
PLAYWRIGHT_CHROMIUM = (
    "chromium-*/chrome-linux*/chrome",
    "chromium_headless_shell-*/*/headless_shell",
)


def playwright_browsers() -> Path:
    """Where ``playwright install`` puts its browsers (PLAYWRIGHT_BROWSERS_PATH, "0": inside
    the package)."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH", "")
    if configured == "0":
        import playwright

        return Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"
    return Path(configured) if configured else Path.home() / ".cache" / "ms-playwright"


def playwright_chromium(browsers: Path | None = None) -> str | None:
    """The newest Chromium ``playwright install chromium`` left, its full browser before its
    headless shell."""
    root = browsers or playwright_browsers()
    for pattern in PLAYWRIGHT_CHROMIUM:
        found = [path for path in root.glob(pattern) if path.is_file()]
        if found:
            return str(max(found, key=_revision))
    return None


def _revision(binary: Path) -> int:
    """``chromium-1187/chrome-linux/chrome`` → 1187."""
    tail = binary.parent.parent.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def spki_hash(cert: x509.Certificate) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)), Chromium's pin format."""
    der = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def verified_server_certificate(env: Environment) -> x509.Certificate:
    """The certificate the target presents, after Python verified it against [target]'s CA."""
    t = env.target
    context = ssl.create_default_context(cafile=str(t.ca_file) if t.ca_file else None)
    with (
        socket.create_connection((t.host, t.port), timeout=t.connect_timeout) as raw,
        context.wrap_socket(raw, server_hostname=t.host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    if der is None:
        raise ssl.SSLError("the server presented no certificate")
    return x509.load_der_x509_certificate(der)


def tls_pins(env: Environment) -> list[str]:
    """SPKI pins making Chromium trust exactly what [target] trusts.

    Chromium on Linux does not read a CA file; ``--ignore-certificate-errors-spki-list``
    ignores *every* certificate error (host name, expiry) of a chain holding a pinned key. So
    the only pin is the server certificate's key, taken *after* Python verified that
    certificate against [target]'s CA, host name and validity included: the browser trusts
    nothing the HTTP checks would refuse. (Pinning the CA's key would make it accept a
    certificate for another host, or an expired one, that the CA signed.) With no
    ``ca_file`` the system trust applies and nothing is pinned. A server that is unreachable
    or fails the verification is left unpinned: the browser then fails with that error too.
    """
    t = env.target
    if t.ca_file is None or not t.verify_tls or env.browser.tls != "pin":
        return []
    try:
        return [spki_hash(verified_server_certificate(env))]
    except (OSError, ssl.SSLError, ValueError):
        return []


def launch_args(env: Environment, base: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments plus the configured Chromium and the TLS pins."""
    args = dict(base)
    args["executable_path"] = chromium_executable(env)
    args["headless"] = env.browser.headless and base.get("headless", True)
    pins = tls_pins(env)
    if pins:
        args["args"] = [
            *base.get("args", []),
            f"--ignore-certificate-errors-spki-list={','.join(pins)}",
        ]
    return args


def context_args(env: Environment, base: dict[str, Any]) -> dict[str, Any]:
    """Every context starts at the target, with service workers blocked (the SPA registers one
    that answers /api/* from its cache when the network fails: a test must see the server's
    answer); certificate errors are ignored only where the environment does not verify TLS."""
    args = {**base, "base_url": env.target.url, "service_workers": "block"}
    if env.browser.tls == "ignore" or not env.target.verify_tls:
        args["ignore_https_errors"] = True
    return args


def render_login_page(env: Environment) -> chromium.RenderedPage:
    """``[target] login_path`` as Chromium shows it to a visitor, launched and trusting the
    target exactly as the features' browser does; no pytest-playwright fixture is involved, so
    it can run in a probe thread of the smoke gate."""
    t = env.target
    url = t.url.rstrip("/") + "/" + t.login_path.lstrip("/")
    selectors = tuple(LOGIN_FORM.values())
    started = time.monotonic()
    why = chromium.unreachable(t.host, t.port, t.url.startswith("https"), t.connect_timeout)
    if why is not None:
        seen = chromium.RenderedPage(url, url, dict.fromkeys(selectors, False))
        seen.error, seen.seconds = f"{why}; Chromium was not started", time.monotonic() - started
        return seen
    try:
        launch = launch_args(env, {"headless": True})
    except ConfigError as error:
        raise chromium.BrowserUnavailable("Chromium", str(error)) from None
    return chromium.render(url, selectors, launch, context_args(env, {}), env.browser.timeout_ms)


def session_cookies(session: SanctumSession, base_url: str) -> list[dict[str, Any]]:
    """The shared session's cookies in Playwright's form, so a browser context is logged in
    without another login (the app allows 5 auth calls per minute)."""
    cookies = []
    for cookie in session.signed_in().cookies.jar:
        same_site = cookie.get_nonstandard_attr("SameSite") or cookie.get_nonstandard_attr(
            "samesite"
        )
        entry: dict[str, Any] = {
            "name": cookie.name,
            "value": cookie.value or "",
            "url": base_url,
            "secure": bool(cookie.secure),
            "httpOnly": cookie.has_nonstandard_attr("HttpOnly")
            or cookie.has_nonstandard_attr("httponly"),
        }
        if isinstance(same_site, str) and same_site.capitalize() in ("Lax", "Strict", "None"):
            entry["sameSite"] = same_site.capitalize()
        cookies.append(entry)
    return cookies


def scrub_archive(path: Path, secrets: list[str]) -> bool:
    """Rewrite a kept trace (a zip) without any secret: raw, JSON-escaped and URL-encoded forms
    are masked in every entry. True when something was masked."""
    forms: set[bytes] = set()
    for secret in (s for s in secrets if s):
        forms |= {
            secret.encode(),
            json.dumps(secret)[1:-1].encode(),
            json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
            quote(secret, safe="").encode(),
            quote(secret).encode(),
        }
    if not forms or not path.is_file():
        return False
    changed = False
    scrubbed = path.with_suffix(".scrubbed")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(scrubbed, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            for form in sorted(forms, key=len, reverse=True):
                if form in data:
                    data = data.replace(form, b"***")
                    changed = True
            out.writestr(info, data)
    scrubbed.replace(path)
    return changed
