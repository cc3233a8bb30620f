"""Figures of the scheduled runs, kept across runs: each daily/weekly run appends one JSON line
(its figures and the counters the next run compares against) to the history file, and the HTML
report shows the past runs as a small trend chart ("review the dashboards" without Grafana).

Tests record figures with the ``record_figure`` fixture; they travel as ``figure.<name>`` user
properties, so they reach the controller under xdist too.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from . import stash
from .options import reports_dir

FIGURE_PREFIX = "figure."
STATE_PREFIX = "state."
KEEP_RUNS = 400  # about a year of daily plus weekly runs
MAX_BASELINE_AGE = dt.timedelta(days=8)  # a weekly run still finds last week's figures
FIGURES = pytest.StashKey[dict[str, float]]()
STATES = pytest.StashKey[dict[str, Any]]()
PATH = pytest.StashKey[Path | None]()
# What the chart calls each figure, in display order (unknown figures follow, by name).
LABELS = {
    "http_5xx_ratio_percent": "5xx responses (% of requests)",
    "http_p95_ms": "server p95 latency (ms)",
    "failed_jobs_24h": "failed jobs (last 24 h)",
    "queue_depth_max": "deepest queue (jobs)",
    "queue_oldest_job_seconds": "oldest due job (s)",
    "backup_age_hours": "newest backup age (h)",
    "disk_usage_percent": "disk usage (%)",
    "restore_drill_seconds": "restore drill wall time (s)",
}


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


def load(path: Path | None) -> list[dict[str, Any]]:
    """The recorded runs, oldest first; unreadable lines are skipped, not fatal."""
    if path is None or not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("at"), str):
            runs.append(entry)
    return runs


def previous(
    runs: Sequence[Mapping[str, Any]],
    key: str,
    section: str = "figures",
    max_age: dt.timedelta = MAX_BASELINE_AGE,
) -> tuple[Any, dt.datetime] | None:
    """The newest recorded value of ``section[key]`` and when it was recorded; None when no
    run recorded it within ``max_age`` (an old figure says nothing about today's trend)."""
    oldest = dt.datetime.now(dt.UTC) - max_age
    for run in reversed(runs):
        values = run.get(section)
        at = dt.datetime.fromisoformat(run["at"])
        if at < oldest:
            return None
        if isinstance(values, dict) and key in values:
            return values[key], at
    return None


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
        figures, path = config.stash[FIGURES], config.stash[PATH]
        if hasattr(config, "workerinput") or not figures or path is None:
            return
        entry = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "environment": config.stash[stash.ENVIRONMENT].name,
            "selection": config.option.markexpr or "",
            "figures": figures,
            "state": config.stash[STATES],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        self.written = True  # the report's trend then reads this run from the file
        runs = [*load(path), entry][-KEEP_RUNS:]
        path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in runs), "utf-8")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        config = self.config
        current = config.stash[FIGURES]
        runs = load(config.stash[PATH])
        # pytest-html asks for this before or after the run is written: count it once.
        if current and not self.written:
            runs.append({"at": dt.datetime.now(dt.UTC).isoformat(), "figures": current})
        if runs and any(r.get("figures") for r in runs):
            postfix.append(trend_chart(runs))


def trend_chart(runs: Sequence[Mapping[str, Any]], last: int = 30) -> str:
    """One small line chart per figure over the last ``last`` runs, as inline SVG."""
    shown = list(runs)[-last:]
    names = sorted(
        {k for r in shown for k in (r.get("figures") or {})},
        key=lambda n: (list(LABELS).index(n) if n in LABELS else len(LABELS), n),
    )
    panels = "".join(_panel(name, shown) for name in names)
    first, final = shown[0]["at"][:16], shown[-1]["at"][:16]
    return (
        f"<h2>Trend of the scheduled runs ({len(shown)} runs, {html.escape(first)} to "
        f"{html.escape(final)} UTC)</h2><div style='display:flex;flex-wrap:wrap;gap:12px'>"
        f"{panels}</div>"
    )


def _panel(name: str, runs: Sequence[Mapping[str, Any]]) -> str:
    width, height, pad = 260, 90, 6
    points = [
        (i, float(r["figures"][name]))
        for i, r in enumerate(runs)
        if isinstance(r.get("figures"), dict) and name in r["figures"]
    ]
    low, high = min(v for _, v in points), max(v for _, v in points)
    span, steps = (high - low) or 1.0, max(len(runs) - 1, 1)

    def xy(i: int, v: float) -> str:
        x = pad + (width - 2 * pad) * i / steps
        y = height - pad - (height - 2 * pad) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(i, v) for i, v in points)
    dots = "".join(
        f'<circle cx="{xy(i, v).split(",")[0]}" cy="{xy(i, v).split(",")[1]}" r="2.5">'
        f"<title>{html.escape(str(runs[i]['at'])[:16])}: {v:g}</title></circle>"
        for i, v in points
    )
    label = html.escape(LABELS.get(name, name))
    latest = points[-1][1]
    return (
        f"<figure style='margin:0'><figcaption><b>{label}</b>: latest {latest:g} "
        f"(min {low:g}, max {high:g})</figcaption>"
        f'<svg width="{width}" height="{height}" role="img" aria-label="{label}" '
        f'style="background:#f7f7f7"><polyline points="{line}" fill="none" '
        f'stroke="#1f6feb" stroke-width="1.5"/>{dots}</svg></figure>'
    )


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
