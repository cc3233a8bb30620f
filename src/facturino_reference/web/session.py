"""The `web` middleware group: EncryptCookies, StartSession, VerifyCsrfToken.

Sessions are JSON (not PHP-serialized) in the store SESSION_DRIVER names (web/context.py):
Redis, under `<REDIS_PREFIX><CACHE_PREFIX><id>` on the connection SESSION_CONNECTION names
(unset: `default`, REDIS_DB), or the `sessions` table; with Laravel's cookie names, flags,
encryption and CSRF semantics.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import secrets
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.crypto import decrypt_cookie, decrypt_header_token, encrypt_cookie
from facturino_reference.web.errors import HttpError, render_http_error

Handler = Callable[[Request], Awaitable[Response]]
# SessionGuard stores the user id under 'login_' . $name . '_' . sha1(SessionGuard::class).
LOGIN_KEY = "login_web_" + hashlib.sha1(b"Illuminate\\Auth\\SessionGuard").hexdigest()
_ALNUM = string.ascii_letters + string.digits
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_EXEMPT_PREFIXES = ("/webhooks/", "/login", "/unsubscribe")


def random_string(length: int = 40) -> str:
    """Str::random(40): session ids and CSRF tokens."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


@dataclass
class Session:
    id: str
    data: dict[str, Any]
    retired_ids: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return str(self.data["_token"])

    @property
    def user_id(self) -> int | None:
        value = self.data.get(LOGIN_KEY)
        return value if isinstance(value, int) else None

    def login(self, user_id: int) -> None:
        self.regenerate()  # session fixation defence: a new id once authenticated
        self.data[LOGIN_KEY] = user_id

    def regenerate(self) -> None:
        self.retired_ids.append(self.id)
        self.id = random_string()

    def invalidate(self) -> None:
        """logout: flush, new id, new CSRF token."""
        self.regenerate()
        self.data = {"_token": random_string()}


def _key(c: AppContext, session_id: str) -> str:
    return c.config.cache_prefix + session_id


async def start_session(request: Request, c: AppContext) -> Session:
    raw = request.cookies.get(c.config.session_cookie, "")
    session_id = decrypt_cookie(c.encrypter, c.config.session_cookie, raw) if raw else None
    if session_id and len(session_id) == 40 and session_id.isalnum():
        stored = await c.sessions.get(_key(c, session_id))
        if stored is not None:
            return Session(session_id, json.loads(stored))
    return Session(random_string(), {"_token": random_string()})


async def save_session(request: Request, c: AppContext, session: Session) -> None:
    if request.method == "GET" and "x-requested-with" not in request.headers:
        session.data["_previous"] = {"url": str(request.url)}
    ttl = c.config.int("SESSION_LIFETIME") * 60
    await c.sessions.set(_key(c, session.id), json.dumps(session.data), ex=ttl)
    for old in session.retired_ids:
        await c.sessions.delete(_key(c, old))


def _cookie(c: AppContext, name: str, value: str, http_only: bool) -> str:
    minutes = c.config.int("SESSION_LIFETIME")
    expires = email.utils.formatdate(time.time() + minutes * 60, usegmt=True)
    parts = [
        f"{name}={encrypt_cookie(c.encrypter, name, value)}",
        f"expires={expires}",
        f"Max-Age={minutes * 60}",
        "path=/",
    ]
    if domain := c.config.nullable("SESSION_DOMAIN"):
        parts.append(f"domain={domain}")
    if c.config.flag("SESSION_SECURE_COOKIE"):
        parts.append("secure")
    if http_only:
        parts.append("httponly")
    parts.append(f"samesite={c.config.get('SESSION_SAME_SITE', 'lax')}")
    return "; ".join(parts)


def add_cookies(response: Response, c: AppContext, session: Session) -> None:
    """XSRF-TOKEN (readable by JS) first, then the session cookie, as Laravel orders them."""
    response.headers.append("set-cookie", _cookie(c, "XSRF-TOKEN", session.token, False))
    http_only = c.config.flag("SESSION_HTTP_ONLY")
    response.headers.append(
        "set-cookie", _cookie(c, c.config.session_cookie, session.id, http_only)
    )


def csrf_ok(request: Request, c: AppContext, session: Session) -> bool:
    if request.method in _READ_METHODS or request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return True
    token = request.headers.get("x-csrf-token", "")
    if not token and (header := request.headers.get("x-xsrf-token")):
        token = decrypt_header_token(c.encrypter, header)
    return bool(token) and hmac.compare_digest(token, session.token)


def web(handler: Handler) -> Handler:
    """Wrap an endpoint in the `web` group: session in, CSRF checked, session + cookies out."""

    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        session = await start_session(request, c)
        request.state.session = session
        try:
            if not csrf_ok(request, c, session):
                raise HttpError(419, "CSRF token mismatch.")
            response = await handler(request)
        except HttpError as error:  # rendered inside the group, so cookies still go out
            response = render_http_error(request, c, error)
        await save_session(request, c, session)
        add_cookies(response, c, session)
        return response

    return endpoint


def is_stateful(request: Request, c: AppContext) -> bool:
    """Sanctum: Referer/Origin (scheme stripped) matches a SANCTUM_STATEFUL_DOMAINS entry."""
    source = request.headers.get("referer") or request.headers.get("origin") or ""
    domain = source.split("://", 1)[-1]
    domain = domain if domain.endswith("/") else domain + "/"
    return any(domain.startswith(entry.rstrip("/") + "/") for entry in c.config.stateful_domains)


def stateful_api(handler: Handler) -> Handler:
    """EnsureFrontendRequestsAreStateful: the web group only for first-party SPA requests."""
    wrapped = web(handler)

    async def endpoint(request: Request) -> Response:
        if is_stateful(request, ctx(request)):
            return await wrapped(request)
        request.state.session = None
        try:
            return await handler(request)
        except HttpError as error:
            return render_http_error(request, ctx(request), error)

    return endpoint


def current_session(request: Request) -> Session | None:
    session = getattr(request.state, "session", None)
    return session if isinstance(session, Session) else None
