"""Sanctum SPA authentication: csrf-cookie, login, logout, check (contract section 4.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.passwords import verify_password
from facturino_reference.web.context import ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import (
    USER_COLUMNS,
    RateLimiter,
    as_json_user,
    current_user,
    require_user,
)
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.session import current_session

FAILED = "These credentials do not match our records."
LOCKOUT_ATTEMPTS = 5  # ThrottlesLogins: per email+IP, on top of the route limiter


async def csrf_cookie(request: Request) -> Response:
    """GET /sanctum/csrf-cookie: 204; the web group adds XSRF-TOKEN and the session cookie."""
    return Response(status_code=204)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _validate(data: dict[str, Any]) -> tuple[str, str]:
    errors = {
        field: [f"The {field} field is required."]
        for field in ("email", "password")
        if not isinstance(data.get(field), str) or not data[field]
    }
    if errors:
        first = next(iter(errors.values()))[0]
        more = len(errors) - 1
        message = first + (f" (and {more} more error)" if more else "")
        raise HttpError(422, body={"message": message, "errors": errors})
    return str(data["email"]), str(data["password"])


def _validation_error(message: str, status: int = 422) -> HttpError:
    return HttpError(status, body={"message": message, "errors": {"email": [message]}})


async def is_partner(request: Request, user_id: int) -> bool:
    found = await ctx(request).db.scalar(
        "SELECT count(*) FROM partners WHERE user_id = %s", (user_id,)
    )
    return bool(found)


async def login(request: Request) -> Response:
    """POST /api/v1/auth/login (stateful, throttle:auth, guest)."""
    c = ctx(request)
    email, password = _validate(await _body(request))
    ip = request.client.host if request.client else ""
    lockout_key = f"{email.lower()}|{ip}"
    limiter = RateLimiter(c)
    if await limiter.too_many(lockout_key, LOCKOUT_ATTEMPTS):
        seconds = await limiter.available_in(lockout_key)
        raise _validation_error(
            f"Too many login attempts. Please try again in {seconds} seconds.", 429
        )
    user = await c.db.fetchone(
        f"SELECT {USER_COLUMNS} FROM users WHERE email = %s AND is_active", (email,)
    )
    if user is None or not verify_password(password, user["password"]):
        await limiter.hit(lockout_key)
        raise _validation_error(FAILED)
    await limiter.clear(lockout_key)
    session = current_session(request)
    if session is not None:  # without a stateful Referer/Origin nothing persists (Sanctum)
        session.login(user["id"])
    await c.db.execute(
        "UPDATE users SET last_login_at = now() at time zone 'UTC' WHERE id = %s", (user["id"],)
    )
    partner = await is_partner(request, user["id"])
    extra: dict[str, Any] = {}
    if partner:
        extra["onboarding_completed_at"] = await _onboarding(request, user["id"])
    return json_response({"success": True, "user": as_json_user(user, partner, extra)})


async def _onboarding(request: Request, user_id: int) -> dt.datetime | None:
    value = await ctx(request).db.scalar(
        "SELECT onboarding_completed_at FROM partners WHERE user_id = %s", (user_id,)
    )
    return value if isinstance(value, dt.datetime) else None


async def logout(request: Request) -> Response:
    """POST /api/v1/auth/logout (auth:sanctum): invalidate session, regenerate token."""
    await require_user(request)
    session = current_session(request)
    if session is not None:
        session.invalidate()
    return json_response({"success": True})


async def check(request: Request) -> Response:
    """GET /api/v1/auth/check -> true/false."""
    return json_response(await current_user(request) is not None)


async def me(request: Request) -> Response:
    """GET /api/v1/me (Settings\\CompanyController@getUser): `{"data": UserResource}`; the
    partner portal loads its user with it after a full page load."""
    user = await require_user(request)
    c = ctx(request)
    row = await c.db.fetchone(
        "SELECT id, name, email, role, currency_id, is_active, last_login_at, created_at, "
        "updated_at, company_id FROM users WHERE id = %s",
        (user["id"],),
    )
    assert row is not None
    owner = await c.db.scalar("SELECT count(*) FROM companies WHERE owner_id = %s", (user["id"],))
    data: dict[str, Any] = {
        **{k: row[k] for k in ("id", "name", "email")},
        "phone": None,
        "role": row["role"],
        "contact_name": None,
        "company_name": None,
        "website": None,
        "enable_portal": None,
        "currency_id": row["currency_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "avatar": 0,
        "is_owner": bool(owner),
        "roles": [],
        "formatted_created_at": row["created_at"].strftime("%Y-%m-%d")
        if row["created_at"]
        else None,
        "is_active": row["is_active"],
        "last_login_at": row["last_login_at"],
        "formatted_last_login": (
            row["last_login_at"].strftime("%Y-%m-%d %H:%M") if row["last_login_at"] else None
        ),
    }
    if row["role"] == "partner" or await is_partner(request, user["id"]):
        data["onboarding_completed_at"] = await _onboarding(request, user["id"])
    return json_response({"data": data})
