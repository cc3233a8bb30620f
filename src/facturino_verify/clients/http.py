"""HTTP client for the deployment: explicit timeouts, the environment's CA, mapped errors."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx

from .errors import (
    AnswerTooLarge,
    ConnectionRefused,
    DnsFailure,
    ProtocolFailure,
    TargetError,
    TimedOut,
    TlsFailure,
)

USER_AGENT = "facturino-verify/0.1 (+post-deployment checks)"
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024


def tls_context(ca_file: Path | None, verify: bool = True) -> ssl.SSLContext:
    """The system trust store, or only ``ca_file`` when one is configured."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_file is not None and not ca_file.is_file():
        raise TlsFailure(f"CA file {ca_file}", "does not exist", "check [target] ca_file")
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


@contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Translate httpx/httpcore/ssl exceptions into :class:`TargetError` subclasses."""
    try:
        yield
    except httpx.TimeoutException as error:
        phase = type(error).__name__.removesuffix("Timeout").lower() or "request"
        raise TimedOut(_where(what, error), f"no answer within the {phase} timeout") from None
    except httpx.ConnectError as error:
        raise _connect_error(_where(what, error), error) from None
    except httpx.HTTPError as error:
        detail = str(error) or type(error).__name__
        raise ProtocolFailure(_where(what, error), detail) from None


def _where(what: str, error: httpx.HTTPError) -> str:
    """The request that failed: after a redirect (to plain HTTP, another host) that is not the
    one first asked, and a message naming the first would point the operator the wrong way."""
    try:
        request = error.request
    except RuntimeError:  # an error raised outside a request carries none
        return what
    url = str(request.url)
    return what if what.endswith(url) else f"{what}, redirected to {request.method} {url}"


def _connect_error(what: str, error: Exception) -> TargetError:
    text = str(error)
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return TlsFailure(what, text, "is the certificate valid and trusted (target.ca_file)?")
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return DnsFailure(what, text, "check the host name in [target] url")
    if "temporary failure in name resolution" in lowered or "no address" in lowered:
        return DnsFailure(what, text, "check the host name in [target] url")
    if "refused" in lowered:
        return ConnectionRefused(what, text, "is the app running and listening on that port?")
    return ConnectionRefused(what, text or "connection failed")


class HttpClient:
    """One connection pool to the deployment, shared by all checks of a run (thread-safe)."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_file: Path | None = None,
        verify: bool = True,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        max_connections: int = 16,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        run_deadline: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._ca_file, self._verify = ca_file, verify
        self._connect, self._read = connect_timeout, read_timeout
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout, pool=read_timeout)
        self._limits = httpx.Limits(max_connections=max_connections)
        self._client: httpx.Client | None = None
        self._max_body = max_body_bytes
        # time.monotonic() by which the whole run must end (None: unbounded), asked per request.
        self._run_deadline = run_deadline

    def _pool(self) -> httpx.Client:
        # Built lazily: a missing CA file is a check failure ("TLS error"), not a crash at startup.
        if self._client is None:
            self._client = httpx.Client(
                verify=tls_context(self._ca_file, self._verify),
                timeout=self._timeout,
                limits=self._limits,
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                # Probes must see each response as a fresh visitor would: keep no cookies.
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            )
        return self._client

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self.url(path)
        with mapped_errors(f"{method} {url}"):
            return self.bounded(self._pool(), method, url, **kwargs)

    def bounded(self, client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request that ends in bounded time whatever the target does: a total deadline
        (connect + read timeouts, never past the run's), not only a per-read timeout (a body
        trickling a byte a second never trips that), and a capped body."""
        deadline = time.monotonic() + self._connect + self._read
        run_deadline = self._run_deadline()
        if run_deadline is not None:
            deadline = min(deadline, run_deadline)
        left = max(deadline - time.monotonic(), 0.001)
        timeout = httpx.Timeout(min(self._read, left), connect=min(self._connect, left))
        kwargs.setdefault("timeout", timeout)
        follow = kwargs.pop("follow_redirects", client.follow_redirects)
        request = client.build_request(method, url, **kwargs)
        response = client.send(request, stream=True, follow_redirects=follow)
        try:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self._max_body:
                    raise AnswerTooLarge(
                        f"{method} {response.url}",
                        f"the body passed {self._max_body} bytes and was cut off",
                        "a page or JSON answer is far smaller; raise [target] max_body_bytes "
                        "only if this is expected",
                    )
                if time.monotonic() > deadline:
                    raise TimedOut(
                        f"{method} {response.url}",
                        "the answer was still arriving when the request's total time ran out "
                        f"({self._connect + self._read:.0f} s, or what was left of the run)",
                    )
            # What Response.read() does, after reading within bounds.
            response._content = bytes(body)
        finally:
            response.close()
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def new_session(self, headers: dict[str, str] | None = None) -> httpx.Client:
        """A separate cookie jar (a logged-in user) on the same TLS settings and timeouts."""
        return httpx.Client(
            base_url=self.base_url,
            verify=tls_context(self._ca_file, self._verify),
            timeout=self._timeout,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            follow_redirects=False,
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
