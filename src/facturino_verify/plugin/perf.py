"""The perf suite's plumbing: its own invocation, the timed SPA session, results and baseline.

pytest-benchmark switches itself off under xdist (and with --benchmark-disable/-skip): a budget
check would then measure nothing. So a run that selects `perf` tests where pytest-benchmark
cannot measure is refused before collection (exit 4, with the command that works), and runs
that only pick perf tests up implicitly (a parallel run of every suite) deselect them with
that reason. Results go to ``<reports dir>/perf-results.json``; ``[perf] baseline_file`` names
an earlier one to compare with.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from collections import Counter
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from ..checks.base import fail
from ..checks.perf import Measurement, median_timing
from ..clients import TargetError
from ..clients.sanctum import SanctumSession
from ..clients.timing import Timing, timed_get
from ..config import Environment
from ..extras import PERF_EXTRA, install_hint, missing_modules
from . import stash
from .deployment import Deployment
from .html_report import budget_chart

PERF_RUN = pytest.StashKey["PerfRun"]()
EXTRAS = pytest.StashKey[list[str]]()  # HTML fragments for the current test's report
RUN_ALONE = "pytest -m perf --env NAME   (its own invocation: no -n, no --benchmark-skip/-disable)"


# --- its own invocation ---------------------------------------------------------------------


def selects_perf(config: pytest.Config) -> bool:
    """Whether the command line asks for perf tests: ``-m`` that perf satisfies or requires,
    or a tests_perf path."""
    explicit = config.args_source == pytest.Config.ArgsSource.ARGS  # not testpaths' defaults
    if explicit and any("tests_perf" in Path(str(arg)).parts for arg in config.args):
        return True
    markexpr = config.option.markexpr
    if not re.search(r"\bperf\b", markexpr or ""):
        return False  # e.g. `-m "not fault_matrix"`: perf tests are not asked for by name
    # pytest's own parser for -m (private module: there is no public one).
    from _pytest.mark.expression import Expression

    def only_perf(name: str, /, **_: str | int | bool | None) -> bool:
        return name == "perf"

    def everything(name: str, /, **_: str | int | bool | None) -> bool:
        return True

    def all_but_perf(name: str, /, **_: str | int | bool | None) -> bool:
        return name != "perf"

    expression = Expression.compile(markexpr)
    needs_perf = expression.evaluate(everything) and not expression.evaluate(all_but_perf)
    return expression.evaluate(only_perf) or needs_perf


def benchmark_unusable(config: pytest.Config) -> str | None:
    """Why pytest-benchmark would measure nothing in this run; None when it works."""
    session = getattr(config, "_benchmarksession", None)
    if session is None:
        return "pytest-benchmark is not loaded (-p no:benchmark?)"
    if config.getoption("dist", "no") != "no" or os.environ.get("PYTEST_XDIST_WORKER"):
        return "pytest-xdist is active (-n/--dist): pytest-benchmark switches itself off"
    if session.skip:
        return "--benchmark-skip is given"
    if session.disabled:
        return "--benchmark-disable is given"
    return None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # trylast: pytest-benchmark has decided in its own pytest_configure whether it measures.
    if hasattr(config, "workerinput"):
        return  # the controller already refused or accepted the run
    reason = benchmark_unusable(config)
    if reason and selects_perf(config):
        missing = missing_modules(PERF_EXTRA)
        if missing:
            raise pytest.UsageError(install_hint(PERF_EXTRA, missing))
        raise pytest.UsageError(
            f"the perf suite cannot measure in this run: {reason}. Run: {RUN_ALONE}"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Perf tests picked up implicitly where pytest-benchmark cannot measure: deselected with
    the reason (like --benchmark-skip, but listed), never run to a meaningless verdict."""
    reason = benchmark_unusable(config)
    if reason is None:
        return
    drop = [item for item in items if item.get_closest_marker("perf")]
    if not drop:
        return
    why = f"{reason}; run the perf suite on its own: {RUN_ALONE}"
    if stash.DESELECTED in config.stash:
        config.stash[stash.DESELECTED].extend((item.nodeid, why) for item in drop)
    config.hook.pytest_deselected(items=drop)
    items[:] = [item for item in items if not item.get_closest_marker("perf")]


# --- the timed session and its results -------------------------------------------------------


