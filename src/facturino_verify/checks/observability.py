"""Checks of what the app exposes about itself: /metrics, feature flags, partner data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from . import remedies
from .base import fail, shorten
from .http import described

# The mocked partner API's fixed values (contract §9): any of them together means mocked data.
MOCKED_FINGERPRINT = {
    "active_clients": 12,
    "monthly_commissions": 85000,
    "processed_invoices": 234,
    "pending_payout": 127500,
    "total_earned": 458300,
}


def expect_metrics_refused(response: httpx.Response) -> None:
    __tracebackhide__ = True
    if response.status_code not in (401, 403):
        fail(
            "/metrics refuses anonymous requests",
            "HTTP 401 or 403",
            described(response),
            remedies.METRICS,
        )


def expect_metrics_disabled(response: httpx.Response) -> None:
    __tracebackhide__ = True
    if response.status_code != 403 or "Feature not available" not in response.text:
        fail(
            "/metrics is disabled",
            "403 'Feature not available'",
            described(response),
            remedies.METRICS,
        )


def metric_families(response: httpx.Response) -> dict[str, Any]:
    """Parse a Prometheus exposition; counters are keyed with and without ``_total``."""
    __tracebackhide__ = True
    if response.status_code != 200:
        fail(
            "/metrics answers 200 with credentials",
            "HTTP 200",
            described(response),
            remedies.METRICS,
        )
    try:
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
    except (ValueError, TypeError, IndexError) as error:
        fail(
            "/metrics is a valid Prometheus exposition",
            "text that prometheus-client parses",
            f"parse error: {error}",
            remedies.METRICS,
        )
    for family in list(families.values()):
        if family.type == "counter":
            families.setdefault(family.name + "_total", family)
    return families


def expect_metric_families(families: Mapping[str, Any], expected: Iterable[str]) -> None:
    __tracebackhide__ = True
    missing = [name for name in expected if name not in families]
    if missing:
        fail(
            "/metrics exposes the expected families",
            list(expected),
            f"missing {missing}; present: {shorten(', '.join(sorted(families)))}",
            remedies.METRICS,
        )


def expect_feature_flags(actual: Mapping[str, Any], expected: Mapping[str, bool]) -> None:
    __tracebackhide__ = True
    drift = {
        key: {"expected": want, "seen": actual.get(key, "(missing)")}
        for key, want in expected.items()
        if actual.get(key) is not want
    }
    if drift:
        fail(
            "feature flags match the environment's matrix",
            dict(expected),
            drift,
            remedies.FEATURE_FLAGS,
        )


def mocked_signs(body: Any) -> list[str]:
    """Why a partner API body looks mocked; empty when it looks real."""
    if not isinstance(body, dict):
        return []
    signs = []
    if "mocked" in body:
        signs.append(f"'mocked': {body['mocked']!r}")
    warning = str(body.get("warning", ""))
    if "MOCKED" in warning.upper():
        signs.append(f"warning {shorten(warning, 80)!r}")
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    matches = [
        k for k, v in MOCKED_FINGERPRINT.items() if isinstance(data, dict) and data.get(k) == v
    ]
    if len(matches) >= 2:
        signs.append(f"the mocked fingerprint ({', '.join(matches)})")
    return signs


def expect_not_mocked(body: Any, where: str) -> None:
    __tracebackhide__ = True
    signs = mocked_signs(body)
    if signs:
        fail(
            f"{where} serves real partner data",
            "no mocked key, warning or fingerprint",
            "; ".join(signs),
            remedies.PARTNER_MOCKED,
        )
