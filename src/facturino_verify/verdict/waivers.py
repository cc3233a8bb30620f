"""Waivers: known defects a team lives with for a while (``[waivers]`` in the environment file).

Modelled on Trivy's ignore file with ``exp:``: a waiver names a check pattern, a reason, an
expiry date and optionally a ticket. A failure it covers is WAIVED (shown everywhere, never
counted in the verdict) through the expiry date; from the day after, the failure counts again
and the report says the waiver expired. A waiver that covered no failure of a run in which its
checks ran is *stale*: the defect seems fixed, so the waiver should go. Pure: no pytest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..config.model import Waiver
from .catalog import matches
from .decide import CheckResult

WAIVED = "waived"


@dataclass(frozen=True)
class WaiverRule:
    pattern: str
    reason: str
    expires: date
    ticket: str | None = None

    def active_on(self, today: date) -> bool:
        return today <= self.expires

    def describe(self) -> str:
        ticket = f", {self.ticket}" if self.ticket else ""
        return f"{self.reason} (waiver '{self.pattern}', until {self.expires.isoformat()}{ticket})"


def rules_from(waivers: Mapping[str, Waiver]) -> list[WaiverRule]:
    """``Environment.waivers`` (pattern → reason, expires, ticket) as rules."""
    return [WaiverRule(p, w.reason, w.expires, w.ticket) for p, w in waivers.items()]


def covering(name: str, rules: Iterable[WaiverRule]) -> WaiverRule | None:
    """The first waiver whose pattern matches the check's name (with its parameters)."""
    return next((rule for rule in rules if matches(rule.pattern, name)), None)


@dataclass
class WaiverReport:
    """What the waivers did in one run."""

    applied: dict[str, list[str]] = field(default_factory=dict)  # pattern → waived checks
    expired: dict[str, list[str]] = field(default_factory=dict)  # pattern → failures counted
    stale: list[str] = field(default_factory=list)  # patterns whose checks ran and passed
    rules: dict[str, WaiverRule] = field(default_factory=dict)


def report(
    results: Iterable[CheckResult], rules: Iterable[WaiverRule], today: date
) -> WaiverReport:
    by_pattern = {rule.pattern: rule for rule in rules}
    seen = WaiverReport(rules=by_pattern)
    judged: dict[str, bool] = {}  # pattern → some matching check ran
    for result in results:
        rule = covering(result.name, by_pattern.values())
        if rule is None:
            continue
        ran = result.outcome in ("passed", "failed", "error", WAIVED)
        judged[rule.pattern] = judged.get(rule.pattern, False) or ran
        if result.outcome == WAIVED:
            seen.applied.setdefault(rule.pattern, []).append(result.name)
        elif result.outcome in ("failed", "error") and not rule.active_on(today):
            seen.expired.setdefault(rule.pattern, []).append(result.name)
    seen.stale = [
        pattern
        for pattern, rule in by_pattern.items()
        if judged.get(pattern) and rule.active_on(today) and pattern not in seen.applied
    ]
    return seen


def lines(waivers: WaiverReport) -> list[str]:
    """Terminal lines: what was waived, what expired, what is stale."""
    out: list[str] = []
    for pattern, names in waivers.applied.items():
        out.append(f"WAIVED {', '.join(names)}: {waivers.rules[pattern].describe()}")
    for pattern, names in waivers.expired.items():
        rule = waivers.rules[pattern]
        out.append(
            f"EXPIRED waiver '{pattern}' (ended {rule.expires.isoformat()}): "
            f"{', '.join(names)} count again; fix the defect or renew the waiver"
        )
    for pattern in waivers.stale:
        out.append(
            f"STALE waiver '{pattern}': its checks ran and none failed; remove it from [waivers]"
        )
    return out
