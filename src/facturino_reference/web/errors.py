"""Exception rendering the way Laravel's handler does it (custom pages, JSON, debug mode)."""

from __future__ import annotations

import datetime as dt
import traceback
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from facturino_reference.web.context import AppContext

TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    419: "Page Expired",
    429: "Too Many Requests",
    500: "Server Error",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """abort(status, message): rendered as the custom error page or `{"message": ...}`."""

    def __init__(
        self,
        status: int,
        message: str = "",
        headers: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or TITLES.get(status, "Error"))
        self.status = status
        self.message = message or TITLES.get(status, "Error")
        self.headers = dict(headers or {})
        self.body = body  # a JSON body to send as-is (controllers' own error shapes)


class Unauthenticated(HttpError):
    """AuthenticationException: 401 JSON for API callers, a redirect to /login otherwise."""

    def __init__(self) -> None:
        super().__init__(401, "Unauthenticated.")


class BadMethodCallException(Exception):
    """A route points at a controller method that does not exist."""


def wants_json(request: Request) -> bool:
    """Laravel's expectsJson(): an XHR that accepts anything, or Accept names JSON first."""
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    if "/json" in first or "+json" in first:
        return True
    is_xhr = request.headers.get("x-requested-with", "") == "XMLHttpRequest"
    return is_xhr and first in {"", "*/*"}


def login_url(request: Request) -> str:
    return str(request.base_url.replace(path="/login", query=""))


_PHP_HTTP_EXCEPTIONS = {
    403: "Symfony\\Component\\HttpKernel\\Exception\\AccessDeniedHttpException",
    404: "Symfony\\Component\\HttpKernel\\Exception\\NotFoundHttpException",
    405: "Symfony\\Component\\HttpKernel\\Exception\\MethodNotAllowedHttpException",
    429: "Illuminate\\Http\\Exceptions\\ThrottleRequestsException",
}


def render_http_error(
    request: Request, c: AppContext, error: HttpError, origin: BaseException | None = None
) -> Response:
    """An HTTP exception; `origin` is the exception it was made from (for debug traces)."""
    if isinstance(error, Unauthenticated) and not wants_json(request):
        return RedirectResponse(login_url(request), status_code=302)
    if error.body is not None:
        return JSONResponse(error.body, error.status, headers=error.headers)
    if not wants_json(request):
        return error_page(c, error.status, headers=error.headers)
    body: dict[str, Any] = {"message": error.message}
    if c.config.debug and not isinstance(error, Unauthenticated):
        # convertExceptionToArray(): in debug mode every exception, 404s included, shows
        # its class, file, line and trace.
        php_class = _PHP_HTTP_EXCEPTIONS.get(
            error.status, "Symfony\\Component\\HttpKernel\\Exception\\HttpException"
        )
        body.update(_debug_details(origin or error, php_class))
    return JSONResponse(body, error.status, headers=error.headers)


def _debug_details(exc: BaseException, name: str) -> dict[str, Any]:
    frames = _trace(exc)
    top = frames[0] if frames else {"file": __file__, "line": 0}
    return {"exception": name, "file": top["file"], "line": top["line"], "trace": frames}


def error_page(
    c: AppContext, status: int, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    html = c.templates.get_template("error.html").render(
        code=status,
        title=TITLES.get(status, "Error"),
        app_name=c.config.name,
        error_id=uuid.uuid4().hex[:12],
        time=dt.datetime.now(dt.UTC).isoformat(),
    )
    return HTMLResponse(html, status, headers=dict(headers or {}))


def _exception_name(exc: BaseException) -> str:
    kind = type(exc)
    if kind.__module__.startswith("facturino_reference") or kind.__module__ == "builtins":
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def _trace(exc: BaseException) -> list[dict[str, Any]]:
    frames = traceback.extract_tb(exc.__traceback__)
    return [{"file": f.filename, "line": f.lineno, "function": f.name} for f in reversed(frames)]


def render_exception(request: Request, c: AppContext, exc: BaseException) -> Response:
    """An unhandled exception: 500, with the details only when APP_DEBUG is true."""
    if not c.config.debug:
        if wants_json(request):
            return JSONResponse({"message": "Server Error"}, 500)
        return error_page(c, 500)
    if wants_json(request):
        body = {"message": str(exc), **_debug_details(exc, _exception_name(exc))}
        return JSONResponse(body, 500)
    html = c.templates.get_template("exception.html").render(
        name=_exception_name(exc),
        message=str(exc),
        frames=_trace(exc),
        request=request,
        app_name=c.config.name,
    )
    return HTMLResponse(html, 500)
