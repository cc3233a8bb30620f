"""The SPA's Sanctum login flow (contract §4.3) and what the browser shows (§4.1-§4.2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

import httpx

from . import remedies
from .base import fail, shorten
from .http import described, expect_status, json_body

WRONG_CREDENTIALS = "These credentials do not match our records."


def expect_csrf_cookie(response: httpx.Response) -> None:
    """``GET /sanctum/csrf-cookie`` → 204 with an ``XSRF-TOKEN`` cookie."""
    __tracebackhide__ = True
    claim = "GET /sanctum/csrf-cookie answers 204 and sets XSRF-TOKEN"
    expect_status(response, 204, claim, remedies.AUTH_FLOW)
    if "XSRF-TOKEN" not in response.cookies:
        fail(claim, "Set-Cookie: XSRF-TOKEN=…", described(response), remedies.AUTH_FLOW)


def expect_login_headers(
    sent_xsrf: str | None, xsrf_cookie: str, referer: str | None, base: str
) -> None:
    """The login carries ``X-XSRF-TOKEN`` (the URL-decoded cookie) and a Referer/Origin on the
    app's host: without a stateful Referer/Origin Sanctum starts no session."""
    __tracebackhide__ = True
    if not sent_xsrf or sent_xsrf != unquote(xsrf_cookie):
        fail(
            "the login sends X-XSRF-TOKEN equal to the URL-decoded XSRF-TOKEN cookie",
            "X-XSRF-TOKEN = unquote(cookie)",
            "absent" if not sent_xsrf else "a different value",
            remedies.AUTH_FLOW,
        )
    expect_stateful_referer(referer, base)


def cookies_held_at_each_login(
    exchange: Sequence[httpx.Response],
) -> list[tuple[httpx.Response, str]]:
    """Each login answer of ``exchange`` (the csrf-cookie answer, then the login answers in
    order) with the XSRF-TOKEN cookie the client held when it sent that login: the csrf-cookie's
    at first, then whatever an earlier answer set (the app's 429 re-sets it like every answer of
    the web group, and the SPA sends what its cookie says at that moment)."""
    if not exchange:
        return []
    held = exchange[0].cookies.get("XSRF-TOKEN") or ""
    posts = []
    for answer in exchange[1:]:
        posts.append((answer, held))
        held = answer.cookies.get("XSRF-TOKEN") or held
    return posts


def expect_stateful_referer(referer: str | None, base: str) -> None:
    __tracebackhide__ = True
    want = urlsplit(base).netloc
    if not referer or urlsplit(referer).netloc != want:
        fail(
            "the login names a stateful origin (Referer/Origin on the app's host)",
            f"Referer host {want}",
            referer or "(none)",
            remedies.AUTH_FLOW,
        )


def expect_login_answer(status: int, body: Any) -> dict[str, Any]:
    """``POST /api/v1/auth/login`` → 200 ``{"success": true, "user": {... "role"}}``."""
    __tracebackhide__ = True
    claim = "POST /api/v1/auth/login accepts the test account"
    remedy = remedies.AUTH_FLOW if status == 419 else remedies.LOGIN_REJECTED
    user = body.get("user") if isinstance(body, dict) else None
    if status != 200 or body.get("success") is not True or not isinstance(user, dict):
        fail(
            claim,
            "HTTP 200 {'success': true, 'user': {...}}",
            f"HTTP {status}: {shorten(str(body))}",
            remedy,
        )
    if "role" not in user:
        fail(claim, "user.role present", shorten(str(user)), remedy)
    return user


def expect_login_succeeded(response: httpx.Response) -> dict[str, Any]:
    __tracebackhide__ = True
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return expect_login_answer(response.status_code, body)


def expect_bootstrap(response: httpx.Response) -> dict[str, Any]:
    """``GET /api/v1/bootstrap`` → 200 with ``current_company.id`` and ``feature_flags``."""
    __tracebackhide__ = True
    claim = "GET /api/v1/bootstrap answers for the logged-in user"
    expect_status(response, 200, claim, remedies.AUTH_FLOW)
    body = json_body(response, claim, remedies.AUTH_FLOW)
    company = body.get("current_company") if isinstance(body, dict) else None
    if not isinstance(company, dict) or not isinstance(company.get("id"), int):
        fail(claim, "current_company.id", shorten(str(body)), remedies.AUTH_FLOW)
    if not isinstance(body.get("feature_flags"), dict):
        fail(claim, "a feature_flags object", shorten(str(body)), remedies.AUTH_FLOW)
    return dict(body)


def expect_logged_out(status: int, body: Any) -> None:
    __tracebackhide__ = True
    claim = "POST /api/v1/auth/logout answers 200 {'success': true}"
    if status != 200 or not isinstance(body, dict) or body.get("success") is not True:
        fail(
            claim,
            "HTTP 200 {'success': true}",
            f"HTTP {status}: {shorten(str(body))}",
            remedies.AUTH_FLOW,
        )


def expect_unauthenticated(status: int, body: str) -> None:
    """After logout the session is gone: bootstrap answers 401."""
    __tracebackhide__ = True
    if status != 401:
        fail(
            "after logout GET /api/v1/bootstrap answers 401",
            "HTTP 401 {'message': 'Unauthenticated.'}",
            f"HTTP {status}: {shorten(body, 120)}",
            remedies.AUTH_FLOW,
        )


def expect_path(url: str, path: str, claim: str, remedy: str, seen_extra: str = "") -> None:
    __tracebackhide__ = True
    if urlsplit(url).path.rstrip("/") != path.rstrip("/"):
        fail(claim, path, url + (f" ({seen_extra})" if seen_extra else ""), remedy)


def expect_wrong_password_rejected(url: str, shown: str, answer: str = "") -> None:
    """The SPA shows Laravel's auth.failed message (its toast: errors.login_invalid_credentials,
    en in every locale) and stays on /login. ``answer`` is what the login call answered."""
    __tracebackhide__ = True
    if WRONG_CREDENTIALS not in shown:
        fail(
            "a wrong password shows the credentials error",
            WRONG_CREDENTIALS,
            (shorten(shown, 160) or "(no message)")
            + (f"; the login answered {answer}" if answer else ""),
            remedies.AUTH_FLOW,
        )
    expect_path(url, "/login", "a wrong password keeps the SPA on /login", remedies.AUTH_FLOW)


def expect_signed_in(account: str, email: str, answer: str, *, refused: bool) -> NoReturn:
    """The suite's own sign-in as ``[accounts.<account>]`` failed: say whose credentials and
    what the app answered. A refusal (``refused``) may be a wrong password in the environment
    as much as a release that rejects valid ones; anything else is the login flow."""
    __tracebackhide__ = True
    remedy = remedies.AUTH_FLOW
    if refused:
        remedy = (
            f"if [accounts.{account}] password is right (its ${{VARIABLE}} as exported for this "
            f"run), the release refuses valid credentials: {remedies.LOGIN_REJECTED}; if it is "
            "not, fix the variable"
        )
    fail(
        f"the suite signs in as {email} ([accounts.{account}])",
        "POST /api/v1/auth/login answers 200 with the user",
        answer,
        remedy + " (checks that need this session are not judged)",
    )
