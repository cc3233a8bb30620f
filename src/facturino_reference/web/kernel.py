"""The HTTP kernel's global middleware, in Laravel's order, plus the nginx-level apps.

Order: PreventRequestsDuringMaintenance -> SecurityHeaders -> PerformanceMonitoringMiddleware
-> PrometheusMiddleware (only in the fixed app, see metrics_registry.py) -> exception rendering
-> router. Maintenance 503s return before SecurityHeaders runs, so they carry none of its
headers (and are not counted), as upstream.
"""

from __future__ import annotations

import json
import re
import resource
import time
from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError, render_exception, render_http_error
from facturino_reference.web.metrics_registry import ignored

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data:; connect-src 'self' "
    "https://api.postmarkapp.com wss:; frame-src 'self' blob: https://*.r2.dev "
    "https://*.r2.cloudflarestorage.com; object-src 'self' blob: https://*.r2.dev "
    "https://*.r2.cloudflarestorage.com; worker-src 'self' blob:; frame-ancestors 'self'; "
    "base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=(), payment=(), usb=()",
    "X-XSS-Protection": "1; mode=block",
}
HSTS = "max-age=31536000; includeSubDomains"


def maintenance_payload(c: AppContext) -> dict[str, Any] | None:
    """The file driver: `storage/framework/down` exists -> the app is down."""
    try:
        data = json.loads(c.layout.maintenance_file.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def maintenance_response(request: Request, c: AppContext, down: dict[str, Any]) -> Response:
    headers = {}
    if down.get("retry"):
        headers["Retry-After"] = str(down["retry"])
    if down.get("refresh"):
        headers["Refresh"] = str(down["refresh"])
    status = int(down.get("status") or 503)
    return render_http_error(request, c, HttpError(status, "Service Unavailable", headers))


def add_security_headers(response: Response, c: AppContext) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if c.config.get("APP_ENV") == "production" and c.config.flag("SECURITY_HSTS"):
        response.headers["Strict-Transport-Security"] = HSTS


def _uniqid() -> str:
    """PHP uniqid(): 8 hex digits of seconds + 5 of microseconds."""
    now = time.time()
    return f"{int(now):08x}{int((now % 1) * 1_000_000):05x}"


def add_performance_headers(
    request: Request, response: Response, c: AppContext, started: float
) -> None:
    # DEBUG_PERFORMANCE_HEADER=always (reference-only, fault debug_headers_forced): what sits
    # in front adds X-Debug-Performance to every request, which the middleware honours
    # whatever APP_DEBUG says (PerformanceMonitoringMiddleware.php:59).
    forced = c.config.get("DEBUG_PERFORMANCE_HEADER") == "always"
    if not (c.config.debug or forced or "x-debug-performance" in request.headers):
        return
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    response.headers["X-Execution-Time"] = f"{(time.perf_counter() - started) * 1000:.2f}ms"
    response.headers["X-Memory-Usage"] = f"{peak_mb:.2f}MB"
    response.headers["X-Request-ID"] = f"req_{_uniqid()}"


# Laravel route names of the routes whose name the middleware would see (routes/web.php:171-172).
ROUTE_NAMES = {"/metrics": "metrics", "/metrics/health": "prometheus.health"}


def _route(request: Request) -> tuple[str | None, str | None]:
    """(name, uri) of the matched route as Laravel has them; (None, None) when none matched."""
    path = getattr(request.scope.get("route"), "path", None)
    if not isinstance(path, str):
        return None, None
    uri = re.sub(r"\{(\w+):\w+\}", r"{\1}", path).lstrip("/") or "/"
    return ROUTE_NAMES.get(path), uri


def record_request(request: Request, response: Response, c: AppContext, started: float) -> None:
    """PrometheusMiddleware::recordMetrics, where the fixed app registers it."""
    if c.config.get("MK_METRICS_CONTROLLER") == "upstream":
        return  # d5d901d7 registers the middleware nowhere
    name, uri = _route(request)
    if ignored(request.method, name, uri):
        return
    length = response.headers.get("content-length")
    c.metrics.observe(
        request.method,
        name or uri or "unknown",
        response.status_code,
        time.perf_counter() - started,
        int(length) if length and length.isdigit() else None,
    )


class Kernel(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        request.state.t0 = started
        return await self._pipeline(request, call_next, ctx(request), started)

    async def _pipeline(
        self, request: Request, call_next: RequestResponseEndpoint, c: AppContext, started: float
    ) -> Response:
        down = maintenance_payload(c)
        if down is not None:
            return maintenance_response(request, c, down)
        try:
            response = await call_next(request)
        except Exception as exc:  # the exception handler renders everything else
            response = render_exception(request, c, exc)
        add_security_headers(response, c)
        add_performance_headers(request, response, c, started)
        record_request(request, response, c, started)
        return response
