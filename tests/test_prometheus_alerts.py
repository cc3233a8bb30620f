"""End to end with a real Prometheus server: it scrapes six reference deployments (anonymously,
as the app allows) with monitoring/alerts.yml loaded; the matching alert fires for each fault
and none for the healthy one, and `pytest -m monitoring` with the server configured fails
exactly the checks the fault breaks (the /metrics window and the PromQL figures), and passes on
the healthy deployment. The sixth is the real app as it is (`--profile upstream`): /metrics
answers 500, so TargetDown fires and nothing else can. Every series the rules read is one the
healthy (fixed) app really exports.

One Prometheus for all six (its first samples take 5-6 s, paid once).
"""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from .perf_ports import PROMETHEUS_PORT, PROMETHEUS_TARGETS
from .prometheus_server import Prometheus, Target, prometheus
from .reference_runs import SuiteRun, reference, run_suite
from .test_alert_rules import rules, series_names

pytestmark = pytest.mark.fault_matrix

METRICS = {
    "test_metrics_error_rate_below_threshold",
    "test_metrics_p95_latency_below_alert_line",
    "test_metrics_average_latency_below_budget",
    "test_metrics_queue_depth_below_threshold",
}
PROMQL = {
    "test_prometheus_scrapes_the_target",
    "test_prometheus_error_rate_below_threshold",
    "test_prometheus_p95_latency_below_alert_line",
    "test_prometheus_average_latency_below_budget",
    "test_prometheus_queue_depth_below_threshold",
    "test_no_alert_firing_for_the_target",
}
ALERTS = "test_no_alert_firing_for_the_target"
# fault -> (the alert it must fire, the monitoring checks it must fail with Prometheus)
CASES: dict[str, tuple[str | None, set[str]]] = {
    "healthy": (None, set()),
    "error_burst": (
        "HighErrorRate",
        {
            "test_metrics_error_rate_below_threshold",
            "test_prometheus_error_rate_below_threshold",
            ALERTS,
        },
    ),
    "queue_backlog": (
        "QueueBacklog",
        {
            "test_metrics_queue_depth_below_threshold",
            "test_prometheus_queue_depth_below_threshold",
            ALERTS,
        },
    ),
    # /metrics answers 500: the window and every Prometheus figure (the target is down).
    "metrics_broken": ("TargetDown", METRICS | PROMQL),
    "slow_dashboard=1500": (
        "SlowResponseTime",
        {
            "test_metrics_p95_latency_below_alert_line",
            "test_metrics_average_latency_below_budget",
            "test_prometheus_p95_latency_below_alert_line",
            "test_prometheus_average_latency_below_budget",
            ALERTS,
        },
    ),
    # d5d901d7 as it is: every scrape answers 500 (PrometheusController.php:42).
    "upstream": ("TargetDown", METRICS | PROMQL),
}
# Traffic for rates and percentiles: the middleware does not count the scrapes of /metrics
# (config/prometheus.php ignore_routes), so an idle target has no request series at all.
USERS = {"healthy", "error_burst", "queue_backlog", "slow_dashboard=1500"}
PROFILES = {"upstream": ["--profile", "upstream"]}
BOUNDED = {"FACTURINO_VERIFY__MONITORING__WINDOW_SECONDS": "3"}


def _start(stack: ExitStack) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    lock = threading.Lock()

    def start(name: str, base: int) -> None:
        faults = [] if name in ("healthy", *PROFILES) else [name]
        extra = (["--users", "10"] if name in USERS else []) + PROFILES.get(name, [])
        home = stack.enter_context(reference(base, faults, extra))
        with lock:
            targets[name] = Target(name.replace("=", "_"), home, base + 443)

    threads = [
        threading.Thread(target=start, args=(name, base))
        for name, base in zip(CASES, PROMETHEUS_TARGETS, strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(targets) == set(CASES), "a deployment did not start"
    return targets


def _monitoring(server: Prometheus, target: Target, with_prometheus: bool) -> SuiteRun:
    overrides = dict(BOUNDED)
    if with_prometheus:
        overrides["FACTURINO_VERIFY__MONITORING__PROMETHEUS_URL"] = server.url
        overrides["FACTURINO_VERIFY__MONITORING__PROMETHEUS_SELECTOR"] = target.selector
    return run_suite(target.home, "monitoring", overrides=overrides)


def _problems(name: str, run: SuiteRun, expected: set[str], names: set[str]) -> list[str]:
    seen = run.named("failed") | run.named("error")
    found = []
    if seen != expected:
        found.append(
            f"{name}: missed {sorted(expected - seen)}, cross-talk {sorted(seen - expected)}\n"
            f"{run.output[-1500:]}"
        )
    if run.named("skipped") or set(run.outcomes) != names:
        found.append(f"{name}: skipped {run.named('skipped')}, ran {sorted(run.outcomes)}")
    return found


def test_alerts_fire_and_monitoring_fails_exactly_with_a_prometheus_server() -> None:
    with ExitStack() as stack:
        targets = _start(stack)
        server = stack.enter_context(prometheus(PROMETHEUS_PORT, list(targets.values())))
        expected = {targets[name]: alert for name, (alert, _) in CASES.items() if alert}
        healthy = targets["healthy"]

        def settled() -> bool:
            fired = all(alert in server.firing(t) for t, alert in expected.items())
            return fired and bool(
                server.query(f"rate(fakturino_http_requests_total{{{healthy.selector}}}[5m])")
            )

        assert server.until(settled, 40.0), {t.name: server.firing(t) for t in expected}
        firing = {name: server.firing(target) for name, target in targets.items()}
        unexported = sorted(
            name
            for name in set().union(*(series_names(rule["expr"]) for rule in rules()))
            if name.startswith("fakturino_") and not server.query(f"{name}{{{healthy.selector}}}")
        )
        runs: dict[str, SuiteRun] = {}

        def run(name: str) -> None:
            target = targets[name.removesuffix(" without Prometheus")]
            runs[name] = _monitoring(server, target, not name.endswith("without Prometheus"))

        names = [*CASES, "healthy without Prometheus"]
        for batch in (names[:3], names[3:5], names[5:]):  # a few pytest processes at a time
            threads = [threading.Thread(target=run, args=(name,)) for name in batch]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    problems = [f"the rules read series the app does not export: {unexported}"] * bool(unexported)
    problems += [
        f"{name}: firing {sorted(firing[name])}, expected {alert or 'nothing'}"
        for name, (alert, _) in CASES.items()
        if firing[name] != ({alert} if alert else set())
    ]
    for name, (_, failing) in CASES.items():
        problems += _problems(name, runs[name], failing, METRICS | PROMQL)
    problems += _problems(
        "healthy without Prometheus", runs["healthy without Prometheus"], set(), METRICS
    )
    assert problems == [], "\n".join(problems)
