"""The route table (routes/web.php + routes/api.php, as far as the suite can see them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from facturino_reference.appenv import AppConfig
from facturino_reference.web import auth, bootstrap, dashboard, health, metrics, pages, partner
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError, render_http_error
from facturino_reference.web.feature_routes import feature_routes
from facturino_reference.web.guards import auth_limit, authenticated, feature, guest, throttle
from facturino_reference.web.kernel import Kernel
from facturino_reference.web.nginx import front
from facturino_reference.web.session import stateful_api, web

throttle_auth = throttle("auth", auth_limit)


def _web_routes() -> list[Route]:
    login_shell = web(pages.install_required(guest(pages.login_page)))
    return [
        Route("/up", health.up),  # the framework's health route: no middleware group
        Route("/health", web(health.health)),
        Route("/ping", web(health.ping)),
        Route("/ready", web(health.ready)),
        Route("/metrics", web(feature("monitoring")(metrics.metrics))),
        Route("/metrics/health", web(feature("monitoring")(metrics.metrics_health))),
        Route("/metrics/test", web(metrics.metrics_test)),
        Route("/", login_shell),
        Route("/login", login_shell),
        Route("/forgot-password", web(guest(pages.forgot_password))),
        Route("/admin", web(pages.install_required(pages.admin))),
        Route("/admin/dashboard", web(pages.install_required(dashboard.page))),
        Route("/admin/{path:path}", web(pages.install_required(pages.admin))),
        Route("/installation", web(pages.redirect_if_installed(pages.installation))),
        Route("/sanctum/csrf-cookie", web(auth.csrf_cookie)),
        Route("/_ignition/health-check", pages.ignition_health),
    ]


def _api_routes() -> list[Route]:
    webhooks = pages.WebhookController()
    return [
        Route("/api/ping", health.api_ping),
        Route("/api/v1/app/version", health.app_version),
        Route(
            "/api/v1/auth/login", stateful_api(throttle_auth(guest(auth.login))), methods=["POST"]
        ),
        Route(
            "/api/v1/auth/logout",
            stateful_api(throttle_auth(authenticated(auth.logout))),
            methods=["POST"],
        ),
        Route("/api/v1/auth/check", stateful_api(throttle_auth(auth.check))),
        Route("/api/v1/bootstrap", stateful_api(bootstrap.bootstrap)),
        Route("/api/v1/dashboard", stateful_api(dashboard.summary)),
        Route("/api/v1/partner/dashboard", stateful_api(partner.dashboard)),
        Route("/api/v1/partner/commissions", stateful_api(partner.commissions)),
        Route("/api/v1/partner/stripe-connect/status", stateful_api(partner.stripe_connect_status)),
        Route("/api/v1/me", stateful_api(auth.me)),
        Route(
            "/api/v1/installation/{path:path}",
            pages.redirect_if_installed(pages.installation_requirements),
        ),
        Route(
            "/webhooks/bank/nlb", pages.controller_action(webhooks, "bank_nlb"), methods=["POST"]
        ),
        Route(
            "/api/webhooks/bank/nlb",
            pages.controller_action(webhooks, "nlb_bank"),
            methods=["POST"],
        ),
        Route(
            "/api/webhooks/bank/stopanska",
            pages.controller_action(webhooks, "stopanska_bank"),
            methods=["POST"],
        ),
    ]


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Router 404/405 and abort() calls, rendered by the app's handler."""
    c = ctx(request)
    if isinstance(exc, HttpError):
        return render_http_error(request, c, exc)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = (
        f"The route {request.url.path.lstrip('/')} could not be found."
        if status == 404
        else str(getattr(exc, "detail", ""))
    )
    return render_http_error(request, c, HttpError(status, message), origin=exc)


def build_laravel(config: AppConfig) -> Starlette:
    context = AppContext.create(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await context.close()

    app = Starlette(
        routes=_web_routes() + _api_routes() + feature_routes(config),
        middleware=[Middleware(Kernel)],
        exception_handlers={HTTPException: _http_exception, HttpError: _http_exception},
        lifespan=lifespan,
    )
    app.state.ctx = context
    return app


def build_app(config: AppConfig) -> ASGIApp:
    """The HTTPS site: nginx's static files in front of the Laravel app."""
    return front(build_laravel(config), config.layout.public)
