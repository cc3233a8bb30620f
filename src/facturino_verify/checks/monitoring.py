"""Figures from /metrics over a short window (two parsed scrapes), and the thresholds they are
held to: error rate, p95 and average latency, queue depth. Also the PromQL that reads the same
figures from a Prometheus server. Pure: parsed families and query results in."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import remedies
from .base import fail, shorten
from .metrics import NO_REQUEST_COUNTER, NO_REQUEST_HISTOGRAM

Labels = frozenset[tuple[str, str]]
QUANTILE_95 = 'quantile="0.95"'


@dataclass(frozen=True)
class Window:
    """Two scrapes of /metrics, ``seconds`` apart, parsed (family name -> family)."""

    before: Mapping[str, Any]
    after: Mapping[str, Any]
    seconds: float


@dataclass(frozen=True)
class Latency:
    kind: str  # histogram / summary / gauge
    observations: float  # requests observed in the window (histogram/summary)
    avg_ms: float | None
    p95_ms: float | None


# Why a family the fixed app exports can be missing from the real app's /metrics.
WHY_ABSENT = {
    "requests_metric": NO_REQUEST_COUNTER,
    "latency_metric": NO_REQUEST_HISTOGRAM,
}


def _family(families: Mapping[str, Any], name: str, key: str) -> Any:
    __tracebackhide__ = True
    family = families.get(name)
    if family is None:
        why = f" ({WHY_ABSENT[key]})" if key in WHY_ABSENT else ""
        fail(
            f"/metrics exports {name}",
            f"a family named {name} ([monitoring] {key})",
            f"absent{why}; families: {shorten(', '.join(sorted(families)), 300)}",
            remedies.METRICS,
        )
    return family


def _values(family: Any, suffix: str = "") -> dict[Labels, float]:
    """Sample values of one series kind (``_bucket``, ``_sum``, ``_count``, ``_total``...)."""
    wanted = {family.name + suffix} if suffix else {family.name, family.name + "_total"}
    return {frozenset(s.labels.items()): float(s.value) for s in family.samples if s.name in wanted}


def _delta(before: Mapping[Labels, float], after: Mapping[Labels, float]) -> dict[Labels, float]:
    """Counter increase per series; a series that went down restarted: its new value counts."""
    return {k: v - before.get(k, 0.0) if v >= before.get(k, 0.0) else v for k, v in after.items()}


def error_rate(window: Window, metric: str, status_label: str) -> tuple[float, float, float]:
    """(5xx / all, 5xx count, all count) of the requests served in the window."""
    __tracebackhide__ = True
    family = _family(window.after, metric, "requests_metric")
    old = window.before.get(metric)
    deltas = _delta(_values(old) if old else {}, _values(family))
    total = sum(deltas.values())
    errors = sum(n for k, n in deltas.items() if dict(k).get(status_label, "").startswith("5"))
    return (errors / total if total else 0.0), errors, total


def histogram_quantile(q: float, buckets: Mapping[float, float]) -> float | None:
    """PromQL's histogram_quantile over cumulative bucket counts keyed by upper bound."""
    bounds = sorted(buckets)
    if not bounds or not math.isinf(bounds[-1]) or buckets[bounds[-1]] <= 0:
        return None
    rank = q * buckets[bounds[-1]]
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return lower  # PromQL: the highest finite bound
            if count == below:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return None


def _histogram(window: Window, family: Any, scale: float) -> Latency:
    old = window.before.get(family.name)
    buckets: dict[float, float] = {}
    for labels, n in _delta(
        _values(old, "_bucket") if old else {}, _values(family, "_bucket")
    ).items():
        bound = float(dict(labels)["le"])
        buckets[bound] = buckets.get(bound, 0.0) + n
    count = sum(_delta(_values(old, "_count") if old else {}, _values(family, "_count")).values())
    total = sum(_delta(_values(old, "_sum") if old else {}, _values(family, "_sum")).values())
    p95 = histogram_quantile(0.95, buckets)
    return Latency(
        "histogram",
        count,
        total / count * scale if count else None,
        None if p95 is None else p95 * scale,
    )


def _summary(window: Window, family: Any, scale: float) -> Latency:
    old = window.before.get(family.name)
    count = sum(_delta(_values(old, "_count") if old else {}, _values(family, "_count")).values())
    total = sum(_delta(_values(old, "_sum") if old else {}, _values(family, "_sum")).values())
    p95s = [v for k, v in _values(family).items() if dict(k).get("quantile") == "0.95"]
    return Latency(
        "summary",
        count,
        total / count * scale if count else None,
        max(p95s) * scale if p95s and not math.isnan(max(p95s)) else None,
    )


