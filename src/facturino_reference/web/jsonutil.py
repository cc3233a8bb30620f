"""JSON responses with database values serialised the way Laravel serialises models."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Carbon's toJSON(): UTC with microseconds and a Z.
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class LaravelJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, default=_default, separators=(",", ":")
        ).encode()


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> LaravelJSONResponse:
    return LaravelJSONResponse(content, status, headers=dict(headers or {}))