class PerfRun:
    """The run's measurements of the dashboard endpoints over the shared admin session."""

    def __init__(self, deployment: Deployment, env: Environment) -> None:
        self.deployment, self.env = deployment, env
        self.measurements: dict[str, Measurement] = {}
        self.breakdowns: dict[str, list[Timing]] = {}
        self.queue: dict[str, Any] = {}

    def path(self, endpoint: str) -> str:
        return self.env.perf.endpoints[endpoint]

    def session(self) -> SanctumSession:
        """The admin's SPA session (one login per run); a failed login fails the check."""
        __tracebackhide__ = True
        session = self.deployment.session("admin")
        try:
            session.client()
        except TargetError as error:
            problem = str(error)
        else:
            return session
        fail(
            "the admin test account can log in", "an SPA session", problem, "check [accounts.admin]"
        )

    def _accept(self, path: str) -> dict[str, str]:
        # The page is a browser navigation; the API calls are the SPA's JSON requests.
        return {} if path.startswith("/api/") else {"Accept": "text/html,application/xhtml+xml"}

    def time_endpoint(self, benchmark: Any, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        path, perf = self.path(endpoint), self.env.perf
        session, headers = self.session(), self._accept(self.path(endpoint))
        statuses: Counter[int] = Counter()

        def request() -> None:
            statuses[session.get(path, headers=headers).status_code] += 1

        benchmark.group = "dashboard"
        benchmark.extra_info["path"] = path
        try:
            benchmark.pedantic(
                request, rounds=perf.rounds, warmup_rounds=perf.warmup_rounds, iterations=1
            )
        except TargetError as error:
            problem = str(error)
        else:
            return self._measured(endpoint, path, benchmark, statuses)
        fail(f"{path} answers every timed round", "an answer", problem, "see the connection error")

    def _measured(
        self, endpoint: str, path: str, benchmark: Any, statuses: Counter[int]
    ) -> Measurement:
        __tracebackhide__ = True
        stats = getattr(getattr(benchmark, "stats", None), "stats", None)
        if stats is None or not stats.data:
            fail(f"{path} was timed", "pytest-benchmark round times", "none", RUN_ALONE)
        measurement = Measurement(endpoint, path, tuple(t * 1000 for t in stats.data), statuses)
        self.measurements[endpoint] = measurement
        return measurement

    def measurement(self, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        if endpoint not in self.measurements:
            fail(
                f"{self.path(endpoint)} was timed in this run",
                "its budget test ran first (tests_perf/test_dashboard_budget.py)",
                "no measurement",
                "do not deselect the budget tests when comparing with the baseline",
            )
        return self.measurements[endpoint]

    def breakdown(self, endpoint: str) -> list[Timing]:
        """``breakdown_samples`` requests on fresh connections, each timed phase by phase."""
        __tracebackhide__ = True
        path, target = self.path(endpoint), self.env.target
        headers = {**self._spa_headers(self.session()), **self._accept(path)}
        timings: list[Timing] = []
        try:
            for _ in range(self.env.perf.breakdown_samples):
                timings.append(
                    timed_get(
                        self.deployment.http.url(path),
                        headers,
                        ca_file=target.ca_file,
                        verify=target.verify_tls,
                        timeout=target.connect_timeout + target.read_timeout,
                    )
                )
        except TargetError as error:
            problem = str(error)
        else:
            self.breakdowns[endpoint] = timings
            return timings
        fail(f"{path} answers on a fresh connection", "an answer", problem, "see the error")

    def _spa_headers(self, session: SanctumSession) -> dict[str, str]:
        """The logged-in SPA's cookies and headers, for a request outside httpx."""
        jar = session.client().cookies
        headers = {
            "Accept": "application/json",
            "Referer": self.deployment.http.base_url + "/",
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in jar.jar),
        }
        if jar.get("XSRF-TOKEN"):
            headers["X-XSRF-TOKEN"] = unquote(jar.get("XSRF-TOKEN") or "")
        company = self.env.accounts["admin"].company_id if "admin" in self.env.accounts else None
        if company is not None:
            headers["company"] = str(company)
        return headers

    def baseline(self) -> tuple[dict[str, Any], str]:
        """The baseline file's endpoints and its name; a missing or unreadable file fails."""
        __tracebackhide__ = True
        path = self.env.perf.baseline_file
        try:
            data = json.loads(Path(str(path)).read_text(encoding="utf-8"))
            endpoints = data["endpoints"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            return (endpoints if isinstance(endpoints, dict) else {}), str(path)
        fail(
            "the perf baseline can be read",
            f"a results file at {path}",
            problem,
            "record one: run the perf suite on a good release and copy reports/perf-results.json",
        )

    def baseline_mean(self, endpoint: str) -> tuple[float | None, str]:
        """The baseline's mean for ``endpoint`` (None if it has none) and the file's name."""
        __tracebackhide__ = True
        endpoints, source = self.baseline()
        entry = endpoints.get(endpoint)
        mean = entry.get("mean_ms") if isinstance(entry, dict) else None
        return (float(mean) if isinstance(mean, int | float) else None), source

    def results(self) -> dict[str, Any]:
        perf = self.env.perf
        endpoints: dict[str, Any] = {}
        for name in perf.endpoints:
            entry: dict[str, Any] = {"path": self.path(name)}
            if name in self.measurements:
                entry.update(self.measurements[name].summary())
            if name in self.breakdowns:
                entry["breakdown_ms"] = median_timing(self.breakdowns[name])
                entry["breakdown_samples"] = [t.as_dict() for t in self.breakdowns[name]]
            endpoints[name] = entry
        return {
            "environment": self.env.name,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "budget_ms": perf.budget_ms,
            "p95_max_ms": perf.p95_max_ms,
            "endpoints": endpoints,
            "queue": self.queue,
        }


def results_path(config: pytest.Config, env: Environment) -> Path:
    reports = Path(config.option.facturino_reports_dir)
    if not reports.is_absolute():
        reports = config.invocation_params.dir / reports
    return reports / env.perf.results_file


@pytest.fixture(scope="session")
def perf_run(pytestconfig: pytest.Config, deployment: Deployment) -> PerfRun:
    """The perf suite's state: times endpoints over the shared admin SPA session (one login
    per run), times fresh connections phase by phase, reads the baseline; written to
    ``<reports dir>/perf-results.json`` at the end of the run."""
    run = PerfRun(deployment, deployment.env)
    pytestconfig.stash[PERF_RUN] = run
    return run


def _record(request: pytest.FixtureRequest, prefix: str, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, int | float | str):
            request.node.user_properties.append((f"{prefix}.{key}", value))


def _table(title: str, rows: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<p><b>{html.escape(title)}</b></p><table>{cells}</table>"


class EndpointTimer:
    """What a perf test calls: time an endpoint, or break one request down into phases; both
    recorded in the JUnit properties and the HTML report of that test."""

    def __init__(self, run: PerfRun, request: pytest.FixtureRequest) -> None:
        self.run, self.request = run, request

    def budget(self, benchmark: Any, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        measurement = self.run.time_endpoint(benchmark, endpoint)
        summary = measurement.summary()
        _record(self.request, "perf", summary)
        self._extra(_table(f"{measurement.path}: {summary['rounds']} rounds (ms)", summary))
        return measurement

    def breakdown(self, endpoint: str) -> list[Timing]:
        __tracebackhide__ = True
        timings = self.run.breakdown(endpoint)
        phases = median_timing(timings)
        _record(self.request, "timing", phases)
        title = f"{self.run.path(endpoint)}: fresh connection, median of {len(timings)} (ms)"
        self._extra(_table(title, phases))
        return timings

    def _extra(self, fragment: str) -> None:
        self.request.node.stash.setdefault(EXTRAS, []).append(fragment)


@pytest.fixture
def perf_timer(perf_run: PerfRun, request: pytest.FixtureRequest) -> EndpointTimer:
    """Times one dashboard endpoint (``budget(benchmark, name)``) or one fresh request phase
    by phase (``breakdown(name)``), and records the figures in the test's report."""
    return EndpointTimer(perf_run, request)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The timing tables of a perf test, as HTML extras of its report (pytest-html)."""
    report = yield
    fragments = item.stash.get(EXTRAS, [])
    if report.when == "call" and fragments:
        from pytest_html import extras

        fragments_html = [extras.html(f) for f in fragments]
        report.extras = [*getattr(report, "extras", []), *fragments_html]  # type: ignore[attr-defined]
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    run = config.stash.get(PERF_RUN, None)
    if run is None or not (run.measurements or run.breakdowns or run.queue):
        return
    path = results_path(config, run.env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.results(), indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(PERF_RUN, None)
    if run is None or not (run.measurements or run.breakdowns):
        return
    terminalreporter.section("perf: dashboard endpoints (ms)")
    for name, path in run.env.perf.endpoints.items():
        parts = [f"{path:<22}"]
        if name in run.measurements:
            m = run.measurements[name]
            parts.append(f"mean {m.mean_ms:7.1f}  p95 {m.p95_ms:7.1f}")
        if name in run.breakdowns:
            b = median_timing(run.breakdowns[name])
            parts.append(
                f"| fresh: dns {b['dns']:.1f} connect {b['connect']:.1f} tls {b['tls']:.1f} "
                f"server {b['server']:.1f} total {b['total']:.1f}"
            )
        terminalreporter.line("  ".join(parts))
    terminalreporter.line(f"results: {results_path(config, run.env)}")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    """The perf report's chart: each endpoint's mean over its rounds against the budget."""
    run = session.config.stash.get(PERF_RUN, None)
    if run is None or not run.measurements:
        return
    means = {name: m.mean_ms for name, m in run.measurements.items()}
    caption = (
        "Mean of each endpoint's timed rounds, one request at a time over a kept-alive connection."
    )
    postfix.append(
        budget_chart("Response time per endpoint", caption, means, run.env.perf.budget_ms)
    )
