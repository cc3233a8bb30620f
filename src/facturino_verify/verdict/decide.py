"""From per-check results to one release verdict: GO, DEGRADED, BLOCKED, ROLLBACK or
INCONCLUSIVE (nothing that matters was checked). Pure: no pytest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .catalog import SEVERITIES, Scenario, Severity

VerdictName = Literal["GO", "DEGRADED", "BLOCKED", "ROLLBACK", "INCONCLUSIVE"]
# Documented in the README; pytest's own codes (2 interrupted, 3 internal, 4 usage) are kept.
EXIT_CODES: dict[VerdictName, int] = {
    "GO": 0,
    "DEGRADED": 10,
    "BLOCKED": 11,
    "ROLLBACK": 12,
    "INCONCLUSIVE": 13,
}
# summary.json's shape: `facturino-verify merge` reads only this one (bump it on a change it
# cannot read).
SUMMARY_SCHEMA = 1
# When several scenarios apply, the most urgent one leads.
SCENARIO_PRIORITY: tuple[Scenario, ...] = ("critical_bug", "migration_failure", "bad_deployment")
# A waived check ran and failed, but its failure is a known, accepted defect (waivers.py).
RAN = ("passed", "failed", "error", "waived")
# Not judged: the suite could not ask, for a reason of its own (its sign-in was throttled). Not
# the deployment's failure, and not a pass either.
NOT_JUDGED = "not_judged"


@dataclass
class CheckResult:
    nodeid: str
    name: str
    severity: Severity
    scenario: Scenario
    # passed / failed / error / waived / not_judged / skipped / deselected
    outcome: str = "deselected"
    duration: float = 0.0
    retries: int = 0
    message: str = ""
    seen: str = ""  # a failure's "seen:" and "remedy:" lines (checks/base.py CheckFailed)
    remedy: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def flaky(self) -> bool:
        """Passed, but only after a network retry."""
        return self.outcome == "passed" and self.retries > 0


@dataclass(frozen=True)
class Verdict:
    name: VerdictName
    reason: str
    scenario: Scenario | None
    counts: dict[str, dict[str, int]]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.name]


def counts_by_severity(results: Iterable[CheckResult]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {
        s: {
            "ran": 0,
            "passed": 0,
            "failed": 0,
            "waived": 0,
            "flaky": 0,
            "skipped": 0,
            "not_judged": 0,
            "deselected": 0,
        }
        for s in SEVERITIES
    }
    for r in results:
        bucket = counts[r.severity]
        outcome = "failed" if r.outcome == "error" else r.outcome
        bucket[outcome] = bucket.get(outcome, 0) + 1
        bucket["ran"] += r.outcome in RAN
        bucket["flaky"] += r.flaky
    return counts


def decide(
    results: list[CheckResult], *, flaky_is_failure: bool = False, interrupted: bool = False
) -> Verdict:
    """The verdict of ``results``; an ``interrupted`` run (Ctrl-C) never ends GO: what it
    judged still counts (a failure found is a failure), the rest was not judged."""
    counts = counts_by_severity(results)
    failing = [
        r for r in results if r.outcome in ("failed", "error") or (flaky_is_failure and r.flaky)
    ]
    if not any(r.outcome in RAN for r in results):
        why = "no check ran: nothing was verified"
        if interrupted:
            why = "the run was interrupted before any check ran: nothing was verified"
        return Verdict("INCONCLUSIVE", why, None, counts)
    unjudged = [r for r in results if r.outcome == NOT_JUDGED]
    critical = [r for r in results if r.severity == "critical"]
    if critical and not any(r.outcome in RAN for r in critical):
        why = "every critical check was skipped or deselected: the release is not verified"
        if any(r.severity == "critical" for r in unjudged):
            why = _not_judged(unjudged)
        return Verdict("INCONCLUSIVE", why, None, counts)
    for severity, name in (("critical", "ROLLBACK"), ("major", "BLOCKED"), ("warning", "DEGRADED")):
        hit = [r for r in failing if r.severity == severity]
        if hit:
            scenario = _scenario(hit) if name == "ROLLBACK" else None
            reason = f"{len(hit)} {severity} check(s) failed: " + _names(hit)
            return Verdict(name, reason, scenario, counts)  # type: ignore[arg-type]
    if interrupted:
        ran = sum(r.outcome in RAN for r in results)
        why = f"the run was interrupted after {ran} of {len(results)} checks: not verified"
        return Verdict("INCONCLUSIVE", why, None, counts)
    if unjudged:
        return Verdict("INCONCLUSIVE", _not_judged(unjudged), None, counts)
    waived = [r.name for r in results if r.outcome == "waived"]
    if waived:
        why = f"every selected check passed, except {len(waived)} waived known defect(s): "
        return Verdict("GO", why + _listed(waived), None, counts)
    return Verdict("GO", "every selected check passed", None, counts)


def _not_judged(unjudged: list[CheckResult]) -> str:
    # The gravest first: the sign-in that was refused leads the checks that needed it.
    ordered = sorted(unjudged, key=lambda r: SEVERITIES.index(r.severity))
    return f"{len(unjudged)} check(s) not judged ({_names(ordered)}): {ordered[0].message}"


def _names(results: list[CheckResult]) -> str:
    return _listed([r.name for r in results])


def _listed(names: list[str], shown: int = 5) -> str:
    """The first names and how many more: a count that disagrees with the list reads as a
    check lost."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _scenario(failing: list[CheckResult]) -> Scenario:
    present = {r.scenario for r in failing}
    return next(s for s in SCENARIO_PRIORITY if s in present)
