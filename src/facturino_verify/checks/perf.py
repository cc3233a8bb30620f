"""Checks of the performance budget, the timing breakdown, the baseline and the queue.

Pure: round times, timings and queue snapshots in, ``CheckFailed`` out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..clients.queueprobe import JobState, Pending
from ..clients.timing import Timing
from . import remedies
from .base import fail


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation between closest ranks (numpy's
    default), so a p95 of 20 rounds sits between the 19th and 20th slowest."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Measurement:
    """Round times of one endpoint over reused connections, in milliseconds."""

    endpoint: str
    path: str
    rounds_ms: tuple[float, ...]
    statuses: Mapping[int, int]

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.rounds_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.rounds_ms, 0.95)

    def summary(self) -> dict[str, Any]:
        data = self.rounds_ms
        return {
            "path": self.path,
            "rounds": len(data),
            "mean_ms": round(self.mean_ms, 3),
            "median_ms": round(statistics.median(data), 3),
            "p95_ms": round(self.p95_ms, 3),
            "min_ms": round(min(data), 3),
            "max_ms": round(max(data), 3),
            "stddev_ms": round(statistics.stdev(data), 3) if len(data) > 1 else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def expect_answered_ok(m: Measurement) -> None:
    """A budget is only meaningful for real answers: every round must be a 200."""
    __tracebackhide__ = True
    others = {code: n for code, n in m.statuses.items() if code != 200}
    if others:
        fail(
            f"{m.path} answers 200 in every timed round",
            "HTTP 200 only",
            f"statuses {dict(sorted(m.statuses.items()))}",
            remedies.SERVER_ERROR if any(c >= 500 for c in others) else remedies.LOGIN,
        )


def expect_within_budget(m: Measurement, budget_ms: float, p95_max_ms: float) -> None:
    __tracebackhide__ = True
    expect_answered_ok(m)
    seen = f"mean {m.mean_ms:.1f} ms, p95 {m.p95_ms:.1f} ms over {len(m.rounds_ms)} rounds"
    if m.mean_ms > budget_ms:
        fail(
            f"{m.path} answers within the budget on average",
            f"mean <= {budget_ms:g} ms",
            seen,
            remedies.PERFORMANCE,
        )
    if m.p95_ms > p95_max_ms:
        fail(
            f"{m.path} stays under the SlowResponseTime line at p95",
            f"p95 <= {p95_max_ms:g} ms",
            seen,
            remedies.PERFORMANCE,
        )


def expect_no_regression(
    m: Measurement, baseline_mean_ms: float | None, percent: float, min_ms: float, source: str
) -> None:
    """Slower than the baseline by more than ``percent`` % and ``min_ms`` (both: a few ms on a
    5 ms endpoint are noise, not a regression)."""
    __tracebackhide__ = True
    if baseline_mean_ms is None:
        fail(
            f"{m.path} has a baseline to compare with",
            f"an entry for '{m.endpoint}' in {source}",
            "none",
            "record a baseline: copy a good run's results file to [perf] baseline_file",
        )
    limit = max(baseline_mean_ms * (1 + percent / 100), baseline_mean_ms + min_ms)
    if m.mean_ms > limit:
        change = (m.mean_ms / baseline_mean_ms - 1) * 100 if baseline_mean_ms else math.inf
        fail(
            f"{m.path} is not slower than the baseline",
            f"mean <= {limit:.1f} ms (baseline {baseline_mean_ms:.1f} ms + {percent:g} %, "
            f"at least +{min_ms:g} ms)",
            f"mean {m.mean_ms:.1f} ms (+{change:.0f} %)",
            remedies.PERF_REGRESSION,
        )


def median_timing(timings: Sequence[Timing]) -> dict[str, float]:
    """Each phase's median over the samples (ms), like one representative curl -w line."""
    phases = ("dns", "connect", "tls", "setup", "server", "transfer", "ttfb", "total")
    return {
        phase: round(statistics.median(t.as_dict()[phase] for t in timings), 3) for phase in phases
    }


def expect_connection_setup_within(path: str, timings: Sequence[Timing], max_ms: float) -> None:
    """DNS + connect + TLS of a fresh connection within budget; says which phase it was."""
    __tracebackhide__ = True
    phases = median_timing(timings)
    if phases["setup"] > max_ms:
        network = {k: phases[k] for k in ("dns", "connect", "tls")}
        slowest = max(network, key=lambda k: network[k])
        fail(
            f"a new connection for {path} is set up within budget",
            f"DNS + connect + TLS <= {max_ms:g} ms",
            f"{phases['setup']:.0f} ms (median of {len(timings)}): DNS {phases['dns']:.0f}, "
            f"connect {phases['connect']:.0f}, TLS {phases['tls']:.0f} ms; mostly {slowest}, "
            f"not the app (server {phases['server']:.0f} ms)",
            remedies.NETWORK,
        )


def expect_oldest_pending_recent(p: Pending, max_seconds: int) -> None:
    __tracebackhide__ = True
    if p.oldest_age_seconds is not None and p.oldest_age_seconds > max_seconds:
        fail(
            f"the oldest pending job is younger than {max_seconds} s",
            f"<= {max_seconds} s",
            f"job {p.oldest_id} on '{p.oldest_queue}' waiting {p.oldest_age_seconds} s "
            f"({p.count} pending)",
            remedies.QUEUE,
        )


def expect_picked_up(before: Pending, state: JobState, after: Pending, seconds: float) -> None:
    """The oldest job pending at the start left the pending state within the deadline."""
    __tracebackhide__ = True
    if before.oldest_id is not None and state.in_jobs and not state.reserved:
        fail(
            "the pending jobs drain",
            f"job {before.oldest_id} (oldest pending) picked up within {seconds:g} s",
            f"still pending after {seconds:g} s; pending count {before.count} -> {after.count}",
            remedies.QUEUE,
        )


def expect_probe_processed(job_id: int, state: JobState, seconds: float, queue: str) -> None:
    __tracebackhide__ = True
    if state.failed:
        fail(
            f"a probe job on '{queue}' is processed without errors",
            "processed (deleted from jobs)",
            f"job {job_id} landed in failed_jobs",
            remedies.FAILED_JOBS,
        )
    if state.in_jobs:
        where = "reserved, still running" if state.reserved else "never picked up"
        fail(
            f"a probe job on '{queue}' is processed within {seconds:g} s",
            "processed (deleted from jobs)",
            f"job {job_id} {where} after {seconds:g} s",
            remedies.QUEUE,
        )
