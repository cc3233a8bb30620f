"""Checks of Facturino's /metrics endpoint, judged against what the real app does.

The real app (bloodyteeths/mkfakturi at d5d901d7) puts /metrics and /metrics/health behind
`feature:monitoring` only (routes/web.php:170): there is no auth, whatever the runbook says
("admin auth required"). With the feature off, FeatureMiddleware answers 403 JSON
`{"error": "Feature not available", ...}`; with it on, every scrape of that release answers
500 (PrometheusController.php:42 calls the exporter's missing clear()). A fixed controller
exports the `fakturino_invoiceshelf_*` gauges (the exporter's `fakturino` namespace).
Every failure below says which of these the deployment did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from . import remedies
from .base import fail, shorten
from .http import described

FEATURE_OFF_ERROR = "Feature not available"
NO_AUTH = (
    "the real app has no auth on /metrics: routes/web.php:170 gates it only on the monitoring "
    "feature, so with the feature on anyone can read it"
)
FEATURE_OFF = (
    "FeatureMiddleware's 403: the monitoring feature is off (the route reads only config, "
    "FEATURE_MONITORING; a toggle in Settings does not open it)"
)
CONTROLLER_500 = (
    "the known defect of d5d901d7: PrometheusController.php:42 calls PrometheusExporter::clear() "
    "(and :97 setGauge()), which arquivei/laravel-prometheus-exporter does not have; the PHP "
    "Error escapes the controller's catch (\\Exception) and Laravel answers its 500 page"
)
COLLECTION_ERROR = (
    "PrometheusController caught an exception while collecting (PrometheusController.php:63-77)"
)

NO_REQUEST_COUNTER = (
    "d5d901d7 counts no request: app/Http/Middleware/PrometheusMiddleware.php exists but "
    "bootstrap/app.php registers it nowhere; register it globally, with the Redis storage of "
    "config/prometheus.php so every PHP worker adds to the same counters, or skip the "
    'request checks with [monitoring] requests_metric = ""'
)
SKIP_NO_REQUEST_COUNTER = (
    '[monitoring] requests_metric = "": the environment says the app counts no request '
    "(d5d901d7 registers PrometheusMiddleware nowhere), so there is no error rate to read"
)
NO_REQUEST_HISTOGRAM = (
    "d5d901d7 times no request: PrometheusMiddleware.php, which records "
    "http_request_duration_ms, is registered nowhere (bootstrap/app.php); register it, or read "
    "the controller's average gauge: [monitoring] latency_metric = "
    '"fakturino_invoiceshelf_avg_response_time_ms", latency_unit = "milliseconds"'
)


def feature_disabled(response: httpx.Response) -> bool:
    """FeatureMiddleware's answer: 403 with `"error": "Feature not available"`."""
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == FEATURE_OFF_ERROR


def _seen(response: httpx.Response) -> str:
    """The request and its answer; an HTML page by its title (Laravel's error pages)."""
    if "html" not in response.headers.get("content-type", ""):
        return described(response)
    title = re.search(r"<title>(.*?)</title>", response.text, re.IGNORECASE | re.DOTALL)
    page = f"an HTML page titled {shorten(title.group(1), 80)!r}" if title else "an HTML page"
    request = response.request
    return f"{request.method} {request.url} → {response.status_code}: {page}"


def answer(response: httpx.Response) -> str:
    """What /metrics answered, and what that means in the real app."""
    seen = _seen(response)
    if feature_disabled(response):
        return f"{seen} ({FEATURE_OFF})"
    if response.status_code == 500:
        if response.text.startswith("# Error collecting metrics"):
            message = next(
                (line for line in response.text.splitlines() if line.startswith("# Message:")),
                "",
            )
            return f"{seen} ({COLLECTION_ERROR}: {shorten(message, 160)})"
        return f"{seen} ({CONTROLLER_500})"
    return seen


def remedy_for(response: httpx.Response) -> str:
    if feature_disabled(response):
        return remedies.METRICS_FEATURE
    if response.status_code == 500:
        return remedies.METRICS_BROKEN
    return remedies.METRICS


def expect_metrics_refused(response: httpx.Response) -> None:
    """`[metrics] expect = "auth_required"` (the runbook): an auth check refuses anonymous
    requests. FeatureMiddleware's 403 is not one."""
    __tracebackhide__ = True
    if response.status_code == 401 or (
        response.status_code == 403 and not feature_disabled(response)
    ):
        return
    if feature_disabled(response):
        seen = f"{answer(response)}; that is the feature switch, not auth: {NO_AUTH}"
    elif response.status_code in (200, 500):
        seen = f"{answer(response)}: /metrics is public ({NO_AUTH})"
    else:
        seen = answer(response)
    fail(
        "/metrics refuses anonymous requests (runbook: admin auth required)",
        "HTTP 401 or 403 from an auth check in front of /metrics",
        seen,
        remedies.METRICS_AUTH,
    )


def expect_metrics_disabled(response: httpx.Response) -> None:
    """`[metrics] expect = "disabled"`: the monitoring feature is off."""
    __tracebackhide__ = True
    if not feature_disabled(response):
        fail(
            "/metrics is disabled (the monitoring feature is off)",
            f"403 {{'error': '{FEATURE_OFF_ERROR}'}} from FeatureMiddleware",
            answer(response),
            remedies.METRICS_FEATURE_ON,
        )


def expect_metrics_open(response: httpx.Response) -> None:
    """`[metrics] expect = "open"` (what the real app is): anonymous requests get 200."""
    __tracebackhide__ = True
    if response.status_code != 200:
        fail(
            "/metrics answers anonymous requests (the real app has no auth on it)",
            "HTTP 200",
            answer(response),
            remedy_for(response),
        )


def metric_families(response: httpx.Response) -> dict[str, Any]:
    """Parse a Prometheus exposition; counters are keyed with and without ``_total``."""
    __tracebackhide__ = True
    if response.status_code != 200:
        fail("/metrics answers 200", "HTTP 200", answer(response), remedy_for(response))
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
        unprefixed = [n for n in missing if n.startswith("fakturino_") and n[10:] in families]
        note = (
            f" ({', '.join(unprefixed)} present without the exporter's `fakturino_` namespace:"
            " PROMETHEUS_NAMESPACE differs, or not the real app's exporter)"
            if unprefixed
            else ""
        )
        fail(
            "/metrics exposes the expected families",
            list(expected),
            f"missing {missing}{note}; present: {shorten(', '.join(sorted(families)))}",
            remedies.METRICS,
        )


def expect_route_matches_flag(flag: object, response: httpx.Response) -> None:
    """bootstrap's `feature_flags.monitoring` (DB over config) against what the route does
    (config only): a difference is a DB-only toggle the route does not follow."""
    __tracebackhide__ = True
    claim = "/metrics follows the monitoring feature flag the admin sees"
    if not isinstance(flag, bool):
        fail(claim, "a boolean feature_flags.monitoring in bootstrap", repr(flag), remedies.LOGIN)
    off = feature_disabled(response)
    if flag and off:
        fail(
            claim,
            "the route served, as feature_flags.monitoring = true says",
            f"{answer(response)}; bootstrap says monitoring is on (a DB toggle in Settings), but "
            "FeatureMiddleware.php reads only config",
            remedies.METRICS_FEATURE,
        )
    if not flag and not off:
        fail(
            claim,
            f"403 '{FEATURE_OFF_ERROR}', as feature_flags.monitoring = false says",
            f"{answer(response)}; bootstrap says monitoring is off (a DB toggle in Settings), "
            "but the route follows FEATURE_MONITORING=true",
            remedies.METRICS_FEATURE_ON,
        )
