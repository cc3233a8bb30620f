"""A failure as grave as its cause: an aggregate check that failed only because of named checks
takes their severity and scenario (``/health`` answers 503 because the backup is stale: that
blocks the release, it does not call for redeploying the last good one). Pure: no pytest."""

from __future__ import annotations

from collections.abc import Iterable

from .catalog import SEVERITIES, default_rule
from .decide import CheckResult

CAUSED_BY = "caused_by"  # a check's property: the names of the checks its failure comes from


def apply_causes(results: Iterable[CheckResult]) -> None:
    """Give each failed check that names its causes the most severe of theirs (their own
    result's severity where they ran, which includes the environment's [severity]; else the
    default), and the scenario that goes with it. Recorded as ``severity_from``."""
    results = list(results)
    by_name = {r.name: r for r in results}
    for result in results:
        causes = [c for c in result.properties.get(CAUSED_BY, "").split(",") if c]
        if result.outcome not in ("failed", "error") or not causes:
            continue
        rules = [by_name[c] if c in by_name else default_rule(c) for c in causes]
        gravest = min(rules, key=lambda r: SEVERITIES.index(r.severity))
        result.severity = gravest.severity
        result.scenario = gravest.scenario
        result.properties["severity_from"] = ", ".join(causes)
