"""What nginx does in front of PHP: static files from public/, and the HTTP->HTTPS redirect.

Files served here never reach the app, so they carry none of its headers (contract 12).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
    b"Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
MEDIA_TYPES = {
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".js": "application/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
}


BUILD_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


def _public_file(root: Path, path: str) -> Path | None:
    target = (root / path.lstrip("/")).resolve()
    return target if root in target.parents and target.is_file() else None


def _file_response(target: Path, headers: dict[str, str]) -> Response:
    suffix = os.path.splitext(target.name)[1]
    media_type = MEDIA_TYPES.get(suffix, "application/octet-stream")
    return Response(target.read_bytes(), 200, headers=headers, media_type=media_type)


def front(laravel: ASGIApp, public_dir: Path) -> ASGIApp:
    """`location /build/` (immutable cache, 404 when missing), `try_files $uri` for other
    files in public/, everything else to the app (index.php)."""
    root = public_dir.resolve()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await laravel(scope, receive, send)
            return
        path: str = scope["path"]
        target = _public_file(root, path)
        if path.startswith("/build/"):
            response = (
                _file_response(target, BUILD_HEADERS)
                if target
                else Response(NGINX_404, 404, media_type="text/html")
            )
        elif target is not None:
            response = _file_response(target, {})
        else:
            await laravel(scope, receive, send)
            return
        await response(scope, receive, send)

    return app


def https_redirect(https_port: int) -> ASGIApp:
    """The plain-HTTP listener: 301 to the same path on https."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope)
        host = (request.url.hostname or "localhost").strip("[]")
        query = f"?{request.url.query}" if request.url.query else ""
        location = f"https://{host}:{https_port}{request.url.path}{query}"
        response = Response(status_code=301, headers={"Location": location})
        await response(scope, receive, send)

    return app
