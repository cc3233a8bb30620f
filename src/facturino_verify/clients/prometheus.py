"""Prometheus HTTP API client: instant PromQL queries and metric metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .errors import ProtocolFailure
from .http import USER_AGENT, mapped_errors, tls_context


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


class PrometheusClient:
    """``GET /api/v1/query`` and ``/api/v1/metadata`` of one Prometheus server."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        ca_file: Path | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        verify = tls_context(ca_file) if self.url.startswith("https://") else True
        self._client = httpx.Client(headers=headers, timeout=timeout, verify=verify)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        what = f"Prometheus {self.url}{path}"
        with mapped_errors(what):
            response = self._client.get(self.url + path, params=params)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else response.text[:200]
            raise ProtocolFailure(what, f"HTTP {response.status_code}: {error}")
        return body["data"]

    def query(self, promql: str) -> list[Sample]:
        """An instant vector (or scalar) as samples; NaN values are kept as NaN."""
        data = self._get("/api/v1/query", {"query": promql})
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar":
            return [Sample({}, float(result[1]))]
        if kind != "vector":
            raise ProtocolFailure(f"PromQL {promql}", f"expected a vector, got {kind}")
        return [Sample(dict(item["metric"]), float(item["value"][1])) for item in result]

    def metric_type(self, name: str) -> str | None:
        """The type the target declared for ``name`` (counter/gauge/histogram/summary)."""
        data = self._get("/api/v1/metadata", {"metric": name})
        entries = data.get(name) if isinstance(data, dict) else None
        return str(entries[0]["type"]) if entries else None

    def close(self) -> None:
        self._client.close()


def finite(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if not math.isnan(s.value)]
