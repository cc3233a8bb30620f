"""Optionally push the run's verdict as metrics to a Prometheus Pushgateway, so verification
history shows next to the application's own metrics in Grafana."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from ..verdict import EXIT_CODES, Verdict


def verdict_registry(verdict: Verdict, environment: str, duration_s: float) -> CollectorRegistry:
    registry = CollectorRegistry()
    labels = ("environment",)
    state = Gauge(
        "facturino_verify_verdict",
        "1 for the run's verdict, 0 for the others",
        [*labels, "verdict"],
        registry=registry,
    )
    for name in EXIT_CODES:
        state.labels(environment, name).set(1 if name == verdict.name else 0)
    checks = Gauge(
        "facturino_verify_checks",
        "checks of the run by severity and outcome",
        [*labels, "severity", "outcome"],
        registry=registry,
    )
    for severity, counts in verdict.counts.items():
        for outcome, count in counts.items():
            checks.labels(environment, severity, outcome).set(count)
    Gauge(
        "facturino_verify_duration_seconds", "wall time of the run", labels, registry=registry
    ).labels(environment).set(duration_s)
    Gauge("facturino_verify_exit_code", "the run's exit code", labels, registry=registry).labels(
        environment
    ).set(verdict.exit_code)
    return registry


def push(url: str, job: str, registry: CollectorRegistry, environment: str) -> str | None:
    """Push; return None on success or the reason it failed (a failed push never fails the run)."""
    try:
        push_to_gateway(
            url, job=job, registry=registry, grouping_key={"environment": environment}, timeout=5
        )
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None
