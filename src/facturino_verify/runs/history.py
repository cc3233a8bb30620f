"""The history of the scheduled runs: one JSON line per run, its figures and the counters the
next run compares against (failed jobs, the 5xx share's counters)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

KEEP_RUNS = 400  # about a year of daily plus weekly runs
MAX_BASELINE_AGE = dt.timedelta(days=8)  # a weekly run still finds last week's figures


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


def append(path: Path, entry: Mapping[str, Any]) -> None:
    """Add one run to the history file, keeping the newest ``KEEP_RUNS``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    runs = [*load(path), entry][-KEEP_RUNS:]
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in runs), "utf-8")