def latency(window: Window, metric: str, unit: str) -> Latency:
    """Average and p95 (ms) of the requests in the window, from a histogram or summary; a
    gauge is taken as the app's own average (no percentile)."""
    __tracebackhide__ = True
    family = _family(window.after, metric, "latency_metric")
    scale = 1000.0 if unit == "seconds" else 1.0
    if family.type == "histogram":
        return _histogram(window, family, scale)
    if family.type == "summary":
        return _summary(window, family, scale)
    values = list(_values(family).values())
    return Latency("gauge", math.nan, sum(values) / len(values) * scale if values else None, None)


def queue_depth(families: Mapping[str, Any], metric: str) -> float:
    __tracebackhide__ = True
    return sum(_values(_family(families, metric, "queue_depth_metric")).values())


def expect_error_rate_below(rate: float, maximum: float, where: str, detail: str = "") -> None:
    __tracebackhide__ = True
    if rate >= maximum:
        fail(
            f"the error rate ({where}) is below {maximum:.0%}",
            f"5xx / all < {maximum:.2%}",
            f"{rate:.2%}" + (f" ({detail})" if detail else ""),
            remedies.SERVER_ERROR,
        )


def expect_latency_below(value_ms: float | None, maximum_ms: float, what: str, where: str) -> None:
    __tracebackhide__ = True
    if value_ms is not None and value_ms >= maximum_ms:
        fail(
            f"the {what} response time ({where}) is below {maximum_ms:g} ms",
            f"< {maximum_ms:g} ms",
            f"{value_ms:.1f} ms",
            remedies.PERFORMANCE,
        )


def expect_queue_depth_below(depth: float, maximum: int, where: str) -> None:
    __tracebackhide__ = True
    if depth >= maximum:
        fail(
            f"the queue depth ({where}) is below {maximum}",
            f"< {maximum} jobs",
            f"{depth:g} jobs",
            remedies.QUEUE,
        )


# --- Prometheus: the same figures with PromQL --------------------------------------------


def series(metric: str, selector: str, *extra: str) -> str:
    """``metric{selector, extra...}`` (empty braces dropped)."""
    matchers = ", ".join(m for m in (selector, *extra) if m)
    return f"{metric}{{{matchers}}}" if matchers else metric


def promql_error_rate(metric: str, status_label: str, selector: str, window: str) -> str:
    """5xx / all over ``window``; no 5xx series at all counts as 0 errors (`or vector(0)`)."""
    errors = series(metric, selector, f'{status_label}=~"5.."')
    everything = series(metric, selector)
    return f"(sum(rate({errors}[{window}])) or vector(0)) / sum(rate({everything}[{window}]))"


def promql_latency(
    metric: str, kind: str | None, selector: str, window: str
) -> tuple[str, str | None]:
    """(average query, p95 query or None) in the metric's own unit."""
    if kind in ("histogram", "summary"):
        average = (
            f"sum(rate({series(metric + '_sum', selector)}[{window}])) / "
            f"sum(rate({series(metric + '_count', selector)}[{window}]))"
        )
        if kind == "histogram":
            buckets = series(metric + "_bucket", selector)
            return average, f"histogram_quantile(0.95, sum by (le) (rate({buckets}[{window}])))"
        return average, f"max({series(metric, selector, QUANTILE_95)})"
    return f"avg({series(metric, selector)})", None


def expect_scraped(up: Iterable[float], selector: str) -> None:
    __tracebackhide__ = True
    values = list(up)
    if not values or any(v != 1 for v in values):
        fail(
            "Prometheus scrapes the target successfully",
            f"up{{{selector}}} == 1",
            "no such target" if not values else f"up = {values}",
            remedies.PROMETHEUS,
        )


def expect_data(values: list[float], promql: str) -> float:
    """The single value of an aggregated query; no data is a failure (stale target)."""
    __tracebackhide__ = True
    if not values:
        fail(
            "Prometheus has data for the target",
            f"a value for {promql}",
            "an empty result (the target is not scraped, its series are stale, or it has "
            "served no counted request since it started: the app's request metrics do not "
            "count the scrapes of /metrics)",
            remedies.PROMETHEUS,
        )
    value = values[0]
    return 0.0 if math.isnan(value) else value  # 0/0: no requests in the range


def expect_no_firing_alerts(alerts: Iterable[Mapping[str, str]], selector: str) -> None:
    __tracebackhide__ = True
    firing = sorted({a.get("alertname", "?") for a in alerts})
    if firing:
        fail(
            "no alert is firing for the target",
            f'ALERTS{{alertstate="firing", {selector}}} empty',
            f"firing: {', '.join(firing)}",
            remedies.ALERTS,
        )
