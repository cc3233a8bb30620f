"""One verdict from runs of the same gate at several vantage points (``facturino-verify merge``).

The rule, per check (by its test id), over the locations that judged it:

1. passed everywhere it ran: passed;
2. failed from every location that judged it: the deployment's failure, at the check's own
   severity (as in one run);
3. failed from some locations only, and there the deployment did not answer (network-class:
   refused, DNS, TLS, timeout): "down from k of n locations". The app answered, and passed,
   elsewhere, so the release itself works and rolling it back would not bring a network path
   back; but users in those regions cannot use it, so the release is not GO either. Such a
   failure counts as **major** (BLOCKED: do not promote, fix the path: DNS, CDN, firewall,
   region), a warning stays a warning;
4. failed from some locations with an answer (a wrong version, debug headers, a 500): the
   deployment answers differently by region (an old replica behind one balancer): the
   deployment's failure at the check's own severity, as in 2.

A check no location judged keeps the best it got (not judged, else skipped, else deselected).
The verdict is then :func:`decide` over the merged checks, with the same rules as one run.
Pure: no files, no pytest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import Scenario, Severity
from .decide import RAN, SUMMARY_SCHEMA, CheckResult, Verdict, decide
from .rootcause import UNREACHABLE_CLAIM

__all__ = ["SUMMARY_SCHEMA", "LocationRun", "Merged", "MergedCheck", "merge"]
FAILED = ("failed", "error")
# When no location judged a check, the outcome it is reported with (the first one present).
UNJUDGED_ORDER = ("not_judged", "skipped", "deselected")
# Severities must be one of these; a summary naming another is from an incompatible version.
KNOWN_SEVERITIES = ("critical", "major", "warning")


@dataclass(frozen=True)
class LocationRun:
    """One runner's summary.json, as merge needs it."""

    location: str
    verdict: str
    exit_code: int
    reason: str
    checks: tuple[dict[str, Any], ...]
    scenario: dict[str, Any] | None = None


@dataclass
class MergedCheck:
    """A check across locations: the merged result, and what each location saw."""

    result: CheckResult
    seen_at: dict[str, str] = field(default_factory=dict)  # location → outcome
    down_at: list[str] = field(default_factory=list)  # locations where the app did not answer
    regional: bool = False  # failed at some locations only, all of them network-class


@dataclass
class Merged:
    verdict: Verdict
    checks: list[MergedCheck]
    runs: list[LocationRun]

    @property
    def regional(self) -> list[MergedCheck]:
        return [c for c in self.checks if c.regional]


def unreachable(check: dict[str, Any]) -> bool:
    """A network-class failure: the probe got no answer (plugin/verdict.py's claim)."""
    return check.get("outcome") in FAILED and str(check.get("message", "")).startswith(
        UNREACHABLE_CLAIM
    )


def no_answer(run: LocationRun) -> set[str]:
    """The ids of the run's checks that failed for want of an answer: unreachable themselves,
    or explained by one that was (the login form Chromium could not load: verdict/rootcause.py)."""
    down = {str(c["id"]) for c in run.checks if unreachable(c)}
    names = {str(c.get("name")) for c in run.checks if str(c["id"]) in down}
    return down | {
        str(c["id"])
        for c in run.checks
        if c.get("outcome") in FAILED and c.get("caused_by") in names
    }


def merge(runs: Sequence[LocationRun]) -> Merged:
    ids = list(dict.fromkeys(str(c["id"]) for run in runs for c in run.checks))
    by_location = {run.location: {str(c["id"]): c for c in run.checks} for run in runs}
    down = {run.location: no_answer(run) for run in runs}
    checks = [_merged_check(nodeid, by_location, down) for nodeid in ids]
    verdict = decide([c.result for c in checks])
    regional = [c for c in checks if c.regional]
    if regional:  # the explanation first: which locations, then what failed
        verdict = Verdict(
            verdict.name,
            down_from(regional, len(runs)) + "; " + verdict.reason,
            verdict.scenario,
            verdict.counts,
        )
    return Merged(verdict, checks, list(runs))


def down_from(regional: list[MergedCheck], total: int) -> str:
    """'down from 1 of 3 locations (ap-south): 24 check(s) got no answer there'."""
    where = sorted({loc for c in regional for loc in c.down_at})
    return (
        f"down from {len(where)} of {total} locations ({', '.join(where)}): "
        f"{len(regional)} check(s) got no answer there and passed elsewhere"
    )


def _merged_check(
    nodeid: str, by_location: dict[str, dict[str, dict[str, Any]]], no_answer: dict[str, set[str]]
) -> MergedCheck:
    seen = {loc: checks[nodeid] for loc, checks in by_location.items() if nodeid in checks}
    first = next(iter(seen.values()))
    outcomes = {loc: str(c.get("outcome", "deselected")) for loc, c in seen.items()}
    judged = {loc: o for loc, o in outcomes.items() if o in RAN}
    failing = [loc for loc, o in judged.items() if o in FAILED]
    down = [loc for loc in failing if nodeid in no_answer[loc]]
    severity: Severity = first["severity"]
    regional = bool(failing) and len(failing) < len(judged) and len(down) == len(failing)
    result = CheckResult(
        nodeid=nodeid,
        name=str(first.get("name", nodeid)),
        severity=("major" if severity == "critical" else severity) if regional else severity,
        scenario=_scenario(first),
        outcome=_outcome(outcomes, failing),
        duration=max(float(c.get("duration_s", 0.0)) for c in seen.values()),
        retries=sum(int(c.get("retries", 0)) for c in seen.values()),
        message=_message(seen, failing, down, len(judged), regional),
        properties={f"at {loc}": o for loc, o in outcomes.items()},
    )
    return MergedCheck(result, outcomes, down, regional)


def _scenario(check: dict[str, Any]) -> Scenario:
    scenario = check.get("scenario", "bad_deployment")
    if scenario in ("bad_deployment", "migration_failure", "critical_bug"):
        return scenario  # type: ignore[no-any-return]
    return "bad_deployment"


def _outcome(outcomes: dict[str, str], failing: list[str]) -> str:
    if failing:
        return "failed"
    ran = [o for o in outcomes.values() if o in RAN]
    if ran:
        return "waived" if "waived" in ran else "passed"
    return next((o for o in UNJUDGED_ORDER if o in outcomes.values()), "deselected")


def _message(
    seen: dict[str, dict[str, Any]],
    failing: list[str],
    down: list[str],
    judged: int,
    regional: bool,
) -> str:
    if not failing:
        return ""
    if regional:
        return (
            f"down from {len(down)} of {judged} locations ({', '.join(down)}): no answer there, "
            "passed elsewhere (counted as major: fix the network path, not the release)"
        )
    where = "every location" if len(failing) == judged else f"{len(failing)} of {judged} locations"
    first = str(seen[failing[0]].get("message", "")).strip()
    return f"failed from {where} ({', '.join(failing)}): {first}"
