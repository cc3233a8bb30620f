"""The perf and monitoring fault matrix: every check of tests_perf/ and tests_monitoring/ is
proven able to fail, and faults do not cross-talk.

Each case starts a private reference deployment with simulated users (real traffic for the
/metrics window), injects one fault and runs both suites as whole processes (the perf suite in
its own invocation, as it must be). The set of failing checks must be exactly the expected one.
The Prometheus-backed checks and the alert rules run against a real Prometheus server in
test_prometheus_alerts.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from facturino_reference.faults import FAULTS_BY_NAME, trips_match

from .perf_ports import MATRIX, REDIS_QUEUE
from .reference_runs import SuiteRun, reference, run_suite

pytestmark = pytest.mark.fault_matrix

ENDPOINTS = ("admin_dashboard", "bootstrap", "dashboard_api")
DASHBOARD = ("admin_dashboard", "dashboard_api")  # the two the dashboard's query slows down


def each(test: str, params: tuple[str, ...] = ENDPOINTS) -> set[str]:
    return {f"{test}[{p}]" for p in params}


BUDGET = "test_dashboard_response_time_within_budget"
REGRESSION = "test_dashboard_no_regression_against_baseline"
TIMING = "test_connection_timing_within_budget"
QUEUE = {
    "test_oldest_pending_job_is_recent",
    "test_pending_queue_drains",
    "test_probe_job_is_processed_within_deadline",
}
PERF = each(BUDGET) | each(TIMING) | QUEUE
METRICS = {
    "test_metrics_error_rate_below_threshold",
    "test_metrics_p95_latency_below_alert_line",
    "test_metrics_average_latency_below_budget",
    "test_metrics_queue_depth_below_threshold",
}


@dataclass(frozen=True)
class Case:
    perf: set[str] | None  # None: the perf suite is not run for this fault
    monitoring: set[str] = field(default_factory=set)


EXPECTED: dict[str, Case] = {
    "healthy": Case(set()),
    "slow_dashboard": Case(each(BUDGET, DASHBOARD)),  # 250 ms: over the 200 ms budget
    "slow_dashboard=100": Case(set()),  # inside the budget (the baseline test flags it)
    "slow_tls": Case(each(TIMING)),  # the handshake, not the app: budgets over kept-alive pass
    "error_burst": Case(set(), {"test_metrics_error_rate_below_threshold"}),
    "queue_backlog": Case(set(QUEUE), {"test_metrics_queue_depth_below_threshold"}),
    "queue_worker_dead": Case(QUEUE - {"test_oldest_pending_job_is_recent"}),
    "metrics_broken": Case(set(), set(METRICS)),
    "metrics_malformed": Case(set(), set(METRICS)),
    # 1.5 s per dashboard request: the window's p95 and average; the perf suite would spend a
    # minute timing it and adds nothing over slow_dashboard.
    "slow_dashboard=1500": Case(
        None,
        {"test_metrics_p95_latency_below_alert_line", "test_metrics_average_latency_below_budget"},
    ),
}
PORT_BASE = dict(zip([*EXPECTED, "baseline", "baseline_slow", "invoiceshelf"], MATRIX, strict=True))
USERS = ("--users", "10")
# Deadlines short enough for a matrix (the defaults suit a real worker's --sleep=3).
BOUNDED = {
    "FACTURINO_VERIFY__PERF__QUEUE_DRAIN_DEADLINE_SECONDS": "4",
    "FACTURINO_VERIFY__PERF__QUEUE_PROBE_DEADLINE_SECONDS": "4",
    "FACTURINO_VERIFY__MONITORING__WINDOW_SECONDS": "3",
}
# A make-test machine runs other deployments at the same time: a difference under 50 ms is not
# taken for a regression here (slow_dashboard=100 adds 100 ms; the default floor is 20 ms).
QUIET_MACHINE = {"FACTURINO_VERIFY__PERF__REGRESSION_MIN_MS": "50"}
# An app whose controller works but that counts no request (PrometheusMiddleware registered
# nowhere, as at d5d901d7), said so in the environment: only the controller's average gauge.
CONTROLLER_GAUGES_ONLY = {
    "FACTURINO_VERIFY__MONITORING__REQUESTS_METRIC": "",
    "FACTURINO_VERIFY__MONITORING__LATENCY_METRIC": "fakturino_invoiceshelf_avg_response_time_ms",
    "FACTURINO_VERIFY__MONITORING__LATENCY_UNIT": "milliseconds",
}


def failing(run: SuiteRun) -> set[str]:
    return run.named("failed") | run.named("error")


def perf(
    home: Path,
    overrides: dict[str, str] | None = None,
    name: str = "perf",
    marker: str = "perf",
) -> SuiteRun:
    return run_suite(
        home, marker, f"--reports-dir={home / name}", overrides={**BOUNDED, **(overrides or {})}
    )


def monitoring(home: Path, overrides: dict[str, str] | None = None) -> SuiteRun:
    return run_suite(home, "monitoring", overrides={**BOUNDED, **(overrides or {})})


def assert_exactly(run: SuiteRun, expected: set[str], suite: str) -> None:
    seen = failing(run)
    assert seen == expected, (
        f"{suite}: missed (should fail): {sorted(expected - seen)}; "
        f"cross-talk (should pass): {sorted(seen - expected)}\n{run.output[-2500:]}"
    )
    assert run.named("skipped") == set(), f"{suite}: skipped {run.named('skipped')}"


def smoke_trips(fault: str, names: set[str]) -> set[str]:
    """The smoke checks the fault registry says this fault trips (its `trips` patterns)."""
    if fault == "healthy":
        return set()
    patterns = FAULTS_BY_NAME[fault.split("=")[0]].trips
    return {name for name in names if any(trips_match(p, name) for p in patterns)}


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_fails_exactly_its_perf_and_monitoring_checks(fault: str) -> None:
    """All three suites in one process (one pytest start-up per case; still the perf suite's
    own invocation, without xdist). The smoke checks it fails must be exactly the fault's
    `trips` in the registry, so `facturino-reference faults` tells the truth."""
    case = EXPECTED[fault]
    marker = "smoke or " + ("monitoring" if case.perf is None else "perf or monitoring")
    with reference(PORT_BASE[fault], [] if fault == "healthy" else [fault], USERS) as home:
        run = perf(home, marker=marker)
    ours = METRICS | (PERF if case.perf is not None else set())
    smoke = set(run.outcomes) - ours
    expected = (case.perf or set()) | case.monitoring | smoke_trips(fault, smoke)
    assert_exactly(run, expected, marker)
    assert ours <= set(run.outcomes) and len(smoke) > 40, sorted(run.outcomes)


def test_baseline_flags_slow_dashboard_100_inside_the_budget() -> None:
    """A healthy run is the baseline; the healthy deployment passes against it, and the
    dashboard 100 ms slower (still inside 200 ms) is flagged as a regression. No simulated
    users here, and one run at a time: the comparison wants a quiet machine."""
    with (
        reference(PORT_BASE["baseline"]) as healthy,
        reference(PORT_BASE["baseline_slow"], ["slow_dashboard=100"]) as slow,
    ):
        first = perf(healthy, name="first")
        baseline = healthy / "first" / "perf-results.json"
        assert failing(first) == set() and baseline.exists(), first.output[-2500:]
        using = {"FACTURINO_VERIFY__PERF__BASELINE_FILE": str(baseline), **QUIET_MACHINE}
        again = perf(healthy, using, name="again")
        slowed = perf(slow, using)
        results = json.loads(baseline.read_text())
    assert_exactly(again, set(), "perf, healthy against its baseline")
    assert_exactly(slowed, each(REGRESSION, DASHBOARD), "perf, slow_dashboard=100")
    assert set(slowed.outcomes) == PERF | each(REGRESSION)
    assert set(results["endpoints"]) == set(ENDPOINTS)
    assert {"dns", "connect", "tls", "server", "ttfb", "total"} <= set(
        results["endpoints"]["admin_dashboard"]["breakdown_ms"]
    )


def test_monitoring_reads_the_controllers_average_gauge_without_a_request_counter() -> None:
    """An environment that says the app counts no request (`requests_metric = ""`) and reads
    the controller's average gauge: the error rate and the p95 are skipped with the reason, the
    average is read from the gauge, the queue depth from its gauge. Without that setting, a
    missing counter fails (the matrix's default run names it)."""
    with reference(PORT_BASE["invoiceshelf"], ["queue_backlog"], USERS) as home:
        run = run_suite(home, "monitoring", "-rs", overrides={**BOUNDED, **CONTROLLER_GAUGES_ONLY})
        absent = monitoring(home, {"FACTURINO_VERIFY__MONITORING__REQUESTS_METRIC": "nope_total"})
    assert failing(run) == {"test_metrics_queue_depth_below_threshold"}, run.output[-2500:]
    assert run.named("skipped") == {
        "test_metrics_error_rate_below_threshold",
        "test_metrics_p95_latency_below_alert_line",
    }
    assert "registers PrometheusMiddleware nowhere" in run.output
    assert "test_metrics_average_latency_below_budget" in run.named("passed")
    assert "test_metrics_error_rate_below_threshold" in failing(absent), absent.output[-2500:]
    assert "bootstrap/app.php registers it nowhere" in absent.output


PROBE = "test_probe_job_is_processed_within_deadline"
PENDING_READS = QUEUE - {PROBE}  # the two checks that read what waits
# (fault, --queue-connection) → failing queue checks. On the redis connection the database
# probe is skipped with the reason; jobs on the other connection fail both pending reads.
CONNECTION_CASES: dict[tuple[str, str], set[str]] = {
    ("healthy", "redis"): set(),
    # 1500 payloads created 15 minutes ago on a paused `redis:default`.
    ("queue_backlog", "redis"): PENDING_READS,
    # Five fresh payloads and no worker: recent, but nobody pops them.
    ("queue_worker_dead", "redis"): {"test_pending_queue_drains"},
    # The app queues on Redis, but 150 jobs wait in the jobs table (an empty Redis list is
    # no evidence there).
    ("queue_over_max", "redis"): PENDING_READS,
    # The app queues in the database, but 150 payloads wait in Redis.
    ("redis_queue_over_max", "database"): PENDING_READS,
}


def test_queue_checks_read_where_the_app_queues_and_fail_on_the_other_connection() -> None:
    """`QUEUE_CONNECTION=redis`: pending age from the head payload's `createdAt`, draining as
    that payload leaving its list; the database probe is skipped with the reason. On either
    connection, jobs found on the other one fail the checks naming both. One base, the cases
    one after the other."""
    for (fault, connection), expected in CONNECTION_CASES.items():
        faults = [] if fault == "healthy" else [fault]
        extra = ("--queue-connection", connection)
        with reference(REDIS_QUEUE, faults, extra) as home:
            run = run_suite(
                home,
                "perf",
                f"--reports-dir={home / 'perf'}",
                "-k",
                "pending or probe",
                "-rs",
                overrides=BOUNDED,
            )
        case = f"{fault} on {connection}: {run.output[-2500:]}"
        assert failing(run) == expected, case
        assert set(run.outcomes) == QUEUE, case
        if connection == "redis":
            assert run.named("skipped") == {PROBE}, case
            assert "would never be taken by a worker of the redis connection" in run.output
        else:
            assert run.named("skipped") == set(), case
        if fault.endswith("over_max"):
            other = "the jobs table" if connection == "redis" else "Redis DB 3"
            assert f"jobs are only on the app's queue connection '{connection}'" in run.output
            assert f"150 job(s) in {other}" in run.output, case
