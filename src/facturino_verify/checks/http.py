"""Checks over plain HTTP responses: status codes, headers, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

import httpx

from .base import fail, shorten


def described(response: httpx.Response) -> str:
    """``GET https://host/path → 503`` plus the start of the body, for 'seen:' lines."""
    request = response.request
    head = f"{request.method} {request.url} → {response.status_code}"
    body = shorten(response.text, 120) if response.content else "(empty body)"
    return f"{head}: {body}"


def expect_status(
    response: httpx.Response, expected: int | Collection[int], claim: str, remedy: str
) -> None:
    __tracebackhide__ = True
    allowed = {expected} if isinstance(expected, int) else set(expected)
    if response.status_code not in allowed:
        wanted = " or ".join(str(code) for code in sorted(allowed))
        fail(claim, f"HTTP {wanted}", described(response), remedy)


def expect_header(response: httpx.Response, name: str, value: str, remedy: str) -> None:
    __tracebackhide__ = True
    seen = response.headers.get(name)
    if seen != value:
        shown = "absent" if seen is None else repr(seen)
        fail(f"{name} header has the expected value", repr(value), shown, remedy)


def expect_headers_absent(
    response: httpx.Response, names: Iterable[str], claim: str, remedy: str
) -> None:
    __tracebackhide__ = True
    present = {name: response.headers[name] for name in names if name in response.headers}
    if present:
        fail(claim, f"none of {', '.join(names)}", present, remedy)


def json_body(response: httpx.Response, claim: str, remedy: str) -> Any:
    """The JSON body, or a failure saying what came instead (HTML error page, garbage…)."""
    __tracebackhide__ = True
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        fail(claim, "a JSON body", f"{kind}: {described(response)}", remedy)
