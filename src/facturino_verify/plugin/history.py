"""Figures of the scheduled runs, kept across runs: each daily/weekly run appends one JSON line
(its verdict, figures and the counters the next run compares against) to the history file, and
the HTML report shows the past runs as a small trend chart (the file: runs/history.py; the
chart: report/history.py). A gate that verified the deployed release appends its line too: the
pre-deployment checklist finds the last good release there.

Tests record figures with the ``record_figure`` fixture; they travel as ``figure.<name>`` user
properties, so they reach the controller under xdist too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from ..report.history import trend_chart
from ..runs.history import append, last_good_release, load
from . import stash
from .options import reports_dir

FIGURE_PREFIX = "figure."
STATE_PREFIX = "state."
FIGURES = pytest.StashKey[dict[str, float]]()
STATES = pytest.StashKey[dict[str, Any]]()
PATH = pytest.StashKey[Path | None]()


def history_path(config: pytest.Config) -> Path | None:
    """``--history-file``; else ``<reports dir>/history-<env>.jsonl`` unless ``--no-reports``."""
    given = config.option.facturino_history_file
    if given:
        path = Path(given)
        return path if path.is_absolute() else config.invocation_params.dir / path
    if config.option.facturino_no_reports:
        return None
    reports = reports_dir(config)
    return reports / f"history-{config.stash[stash.ENVIRONMENT].name or 'unnamed'}.jsonl"


class HistoryRecorder:
    """Registered for verification runs: collects figures, appends the run, draws the chart."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.written = False  # this run appended to the history file
        config.stash[FIGURES] = {}
        config.stash[STATES] = {}
        config.stash[PATH] = history_path(config)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key.startswith(FIGURE_PREFIX):
                self.config.stash[FIGURES][key[len(FIGURE_PREFIX) :]] = float(str(value))
            elif key.startswith(STATE_PREFIX):
                self.config.stash[STATES][key[len(STATE_PREFIX) :]] = json.loads(str(value))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = self.config
        figures, states, path = config.stash[FIGURES], config.stash[STATES], config.stash[PATH]
        if hasattr(config, "workerinput") or not (figures or states) or path is None:
            return
        verdict = config.stash.get(stash.VERDICT, None)
        entry = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "environment": config.stash[stash.ENVIRONMENT].name,
            "selection": config.option.markexpr or "",
            "verdict": verdict.name if verdict is not None else None,
            "figures": figures,
            "state": states,
        }
        self.written = True  # the report's trend then reads this run from the file
        append(path, entry)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        config = self.config
        current = config.stash[FIGURES]
        # The chart is of figures: a gate's line (a verdict and a release) has none to draw.
        runs = [run for run in load(config.stash[PATH]) if run.get("figures")]
        # pytest-html asks for this before or after the run is written: count it once.
        if current and not self.written:
            runs.append({"at": dt.datetime.now(dt.UTC).isoformat(), "figures": current})
        if runs and any(r.get("figures") for r in runs):
            postfix.append(trend_chart(runs))


def rollback_target(config: pytest.Config) -> str:
    """The release a rollback goes back to, as the runbook's steps name it: ``[predeploy]
    last_good_release``, else the newest release a GO gate verified in the history; never the
    release this run judged; "" when unknown."""
    release = config.stash.get(stash.RELEASE, None)
    deploying = release.version if release else None
    configured = config.stash[stash.ENVIRONMENT].predeploy.last_good_release
    if configured is not None and configured != deploying:
        return f"{configured} ([predeploy] last_good_release)"
    found = last_good_release(load(config.stash.get(PATH, None)), deploying)
    if found is None:
        return ""
    return f"{found.version} ({found.described})"


@pytest.fixture
def record_figure(request: pytest.FixtureRequest) -> Any:
    """``record_figure(name, value)``: keep a number of this run (failed jobs, disk %, drill
    time, …) in the run's history file and its trend chart. Recorded, never asserted."""

    def record(name: str, value: float) -> None:
        request.node.user_properties.append((FIGURE_PREFIX + name, round(float(value), 3)))

    return record


@pytest.fixture
def record_state(request: pytest.FixtureRequest) -> Any:
    """``record_state(name, value)``: keep a JSON value for the next run to compare against
    (counter totals); stored in the history, not charted."""

    def record(name: str, value: Any) -> None:
        request.node.user_properties.append((STATE_PREFIX + name, json.dumps(value)))

    return record


@pytest.fixture(scope="session")
def run_history(pytestconfig: pytest.Config) -> list[dict[str, Any]]:
    """The earlier runs recorded in the history file (oldest first; [] without one)."""
    return load(pytestconfig.stash.get(PATH, None))
