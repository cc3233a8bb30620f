"""The perf suite's plumbing: its own invocation, the timed SPA session, results and baseline.

pytest-benchmark switches itself off under xdist (and with --benchmark-disable/-skip): a budget
check would then measure nothing. So a run that selects `perf` tests where pytest-benchmark
cannot measure is refused before collection (exit 4, with the command that works), and runs
that only pick perf tests up implicitly (a parallel run of every suite) deselect them with
that reason. Results go to ``<reports dir>/perf-results.json``; ``[perf] baseline_file`` names
an earlier one to compare with.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ..checks.perf import median_timing
from ..config import Environment
from ..extras import PERF_EXTRA, install_hint, missing_modules
from ..report.html import budget_chart
from ..runs.deployment import Deployment
from ..runs.perf import RUN_ALONE, EndpointTimer, PerfRun
from . import optional, stash
from .options import reports_dir

PERF_RUN = pytest.StashKey["PerfRun"]()
EXTRAS = pytest.StashKey[list[str]]()  # HTML fragments for the current test's report


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
        if optional.left_out(config, "benchmark"):
            return None  # this run cannot select a perf test: there is nothing to measure
        return "pytest-benchmark is not loaded (-p no:benchmark?)"
    if config.getoption("dist", "no") != "no" or os.environ.get("PYTEST_XDIST_WORKER"):
        return "pytest-xdist is active (-n/--dist): pytest-benchmark switches itself off"
    if session.skip:
        return "--benchmark-skip is given"
    if session.disabled:
        return "--benchmark-disable is given"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # After every pytest_configure (pytest-benchmark's, trylast and registered after this
    # plugin where plugin/optional.py loads it, decides there whether it measures) and before
    # collection and the terminal's header.
    config = session.config
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


def results_path(config: pytest.Config, env: Environment) -> Path:
    reports = reports_dir(config)
    return reports / env.perf.results_file


@pytest.fixture(scope="session")
def perf_run(pytestconfig: pytest.Config, deployment: Deployment) -> PerfRun:
    """The perf suite's state: times endpoints over the shared admin SPA session (one login
    per run), times fresh connections phase by phase, reads the baseline; written to
    ``<reports dir>/perf-results.json`` at the end of the run."""
    run = PerfRun(deployment, deployment.env)
    pytestconfig.stash[PERF_RUN] = run
    return run


@pytest.fixture
def perf_timer(perf_run: PerfRun, request: pytest.FixtureRequest) -> EndpointTimer:
    """Times one dashboard endpoint (``budget(benchmark, name)``) or one fresh request phase
    by phase (``breakdown(name)``), and records the figures in the test's report."""
    fragments = request.node.stash.setdefault(EXTRAS, [])
    return EndpointTimer(perf_run, request.node.user_properties, fragments)


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
