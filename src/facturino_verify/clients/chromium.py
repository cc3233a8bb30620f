"""A page as Chromium renders it, for checks that must see what the SPA draws (the login form
exists only after the front end ran). Playwright's sync API in the calling thread; its errors
become what the page showed (navigation error, console errors, failed requests) or, when the
browser itself cannot start, :class:`BrowserUnavailable`.

Each call starts its own Playwright and browser, so it can run in a probe thread beside
pytest-playwright's own (the sync API keeps one event loop per thread).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import TargetError

if TYPE_CHECKING:  # Playwright itself is imported in the probe's thread, where a page renders
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

# Without a sign of trouble the page gets the whole timeout; with one (a script error, a failed
# request) it is judged once the network has been quiet this long.
QUIET_SECONDS = 1.0
SLICE_MS = 250


class BrowserUnavailable(TargetError):
    kind = "browser unavailable"


@dataclass
class RenderedPage:
    """What a page showed: where it ended, which selectors were visible, and the evidence."""

    requested: str
    url: str = ""
    visible: dict[str, bool] = field(default_factory=dict)
    error: str | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    text: str = ""
    seconds: float = 0.0

    def all_visible(self) -> bool:
        return bool(self.visible) and all(self.visible.values())


class _Watch:
    """Collects the page's errors and network activity while it loads."""

    def __init__(self, page: Page, seen: RenderedPage) -> None:
        self.seen, self.last_activity = seen, time.monotonic()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._trouble(f"uncaught {error}"))
        page.on("request", self._activity)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    @property
    def troubled(self) -> bool:
        return bool(self.seen.console_errors or self.seen.failed_requests)

    def _activity(self, _: object) -> None:
        self.last_activity = time.monotonic()

    def _trouble(self, text: str) -> None:
        self.seen.console_errors.append(text.splitlines()[0][:300])

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._trouble(message.text)

    def _response(self, response: Response) -> None:
        self._activity(response)
        if response.status >= 400:
            request = response.request
            self.seen.failed_requests.append(f"{request.method} {response.url} → {response.status}")

    def _failed(self, request: Request) -> None:
        self._activity(request)
        self.seen.failed_requests.append(f"{request.method} {request.url} → {request.failure}")


def _visible(page: Page, selectors: Sequence[str]) -> dict[str, bool]:
    found = {}
    for selector in selectors:
        locator = page.locator(selector)
        found[selector] = locator.count() > 0 and locator.first.is_visible()
    return found


# True when every selector matches an element that is rendered and not hidden (Playwright's
# "visible"), evaluated in the page on each animation frame.
_ALL_VISIBLE = """(selectors) => selectors.every((selector) => {
  const element = document.querySelector(selector);
  return !!element && element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden";
})"""
_SHOWN = "() => (document.body && document.body.innerText || '').trim().length > 0"


def _settle(page: Page, watch: _Watch, selectors: Sequence[str], deadline: float) -> None:
    """Until every selector is visible, the deadline passes, or the page is evidently broken
    (trouble seen and the network quiet) or evidently elsewhere (a rendered page without the
    selectors and a quiet network). The wait itself runs in the page, in short slices."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    while (left := deadline - time.monotonic()) > 0:
        try:
            page.wait_for_function(
                _ALL_VISIBLE, arg=list(selectors), timeout=min(SLICE_MS, left * 1000)
            )
            return
        except PlaywrightTimeoutError:
            pass
        quiet = time.monotonic() - watch.last_activity > QUIET_SECONDS
        if quiet and (watch.troubled or page.evaluate(_SHOWN)):
            return


def _read(page: Page, seen: RenderedPage, selectors: Sequence[str]) -> None:
    seen.url = page.url
    seen.visible = _visible(page, selectors)
    seen.text = page.evaluate("() => (document.body && document.body.innerText) || ''")


def unreachable(host: str, port: int, tls: bool, timeout: float) -> str | None:
    """Why a browser could not even reach ``host:port`` (refused, DNS, no TLS handshake within
    ``timeout``), or None. A page that cannot arrive is reported without starting Chromium,
    so an unreachable target costs the gate no browser start and no navigation timeout."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            if tls:
                context = ssl.create_default_context()
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
                with context.wrap_socket(raw, server_hostname=host):
                    pass
    except OSError as error:  # ssl.SSLError and socket.timeout included
        return f"{host}:{port} unreachable ({error or type(error).__name__})"
    return None


def render(
    url: str,
    selectors: Sequence[str],
    launch: Mapping[str, Any],
    context: Mapping[str, Any],
    timeout_ms: int,
) -> RenderedPage:
    """Open ``url`` in a fresh Chromium and report what it shows (never raises for what the
    target does; :class:`BrowserUnavailable` when the browser cannot start)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    seen = RenderedPage(requested=url)
    started = time.monotonic()
    deadline = started + timeout_ms / 1000
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(**launch, timeout=timeout_ms)
        except PlaywrightError as error:
            raise BrowserUnavailable("Chromium", str(error).splitlines()[0]) from None
        try:
            page = browser.new_context(**context).new_page()
            page.set_default_timeout(timeout_ms)
            watch = _Watch(page, seen)
            try:
                remaining_ms = max(1, round((deadline - time.monotonic()) * 1000))
                page.goto(url, wait_until="domcontentloaded", timeout=remaining_ms)
                _settle(page, watch, selectors, deadline)
                _read(page, seen, selectors)
            except PlaywrightError as error:
                # Nothing is read from a page whose navigation failed: it may still be loading
                # (a hung server), and reading would wait for it.
                seen.error = str(error).splitlines()[0]
                seen.url = page.url
                seen.visible = dict.fromkeys(selectors, False)
        finally:
            browser.close()
    seen.seconds = time.monotonic() - started
    return seen
