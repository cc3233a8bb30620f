"""HTML routes: the SPA shell (/, /login, /admin/*, /installation), debug-only and broken routes.

Every page is `resources/views/app.blade.php`: the `@vite` tags and `window.Facturino.start()`,
nothing of the page itself; the front end (assets.py) renders it in the browser."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from facturino_reference.assets import vite_tags
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import BadMethodCallException, HttpError
from facturino_reference.web.guards import current_user
from facturino_reference.web.jsonutil import json_response
from facturino_reference.web.session import Handler, current_session

DEFAULT_TITLE = "Facturino — Фактури, магацин и плати на едно место"


async def is_installed(c: AppContext) -> bool:
    """InstallUtils: the database_created marker and profile_complete = COMPLETED."""
    if not c.layout.install_marker.exists():
        return False
    value = await c.db.scalar("SELECT value FROM settings WHERE option = 'profile_complete'")
    return bool(value == "COMPLETED")


def _redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(str(request.base_url.replace(path=path, query="")), 302)


def install_required(handler: Handler) -> Handler:
    """InstallationMiddleware: not installed -> /installation."""

    async def endpoint(request: Request) -> Response:
        if not await is_installed(ctx(request)):
            return _redirect(request, "/installation")
        return await handler(request)

    return endpoint


def redirect_if_installed(handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        if await is_installed(ctx(request)):
            return _redirect(request, "/login")
        return await handler(request)

    return endpoint


async def _title(c: AppContext) -> str:
    try:
        custom = await c.db.scalar("SELECT value FROM settings WHERE option = 'admin_page_title'")
    except Exception:
        custom = None
    return str(custom) if custom else DEFAULT_TITLE


async def shell(request: Request) -> Response:
    """resources/views/app.blade.php: `<html lang>` from APP_LOCALE, the csrf meta, the
    `@vite` expansion (absolute URLs on the request's host, as Laravel's asset() makes them)
    and the inline module script that starts the SPA."""
    c = ctx(request)
    session = current_session(request)
    html = c.templates.get_template("app.html").render(
        lang=c.config.get("APP_LOCALE", "en").replace("_", "-"),
        title=await _title(c),
        csrf_token=session.token if session else "",
        vite=vite_tags(c.layout),
        asset_url=str(request.base_url).rstrip("/"),
        demo_mode=c.config.get("APP_ENV", "") == "demo",
    )
    return HTMLResponse(html)


async def login_page(request: Request) -> Response:
    return await shell(request)


async def forgot_password(request: Request) -> Response:
    return await shell(request)


async def admin(request: Request) -> Response:
    """/admin/{vue?} with redirect-if-unauthenticated: /login for anyone not signed in,
    whatever they accept (it is not the API's auth middleware, so never a 401); the shell
    for anyone signed in (what they may see is the API's business)."""
    if await current_user(request) is None:
        return _redirect(request, "/login")
    return await shell(request)


async def installation(request: Request) -> Response:
    return await shell(request)


async def installation_requirements(request: Request) -> Response:
    return json_response(
        {
            "requirements": {
                "php": {"8.2.0": True},
                "extensions": {
                    "pdo_pgsql": True,
                    "openssl": True,
                    "mbstring": True,
                    "gd": True,
                    "zip": True,
                },
            },
            "errors": False,
        }
    )


async def ignition_health(request: Request) -> Response:
    """Ignition's route only exists when APP_DEBUG loads the dev tooling."""
    if not ctx(request).config.debug:
        raise HttpError(404, f"The route {request.url.path.lstrip('/')} could not be found.")
    return json_response({"can_execute_commands": True})


class WebhookController:
    """Webhooks\\WebhookController: the API twins point at nlbBank/stopanskaBank, which do
    not exist (the methods are bankNlb/bankStopanska), hence the 500s upstream."""

    async def bank_nlb(self, request: Request) -> Response:
        return json_response({"status": "received"})

    async def bank_stopanska(self, request: Request) -> Response:
        return json_response({"status": "received"})


def controller_action(controller: object, method: str) -> Handler:
    """Route::post(..., [Controller::class, 'method']), resolved when the route runs."""

    async def endpoint(request: Request) -> Response:
        action = getattr(controller, method, None)
        if action is None:
            name = "App\\Http\\Controllers\\Webhooks\\WebhookController"
            head, *rest = method.split("_")
            php_method = head + "".join(part.title() for part in rest)
            raise BadMethodCallException(f"Method {name}::{php_method} does not exist.")
        response: Response = await action(request)
        return response

    return endpoint
