"""Figures over a time window from a Prometheus exposition: counters are totals since the app
started, so the window is "since the previous run" when that run's totals are known and the
app did not restart in between, else "since the app started". Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# PrometheusController's gauges in the exporter's namespace (config/prometheus-exporter.php).
UPTIME = ("fakturino_invoiceshelf_uptime_seconds",)
DISK = ("fakturino_invoiceshelf_disk_usage_percent",)


def _samples(families: Mapping[str, Any], name: str) -> list[Any]:
    family = families.get(name)
    return list(family.samples) if family is not None else []


def gauge(families: Mapping[str, Any], names: tuple[str, ...]) -> float | None:
    for name in names:
        samples = _samples(families, name)
        if samples:
            return float(samples[0].value)
    return None


def http_counters(
    families: Mapping[str, Any],
    metric: str,
    status_label: str,
    duration: str = "",
    duration_unit: str = "milliseconds",
) -> dict[str, Any] | None:
    """Totals of requests, 5xx responses and latency buckets (bounds in ms, from the
    ``duration`` histogram); None without the counter. ``metric`` is part of the totals: a
    recorded state of another counter is no baseline (``window``)."""
    if metric not in families:
        return None
    # A labelled counter has no sample until its first request: zero requests so far.
    requests = [s for s in _samples(families, metric) if s.name == metric]
    scale = 1000.0 if duration_unit == "seconds" else 1.0
    buckets: dict[str, float] = {}
    for s in _samples(families, duration) if duration else []:
        if s.name == duration + "_bucket":
            le = repr(float(s.labels["le"]) * scale)
            buckets[le] = buckets.get(le, 0.0) + float(s.value)
    return {
        "metric": metric,
        "requests": sum(float(s.value) for s in requests),
        "errors": sum(
            float(s.value) for s in requests if s.labels.get(status_label, "").startswith("5")
        ),
        "buckets_ms": buckets,
        "uptime": gauge(families, UPTIME),
    }


def window(
    current: Mapping[str, Any], previous: Mapping[str, Any] | None, previous_at: str | None
) -> tuple[dict[str, Any], str]:
    """The counters' increase over the window, and the window in words."""
    comparable = previous is not None and previous.get("metric") == current.get("metric")
    restarted = not comparable or any(
        float(current.get(k) or 0) < float((previous or {}).get(k) or 0)
        for k in ("requests", "uptime")
    )
    if restarted or previous is None:
        uptime = current.get("uptime")
        since = f"{float(uptime) / 3600:.1f} h ago" if uptime is not None else "an unknown time"
        return dict(current), f"since the app started, {since}"
    buckets = {
        le: n - float(previous.get("buckets_ms", {}).get(le, 0.0))
        for le, n in current["buckets_ms"].items()
    }
    delta = {
        "requests": current["requests"] - previous["requests"],
        "errors": current["errors"] - previous["errors"],
        "buckets_ms": buckets,
    }
    return delta, f"since the previous run at {previous_at}"


def p95_ms(buckets: Mapping[str, float]) -> float | None:
    """The 95th percentile from cumulative histogram buckets keyed by their bound in ms
    (linear within a bucket, as PromQL's histogram_quantile)."""
    bounds = sorted((float(le), n) for le, n in buckets.items())
    if not bounds or bounds[-1][1] <= 0:
        return None
    target = 0.95 * bounds[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in bounds:
        if count >= target:
            if bound == float("inf"):
                return lower_bound
            share = (target - lower_count) / (count - lower_count) if count > lower_count else 1
            return lower_bound + (bound - lower_bound) * share
        lower_bound, lower_count = bound, count
    return None
