"""The history of the runs: one JSON line per run, its verdict, its figures and the counters the
next run compares against (failed jobs, the 5xx share's counters), and the release the gate
verified; the newest release a GO gate verified is the rollback target the pre-deployment
checklist falls back on."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEEP_RUNS = 400  # about a year of daily plus weekly runs (and the gates between them)
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


# The state key the release gate records when the deployment reports the expected release.
RELEASE_VERIFIED = "release_verified"


@dataclass(frozen=True)
class GoodRelease:
    """A release the gate verified in a GO run: a rollback target."""

    version: str
    at: dt.datetime

    @property
    def described(self) -> str:
        """Where this rollback target comes from, as reports and steps name it."""
        return f"the release gate's last GO run, {self.at:%Y-%m-%d %H:%M} UTC"


def last_good_release(
    runs: Sequence[Mapping[str, Any]], deploying: str | None = None
) -> GoodRelease | None:
    """The newest release a GO run verified, other than the one about to be deployed (rolling
    back to it would change nothing); None when no GO run verified one. No age limit: the last
    good release stays the rollback target however long ago it went out."""
    for run in reversed(runs):
        state = run.get("state")
        version = state.get(RELEASE_VERIFIED) if isinstance(state, dict) else None
        if run.get("verdict") == "GO" and isinstance(version, str) and version != deploying:
            return GoodRelease(version, dt.datetime.fromisoformat(run["at"]))
    return None
